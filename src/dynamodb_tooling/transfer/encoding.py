"""The plain-JSON encoding of items: what ``export`` writes and ``import_`` reads.

Items are written as ordinary JSON (no DynamoDB-JSON ``{"S": ...}`` wrappers) with full type
fidelity, so export → import into an empty table → export gives a byte-identical file:

=================  ==================================================================
DynamoDB type      JSON
=================  ==================================================================
S                  a string
N                  a number, exact: ``42`` (an int), ``1.50`` or ``1E+5`` (a Decimal,
                   written as ``str(Decimal)``; never through a float)
BOOL / NULL        ``true`` / ``false`` / ``null``
L                  an array
M                  an object, keys sorted
B                  ``{"$binary": "<base64>"}``
SS / NS / BS       ``{"$set": [...]}``, members sorted (strings by text, numbers by
                   value, binaries by bytes); the member types say which set it is
a map whose only   ``{"$map": [["$key", value]]}`` (escaped, so it is never read as a
key starts "$"     tagged value)
=================  ==================================================================

An item is one JSON object with its attribute names sorted, on one line, ``,``/``:`` without
spaces. CSV cells hold the same encoding, except that a string is written bare (unquoted)
unless it would read back as something else (``123``, ``true``, ``"x"``, ``{...}``, an empty
string): those are written JSON-quoted. An empty cell is an absent attribute.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dynamodb_tooling.errors import DynamoDBToolingError

__all__ = [
    "EncodingError",
    "decode_cell",
    "decode_item",
    "decode_value",
    "encode_cell",
    "encode_item",
    "encode_value",
]

_BINARY = "$binary"
_SET = "$set"
_MAP = "$map"


class EncodingError(DynamoDBToolingError, ValueError):
    """Text that is not an item in the transfer encoding (the message says what and where)."""


def encode_value(value: Any) -> str:
    """``value`` (an unmarshalled DynamoDB value) as compact JSON text."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f'{{"{_BINARY}":"{base64.b64encode(bytes(value)).decode("ascii")}"}}'
    if isinstance(value, Mapping):
        return _encode_map(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(encode_value(v) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return f'{{"{_SET}":[' + ",".join(encode_value(v) for v in _sorted_set(value)) + "]}"
    if isinstance(value, float):
        return _decimal_text(Decimal(repr(value)))
    raise EncodingError(
        f"cannot encode {type(value).__name__} {value!r}: items hold strings, numbers, "
        "booleans, null, bytes, lists, maps and sets"
    )


def encode_item(item: Mapping[str, Any]) -> str:
    """One item as one line of JSON (attribute names sorted, no newline at the end)."""
    return (
        "{"
        + ",".join(
            f"{json.dumps(k, ensure_ascii=False)}:{encode_value(item[k])}" for k in sorted(item)
        )
        + "}"
    )


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise EncodingError(f"cannot encode the number {value}: DynamoDB numbers are finite")
    return str(value)


def _encode_map(value: Mapping[str, Any]) -> str:
    keys = sorted(value)
    if len(keys) == 1 and keys[0].startswith("$"):
        (key,) = keys
        return f'{{"{_MAP}":[[{json.dumps(key, ensure_ascii=False)},{encode_value(value[key])}]]}}'
    return (
        "{"
        + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{encode_value(value[k])}" for k in keys)
        + "}"
    )


def _sorted_set(value: set[Any] | frozenset[Any]) -> list[Any]:
    members = list(value)
    if all(isinstance(m, str) for m in members):
        return sorted(members)
    if all(isinstance(m, bytes | bytearray) for m in members):
        return sorted(bytes(m) for m in members)
    return sorted(members, key=Decimal)


# Reading.


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a DynamoDB number")


def _tagged(pairs: list[tuple[str, Any]]) -> Any:
    if len(pairs) == 1 and pairs[0][0] in (_BINARY, _SET, _MAP):
        tag, inner = pairs[0]
        if tag == _BINARY:
            if not isinstance(inner, str):
                raise ValueError(f'"{_BINARY}" holds base64 text, not {type(inner).__name__}')
            try:
                return base64.b64decode(inner, validate=True)
            except binascii.Error as exc:
                raise ValueError(f'"{_BINARY}" is not valid base64 ({exc})') from exc
        if tag == _SET:
            if not isinstance(inner, list) or not inner:
                raise ValueError(f'"{_SET}" holds a non-empty array of members')
            return set(inner)
        if not isinstance(inner, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in inner
        ):
            raise ValueError(f'"{_MAP}" holds an array of [name, value] pairs')
        return dict(inner)
    return dict(pairs)


_DECODER = json.JSONDecoder(
    object_pairs_hook=_tagged, parse_float=Decimal, parse_int=int, parse_constant=_constant
)


def decode_value(text: str) -> Any:
    """JSON text in this encoding back to Python values (raises ``ValueError``)."""
    return _DECODER.decode(text)


def decode_item(text: str, where: str = "input") -> dict[str, Any]:
    """One item from its JSON line; :class:`EncodingError` names ``where`` and the problem."""
    try:
        item = decode_value(text)
    except (ValueError, TypeError) as exc:
        raise EncodingError(f"{where}: not an item in the transfer encoding ({exc})") from exc
    if not isinstance(item, dict):
        raise EncodingError(f"{where}: an item is a JSON object, got {type(item).__name__}")
    return item


def encode_cell(value: Any) -> str:
    """A CSV cell: a string bare when it reads back as itself, else the JSON encoding."""
    if isinstance(value, str) and value and not _reads_as_json(value):
        return value
    return encode_value(value)


def decode_cell(cell: str) -> Any:
    """A CSV cell back to its value (bare text is a string); raises ``ValueError`` only for
    malformed tagged values."""
    if not _reads_as_json(cell):
        return cell
    return decode_value(cell)


def _reads_as_json(text: str) -> bool:
    try:
        _DECODER.decode(text)
    except (ValueError, TypeError):
        return False
    return True
