"""AWS Signature Version 4, minimal and fast (hmac/hashlib only).

:func:`sign` is the general algorithm (any method, path, query and headers), checked against
AWS's published test suite; :class:`JsonPostSigner` is the hot path of the lean driver: one
JSON ``POST`` per DynamoDB operation, with the signing key cached per day (the key depends
only on the secret, the date, the region and the service).

>>> signer = JsonPostSigner("us-east-1", "dynamodb", "dynamodb.us-east-1.amazonaws.com")
>>> headers = signer.headers(
...     Credentials("AKID", "SECRET"), "DynamoDB_20120810.GetItem", b"{}", now=0.0
... )
>>> headers["Authorization"].split(", ")[0]
'AWS4-HMAC-SHA256 Credential=AKID/19700101/us-east-1/dynamodb/aws4_request'
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
AMZ_JSON = "application/x-amz-json-1.0"

_UNRESERVED = "-_.~"


class Credentials(NamedTuple):
    """An access key pair and the optional session token (``X-Amz-Security-Token``)."""

    access_key: str
    secret_key: str
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Signature:
    """Every intermediate of one signature (what the AWS test suite publishes)."""

    canonical_request: str
    string_to_sign: str
    signed_headers: str
    signature: str
    authorization: str


@functools.lru_cache(maxsize=64)
def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """``kSigning`` for ``date`` (``YYYYMMDD``): four chained HMAC-SHA256, cached."""
    key = hmac.digest(f"AWS4{secret_key}".encode(), date.encode(), "sha256")
    key = hmac.digest(key, region.encode(), "sha256")
    key = hmac.digest(key, service.encode(), "sha256")
    return hmac.digest(key, b"aws4_request", "sha256")


def amz_date(now: float | None = None) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))


def _encode(text: str) -> str:
    return urllib.parse.quote(text, safe=_UNRESERVED)


def canonical_path(path: str) -> str:
    """The normalised, URI-encoded path (dot segments and empty segments removed)."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(_encode(segment))
    result = "/" + "/".join(segments)
    if path.endswith("/") and result != "/":
        result += "/"
    return result


def canonical_query(query: str) -> str:
    """The query string with each name and value URI-encoded, sorted by name then value."""
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        pairs.append((_encode(urllib.parse.unquote(name)), _encode(urllib.parse.unquote(value))))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """(canonical header block, signed header list): lower-case names, sorted, values trimmed
    with inner runs of spaces collapsed."""
    lowered = sorted((name.lower(), " ".join(value.split())) for name, value in headers.items())
    block = "".join(f"{name}:{value}\n" for name, value in lowered)
    return block, ";".join(name for name, _ in lowered)


def sign(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    payload: bytes,
    credentials: Credentials,
    region: str,
    service: str,
    timestamp: str,
) -> Signature:
    """Sign a request; ``headers`` must already hold ``host`` and ``x-amz-date``
    (= ``timestamp``) and, with a session token, ``x-amz-security-token``."""
    block, signed = canonical_headers(headers)
    canonical = "\n".join(
        (
            method,
            canonical_path(path),
            canonical_query(query),
            block,
            signed,
            hashlib.sha256(payload).hexdigest(),
        )
    )
    date = timestamp[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = signing_key(credentials.secret_key, date, region, service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return Signature(canonical, to_sign, signed, signature, authorization)


class JsonPostSigner:
    """Signs ``POST path`` requests with a JSON body for one host, region and service.

    The signed headers are ``content-type``, ``host``, ``x-amz-date``, ``x-amz-target`` and,
    with a session token, ``x-amz-security-token`` — exactly what :func:`sign` would produce
    for the same headers, built without the general machinery.
    """

    __slots__ = ("_path", "_prefix", "_stamp", "host", "region", "service")

    def __init__(self, region: str, service: str, host: str, path: str = "/") -> None:
        self.region = region
        self.service = service
        self.host = host
        self._path = canonical_path(path)
        self._prefix = f"POST\n{self._path}\n\ncontent-type:{AMZ_JSON}\nhost:{host}\nx-amz-date:"
        self._stamp = (-1, "")

    def _timestamp(self, now: float | None) -> str:
        second = int(time.time() if now is None else now)
        stamp = self._stamp  # one tuple: threads never see a second paired with another's date
        if stamp[0] != second:
            stamp = (second, amz_date(second))
            self._stamp = stamp
        return stamp[1]

    def headers(
        self, credentials: Credentials, target: str, body: bytes, now: float | None = None
    ) -> dict[str, str]:
        """The headers to send with ``body``: ``Content-Type``, ``X-Amz-Target``,
        ``X-Amz-Date``, ``Authorization`` (and ``X-Amz-Security-Token``)."""
        timestamp = self._timestamp(now)
        date = timestamp[:8]
        token = credentials.token
        if token:
            signed = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
            middle = f"{timestamp}\nx-amz-security-token:{token}\nx-amz-target:{target}\n\n"
        else:
            signed = "content-type;host;x-amz-date;x-amz-target"
            middle = f"{timestamp}\nx-amz-target:{target}\n\n"
        canonical = (f"{self._prefix}{middle}{signed}\n{hashlib.sha256(body).hexdigest()}").encode()
        scope = f"{date}/{self.region}/{self.service}/aws4_request"
        to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical).hexdigest()}"
        key = signing_key(credentials.secret_key, date, self.region, self.service)
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": AMZ_JSON,
            "X-Amz-Target": target,
            "X-Amz-Date": timestamp,
            "Authorization": (
                f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
                f"SignedHeaders={signed}, Signature={signature}"
            ),
        }
        if token:
            headers["X-Amz-Security-Token"] = token
        return headers
