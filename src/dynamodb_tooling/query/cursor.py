"""Pagination cursors: opaque, URL-safe, tamper-evident tokens for ``LastEvaluatedKey``.

A cursor carries the key DynamoDB returned as ``LastEvaluatedKey``, bound to the query it came
from, so it can go to a browser and come back as ``?cursor=...`` safely:

* **URL-safe**: base64url without padding, only ``[A-Za-z0-9_-]``.
* **Tamper-evident**: signed with HMAC-SHA256 (truncated to 16 bytes). Changing any character is
  refused; nobody without the secret can make a cursor that starts anywhere else in the table.
* **Scoped**: the signature also covers a ``scope`` (see :func:`scope_of`), so a cursor issued for
  one query is refused by another (different table, index, key condition, filter, values,
  direction or scan segment) instead of silently starting it at a foreign key.
* **Signed, not encrypted**: the key inside can be read by whoever holds the cursor (it holds ids
  such as ``USER#01H...``). Do not put secrets in keys.

Layout (before base64url): ``version (1 byte) | scope tag (4) | MAC (16) | key as compact JSON``.
The JSON is the key in DynamoDB's wire form with ``B``/``BS`` bytes as base64 strings. The scope
tag, a keyed hash of the scope, only lets errors say "another query" instead of "altered".

Secrets: ``CursorCodec(None)`` signs with a random key made once per process, so its cursors only
work within that process (a restart or another server refuses them). Set
``query_builder.cursor_secret`` in the config to get cursors that survive restarts and work
across servers; changing the secret invalidates every cursor issued before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, cast

from dynamodb_tooling._types import Key
from dynamodb_tooling.errors import CursorError

CURSOR_VERSION: Final = 1
MAX_CURSOR_LENGTH: Final = 16_384
"""Longer cursors are refused unread; the longest real one (four 2 KB binary keys) is ~11 KB."""

SCOPE_PARAMETERS: Final = (
    "TableName",
    "IndexName",
    "KeyConditionExpression",
    "FilterExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ScanIndexForward",
    "Segment",
    "TotalSegments",
)
"""The request parameters that decide which items a query visits, in which order."""

_TAG_SIZE: Final = 4
_MAC_SIZE: Final = 16
_HEADER_SIZE: Final = 1 + _TAG_SIZE + _MAC_SIZE
_URL_SAFE: Final = re.compile(r"[A-Za-z0-9_-]+")
_MAC_DOMAIN: Final = b"dynamodb-tooling/cursor\x00"
_TAG_DOMAIN: Final = b"dynamodb-tooling/cursor-scope\x00"
_SCOPE_DOMAIN: Final = b"dynamodb-tooling/scope/1\x00"
_SET_TYPES: Final = frozenset({"SS", "NS", "BS"})

# Made once per process (and inherited by forked workers): cursors signed with it die with it.
_PROCESS_SECRET: Final = secrets.token_bytes(32)

_RESTART_HINT: Final = (
    " This process signs cursors with a random per-process key, so cursors from before a restart "
    "or from another server are refused; set query_builder.cursor_secret to a stable secret."
)


class CursorCodec:
    """Turns ``LastEvaluatedKey`` into a signed cursor string and back.

    >>> codec = CursorCodec("a long random secret")
    >>> scope = scope_of({"TableName": "MainTable", "KeyConditionExpression": "pk = :pk"})
    >>> cursor = codec.encode({"pk": {"S": "USER#1"}, "sk": {"S": "POST#9"}}, scope=scope)
    >>> codec.decode(cursor, scope=scope)
    {'pk': {'S': 'USER#1'}, 'sk': {'S': 'POST#9'}}
    """

    __slots__ = ("_per_process", "_secret")

    def __init__(self, secret: bytes | str | None = None) -> None:
        given: object = secret
        if given is None:
            key = _PROCESS_SECRET
        elif isinstance(given, str):
            key = given.encode("utf-8")
        elif isinstance(given, bytes | bytearray):
            key = bytes(given)
        else:
            raise TypeError(f"a cursor secret is bytes or str, not {type(given).__name__}")
        if not key:
            raise ValueError("the cursor secret is empty; use None for a per-process secret")
        self._secret = key
        self._per_process = given is None

    def __repr__(self) -> str:
        kind = "per-process random" if self._per_process else "configured"
        return f"<CursorCodec ({kind} secret)>"  # never show the secret

    @property
    def per_process(self) -> bool:
        """Whether cursors are signed with the random per-process secret."""
        return self._per_process

    def encode(self, last_evaluated_key: Mapping[str, Any], *, scope: str) -> str:
        """The cursor for resuming after ``last_evaluated_key`` (wire AttributeValues)."""
        try:
            document = _key_document(last_evaluated_key, _bytes_to_text)
            payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
            body = payload.encode("utf-8")
        except (_ShapeError, UnicodeEncodeError) as error:
            raise TypeError(f"cannot make a cursor from this key: {error}") from None
        header = bytes([CURSOR_VERSION]) + self._tag(scope)
        return _b64encode(header + self._mac(header, scope, body) + body)

    def decode(self, cursor: str, *, scope: str) -> Key:
        """The ``ExclusiveStartKey`` in ``cursor``; :class:`CursorError` unless it is genuine and
        was issued for ``scope``."""
        raw = _b64decode(cursor)
        if len(raw) <= _HEADER_SIZE:
            raise CursorError("the cursor is truncated: it is too short to hold a key")
        if raw[0] != CURSOR_VERSION:
            raise CursorError(
                f"the cursor is malformed or from an incompatible version (version byte "
                f"{raw[0]}, expected {CURSOR_VERSION})"
            )
        header, mac, body = (
            raw[: 1 + _TAG_SIZE],
            raw[1 + _TAG_SIZE : _HEADER_SIZE],
            raw[_HEADER_SIZE:],
        )
        if not hmac.compare_digest(mac, self._mac(header, scope, body)):
            raise CursorError(self._rejection(header, scope))
        try:
            return cast(Key, _key_document(json.loads(body.decode("utf-8")), _text_to_bytes))
        except (ValueError, _ShapeError) as error:  # only reachable with the secret: a bug
            raise CursorError(f"the cursor's key is unreadable: {error}") from None

    def _tag(self, scope: str) -> bytes:
        digest = hmac.new(
            self._secret, _TAG_DOMAIN + scope.encode("utf-8", "surrogatepass"), hashlib.sha256
        )
        return digest.digest()[:_TAG_SIZE]

    def _mac(self, header: bytes, scope: str, body: bytes) -> bytes:
        scope_bytes = scope.encode("utf-8", "surrogatepass")
        message = b"".join(
            (_MAC_DOMAIN, header, len(scope_bytes).to_bytes(4, "big"), scope_bytes, body)
        )
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_SIZE]

    def _rejection(self, header: bytes, scope: str) -> str:
        if hmac.compare_digest(header[1:], self._tag(scope)):
            return "the cursor was altered: its signature does not match its contents"
        hint = _RESTART_HINT if self._per_process else ""
        return (
            "the cursor belongs to a different query (other table, index, conditions, values or "
            "order) or was signed with a different secret; start again without a cursor." + hint
        )


def scope_of(params: Mapping[str, Any]) -> str:
    """A stable fingerprint of the query a request runs (the same in every process).

    Made from :data:`SCOPE_PARAMETERS` only, so paging parameters (``Limit``,
    ``ExclusiveStartKey``), projections and capacity settings do not change it: a cursor stays
    valid when the page size changes. String sets are order-insensitive; an absent
    ``ScanIndexForward`` counts as ``True``.
    """
    chosen: dict[str, Any] = {}
    for name in SCOPE_PARAMETERS:
        value = params.get(name)
        if value is None or (name == "ScanIndexForward" and value is True):
            continue
        chosen[name] = _canonical(value, name)
    try:
        text = json.dumps(chosen, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError as error:
        raise TypeError(f"scope_of: cannot fingerprint these parameters ({error})") from None
    return hashlib.sha256(_SCOPE_DOMAIN + text.encode("ascii")).hexdigest()


class _ShapeError(ValueError):
    """A key is not a mapping of attribute names to wire AttributeValues."""


def _key_document(key: object, convert: Callable[[object], object]) -> dict[str, Any]:
    if not isinstance(key, Mapping) or not key:
        raise _ShapeError(
            "expected a non-empty mapping of attribute names to AttributeValues such as "
            f"{{'pk': {{'S': 'USER#1'}}}}, got {key!r}"
        )
    return {_name(name): _attribute_value(value, name, convert) for name, value in key.items()}


def _name(name: object) -> str:
    if not isinstance(name, str):
        raise _ShapeError(f"attribute names are strings, not {name!r}")
    return name


def _attribute_value(value: object, path: str, convert: Callable[[object], object]) -> object:
    """Check one wire AttributeValue and convert its bytes with ``convert`` (either way)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        raise _ShapeError(f"{path}: expected an AttributeValue like {{'S': 'x'}}, got {value!r}")
    ((kind, inner),) = value.items()
    if kind in ("S", "N") and isinstance(inner, str):
        return {kind: inner}
    if kind in ("BOOL", "NULL") and isinstance(inner, bool):
        return {kind: inner}
    if kind == "B":
        return {kind: convert(inner)}
    if kind in ("SS", "NS") and _is_list_of(inner, str):
        return {kind: list(inner)}
    if kind == "BS" and isinstance(inner, list | tuple):
        return {kind: [convert(member) for member in inner]}
    if kind == "M" and isinstance(inner, Mapping):
        return {
            kind: {_name(k): _attribute_value(v, f"{path}.{k}", convert) for k, v in inner.items()}
        }
    if kind == "L" and isinstance(inner, list | tuple):
        return {kind: [_attribute_value(v, f"{path}[{i}]", convert) for i, v in enumerate(inner)]}
    raise _ShapeError(f"{path}: {kind!r} with {inner!r} is not a valid AttributeValue")


