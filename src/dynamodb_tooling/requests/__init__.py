"""Pure request compilers and sans-IO flows: everything here builds requests, nothing sends.

Item operations live in :mod:`.items`, paging in :mod:`.pagination`, batches in :mod:`.batch`,
transactions in :mod:`.transactions`, PartiQL in :mod:`.partiql` and table management in
:mod:`.tables`. A driver (``dynamodb_tooling.drivers``) executes them.
"""

from dynamodb_tooling.requests._flow import (
    Backoff,
    Concurrently,
    Flow,
    Sleep,
    Step,
    adrive,
    drive,
    gather,
    single,
)
from dynamodb_tooling.requests._request import DATA_OPERATIONS, Operation, Request

__all__ = [
    "DATA_OPERATIONS",
    "Backoff",
    "Concurrently",
    "Flow",
    "Operation",
    "Request",
    "Sleep",
    "Step",
    "adrive",
    "drive",
    "gather",
    "single",
]
