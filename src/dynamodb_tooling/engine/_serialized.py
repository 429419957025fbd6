"""WSGI middleware around moto: one request at a time, and DynamoDB's idempotency tokens.

moto serves requests on many threads but its backends take no locks, so concurrent writes to
one item lose updates (1,591 of 1,600 concurrent increments kept) and a request iterating a
table while another writes can fail with a 500 "dictionary changed size during iteration".
:class:`SerializedApp` holds one process-wide lock while moto handles a request *and* while its
response body is produced, which made 16 x 100 concurrent increments exact at the same speed.
The lock is process-wide because moto's backends are: every engine in a process shares them.

moto ignores ``ClientRequestToken``; DynamoDB does not. Inside the same lock, a successful
``TransactWriteItems`` or ``ExecuteTransaction`` carrying a token is remembered (10 minutes,
at most 10,000 tokens): the same request again gets the first response without being applied
again, the same token with other parameters gets ``IdempotentParameterMismatchException``
(HTTP 400). A failed first attempt is not remembered, as in DynamoDB.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.wsgi import get_input_stream

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Headers = list[tuple[str, str]]

#: Serialises every request of every embedded engine in this process (moto's state is global).
ENGINE_LOCK = threading.Lock()

TOKENED_TARGETS = frozenset(
    {"DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.ExecuteTransaction"}
)
#: Parameters that may differ between calls sharing a token (DynamoDB: the repeat reports
#: other consumed capacity, it is not a different request).
VOLATILE_PARAMETERS = frozenset({"ReturnConsumedCapacity"})
TOKEN_LIFETIME = 600.0
MAX_TOKENS = 10_000
RESET_PATH = "/moto-api/reset"
#: Where :func:`buffer_body` keeps the body it read, for the next middleware.
_BODY_KEY = "dynamodb_tooling.request_body"
_MISMATCH_TYPE = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"


@dataclass(frozen=True)
class StoredResponse:
    """A complete WSGI response: status line, headers and the whole body."""

    status: str
    headers: Headers
    body: bytes

    @property
    def succeeded(self) -> bool:
        return self.status[:1] == "2"

    def send(self, start_response: Callable[..., Any]) -> list[bytes]:
        start_response(self.status, list(self.headers))
        return [self.body]


@dataclass(frozen=True)
class _Remembered:
    fingerprint: str
    response: StoredResponse
    expires: float


class IdempotencyTokens:
    """Successful tokened transactions: token → (request fingerprint, response), bounded."""

    def __init__(
        self,
        lifetime: float = TOKEN_LIFETIME,
        capacity: int = MAX_TOKENS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime = lifetime
        self.capacity = capacity
        self._clock = clock
        self._entries: OrderedDict[str, _Remembered] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, token: str) -> _Remembered | None:
        """The live entry for ``token``; an expired one is forgotten."""
        entry = self._entries.get(token)
        if entry is not None and entry.expires <= self._clock():
            del self._entries[token]
            return None
        return entry

    def remember(self, token: str, fingerprint: str, response: StoredResponse) -> None:
        """Keep a successful response; the lifetime runs from now (the call completed)."""
        self._entries[token] = _Remembered(fingerprint, response, self._clock() + self.lifetime)
        self._entries.move_to_end(token)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


#: The tokens of the process-wide engine state (cleared with it by ``/moto-api/reset``).
SHARED_TOKENS = IdempotencyTokens()


def fingerprint(target: str, params: dict[str, Any]) -> str:
    """A stable hash of an operation and its parameters, volatile ones left out."""
    kept = {k: v for k, v in params.items() if k not in VOLATILE_PARAMETERS}
    canonical = json.dumps([target, kept], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def mismatch_response(token: str) -> StoredResponse:
    """DynamoDB's answer to a token reused with different parameters."""
    body = json.dumps(
        {
            "__type": _MISMATCH_TYPE,
            "message": (
                f"ClientRequestToken {token!r} was already used within the last 10 minutes "
                "by a request with different parameters; use a new token for a new request"
            ),
        }
    ).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Content-Length", str(len(body))),
    ]
    return StoredResponse("400 Bad Request", headers, body)


class SerializedApp:
    """Run a WSGI app one request at a time, honouring DynamoDB's transaction tokens."""

    def __init__(
        self,
        app: WsgiApp,
        lock: threading.Lock = ENGINE_LOCK,
        tokens: IdempotencyTokens = SHARED_TOKENS,
    ) -> None:
        self.app = app
        self.lock = lock
        self.tokens = tokens

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # The request is read before taking the lock and the response sent after releasing
        # it: a slow or stalled client must never hold up the others.
        buffer_body(environ)
        with self.lock:
            response = self._handle(environ)
        return response.send(start_response)

    def _handle(self, environ: dict[str, Any]) -> StoredResponse:
        tokened = _tokened_request(environ)
        if tokened is None:
            response = self._call_app(environ)
            if environ.get("PATH_INFO") == RESET_PATH and response.succeeded:
                self.tokens.clear()
            return response
        token, digest = tokened
        remembered = self.tokens.lookup(token)
        if remembered is not None:
            if remembered.fingerprint != digest:
                return mismatch_response(token)
            return remembered.response
        response = self._call_app(environ)
        if response.succeeded:
            self.tokens.remember(token, digest, response)
        return response

    def _call_app(self, environ: dict[str, Any]) -> StoredResponse:
        """Call the app and read its whole body, all while the lock is held."""
        started: list[tuple[str, Headers]] = []
        written: list[bytes] = []

        def capture(status: str, headers: Headers, exc_info: object = None) -> Callable[..., Any]:
            started[:] = [(status, list(headers))]
            return written.append

        result = self.app(environ, capture)
        try:
            chunks = list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started[0]
        return StoredResponse(status, headers, b"".join([*written, *chunks]))


def _tokened_request(environ: dict[str, Any]) -> tuple[str, str] | None:
    """``(token, fingerprint)`` of a tokened transaction; the body is put back for moto."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if environ.get("REQUEST_METHOD") != "POST" or target not in TOKENED_TARGETS:
        return None
    body = _read_body(environ)
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return None  # moto answers malformed JSON itself
    token = params.get("ClientRequestToken") if isinstance(params, dict) else None
    if not isinstance(token, str) or not token:
        return None
    return token, fingerprint(target, params)


def _read_body(environ: dict[str, Any]) -> bytes:
    body: bytes = environ["wsgi.input"].read()
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def buffer_body(environ: dict[str, Any]) -> bytes:
    """Read the whole request body now (as werkzeug would: by Content-Length, or to the end of
    a chunked body), give the app an in-memory copy and return it; a second call (another
    middleware) returns the same bytes."""
    buffered = environ.get(_BODY_KEY)
    if isinstance(buffered, bytes):
        return buffered
    body: bytes = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False
    environ[_BODY_KEY] = body
    return body