def _is_list_of(value: object, kind: type) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(member, kind) for member in value)


def _bytes_to_text(value: object) -> object:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _ShapeError(f"B values are bytes, not {type(value).__name__}")
    return base64.b64encode(bytes(value)).decode("ascii")


def _text_to_bytes(value: object) -> object:
    if not isinstance(value, str):
        raise _ShapeError(f"B values are base64 text in a cursor, not {type(value).__name__}")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise _ShapeError(f"bad base64 in a B value ({error})") from None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(cursor: object) -> bytes:
    if not isinstance(cursor, str):
        raise CursorError(f"a cursor is a string, not {type(cursor).__name__}")
    if not cursor:
        raise CursorError("the cursor is empty")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise CursorError(
            f"the cursor is too long ({len(cursor):,} characters, at most {MAX_CURSOR_LENGTH:,})"
        )
    if not _URL_SAFE.fullmatch(cursor):
        raise CursorError(
            "the cursor has characters outside [A-Za-z0-9_-]: it was not issued by this "
            "library, or was changed on the way (escaped, truncated, or joined with other text)"
        )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except binascii.Error:
        raise CursorError("the cursor is malformed: it is not valid base64url") from None
    if _b64encode(raw) != cursor:  # unused low bits set: another spelling of the same bytes
        raise CursorError("the cursor is malformed: it is not canonical base64url")
    return raw


def _canonical(value: object, path: str) -> object:
    """``value`` as JSON-ready data with one spelling per meaning (sets sorted, bytes tagged)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, Mapping):
        result: dict[str, object] = {}
        for key, member in value.items():
            if not isinstance(key, str):
                raise TypeError(f"scope_of: {path} has a non-string key {key!r}")
            canonical = _canonical(member, f"{path}.{key}")
            if key in _SET_TYPES and isinstance(canonical, list):  # wire sets: order is noise
                canonical = sorted(canonical, key=_sort_key)
            result[key] = canonical
        return result
    if isinstance(value, list | tuple):
        return [_canonical(member, f"{path}[{i}]") for i, member in enumerate(value)]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(member, path) for member in value), key=_sort_key)
    raise TypeError(
        f"scope_of: {path} holds a {type(value).__name__}, which cannot be fingerprinted"
    )


def _sort_key(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
