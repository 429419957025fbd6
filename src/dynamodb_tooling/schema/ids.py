"""Ids of new items: ULIDs by default, time-ordered UUIDs (RFC 9562 version 7) for models
declared with ``uuid="v7"``, random UUIDs for ``uuid=True`` — the choice is the
``id_strategy`` trait plug-in's (:mod:`dynamodb_tooling.schema.traits.id_strategy`); this
module makes the ids.

A UUIDv7 starts with the Unix time in milliseconds, so ids (and the sort keys built from them)
sort by creation time like ULIDs do, in the standard UUID text form. Python 3.14's
``uuid.uuid7`` is used when present.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Any

import ulid
from ulid import ULID

from dynamodb_tooling.schema.definitions import IdStrategy

_RAND_B = (1 << 62) - 1


def uuid7() -> uuid.UUID:
    """A new version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits."""
    native = getattr(uuid, "uuid7", None)
    if native is not None:
        made: uuid.UUID = native()
        return made
    millis = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10), "big")  # 80 bits; 74 are used
    rand_a = (random >> 62) & 0xFFF
    value = (
        (millis & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76  # version
        | rand_a << 64
        | 0b10 << 62  # variant (RFC 9562)
        | random & _RAND_B
    )
    return uuid.UUID(int=value)


def uuid_strategy(value: Any) -> IdStrategy | None:
    """The id strategy a ``uuid=`` keyword (Stacks ``useUuid``) asks for: ``False`` ULIDs,
    ``True``/``"v4"`` random UUIDs, ``"v7"`` time-ordered ones; ``None`` for anything else
    (the caller words the error for its spelling)."""
    if value is False:
        return "ulid"
    if value is True or value == "v4":
        return "uuid"
    if value == "v7":
        return "uuid7"
    return None


_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32


def new_ulid() -> str:
    """A new ULID as text (time-ordered, so sort keys built from it follow creation order):
    the id a model gets unless a trait plug-in supplies another (``new_id``).

    Made here, as python-ulid's default generator makes it (48 bits of Unix milliseconds,
    80 random bits from ``os.urandom``; within one millisecond the random part counts up by
    one, so ids made in a row sort in order) without building a ``ULID`` object (a tenth of
    the library's CPU per ``create``). A generator the application installed
    (``ulid.default_generator = ...``) is used instead."""
    generator = getattr(ulid, "default_generator", None)  # python-ulid 3+; may be replaced
    if generator is not _LIBRARY_GENERATOR or generator is None:
        return _ulid_text(ULID().bytes if generator is None else generator.generate().bytes)
    millis = time.time_ns() // 1_000_000
    with _ULID_LOCK:
        last_millis, last_random = _ULID_LAST
        if millis <= last_millis:  # the same millisecond (or the clock stepped back)
            millis, random = last_millis, last_random + 1
            if random > _MAX_RANDOM:  # 2**80 ids in one millisecond: borrow the next one
                millis, random = millis + 1, int.from_bytes(os.urandom(10), "big")
        else:
            random = int.from_bytes(os.urandom(10), "big")
        _ULID_LAST[:] = (millis, random)
    return _ulid_text_of(millis << 80 | random)


_LIBRARY_GENERATOR = getattr(ulid, "default_generator", None)
_ULID_LOCK = threading.Lock()
_ULID_LAST = [0, 0]  # the last id's milliseconds and random part
_MAX_RANDOM = (1 << 80) - 1


#: Every pair of ULID (Crockford base32) characters, by the 10 bits they encode.
_ULID_PAIRS = [a + b for a in _ULID_ALPHABET for b in _ULID_ALPHABET]


def _ulid_text(raw: bytes) -> str:
    """``str(ULID(raw))`` in 13 table look-ups: a ULID's 26 characters are its 128 bits behind
    two zero bits, five bits a character (so ten bits a pair)."""
    return _ulid_text_of(int.from_bytes(raw, "big"))


def _ulid_text_of(n: int) -> str:
    """The text of the ULID whose 128 bits are ``n``."""
    t = _ULID_PAIRS
    return "".join(
        [
            t[n >> 120],
            t[(n >> 110) & 1023],
            t[(n >> 100) & 1023],
            t[(n >> 90) & 1023],
            t[(n >> 80) & 1023],
            t[(n >> 70) & 1023],
            t[(n >> 60) & 1023],
            t[(n >> 50) & 1023],
            t[(n >> 40) & 1023],
            t[(n >> 30) & 1023],
            t[(n >> 20) & 1023],
            t[(n >> 10) & 1023],
            t[n & 1023],
        ]
    )
