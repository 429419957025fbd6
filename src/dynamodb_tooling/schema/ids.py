"""Time-ordered UUIDs (RFC 9562 version 7) for models declared with ``uuid="v7"``.

A UUIDv7 starts with the Unix time in milliseconds, so ids (and the sort keys built from them)
sort by creation time like ULIDs do, in the standard UUID text form. Python 3.14's
``uuid.uuid7`` is used when present.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

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
