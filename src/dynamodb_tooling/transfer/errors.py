"""Errors of exports and imports: each names the record (line) and attribute at fault."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dynamodb_tooling.errors import DynamoDBToolingError

#: How many record errors an :class:`ImportValidationError` message lists in full.
SHOWN_ERRORS = 20


@dataclass(frozen=True, slots=True)
class RecordError:
    """What is wrong with one input record: its ``line`` (1-based, in the input file), the
    ``attribute`` at fault (``None`` when the whole record is), and the ``message``."""

    line: int
    attribute: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", attribute {self.attribute!r}" if self.attribute else "")
        return f"{where}: {self.message}"


class TransferError(DynamoDBToolingError, ValueError):
    """An export or import cannot start or go on (bad options, a changed input file...)."""


class ImportValidationError(TransferError):
    """Records of the input fail validation.

    ``errors`` lists every failing record (line, attribute, message). Found by the first pass
    (``validate=True``) nothing was written; found while writing (``validate=False``),
    ``done`` records before it were written and the checkpoint resumes after them.
    """

    def __init__(self, path: str, errors: Sequence[RecordError], *, done: int = 0) -> None:
        self.errors = tuple(errors)
        self.done = done
        shown = "\n".join(f"  - {e}" for e in self.errors[:SHOWN_ERRORS])
        more = len(self.errors) - SHOWN_ERRORS
        tail = f"\n  ... and {more} more" if more > 0 else ""
        state = (
            f"the import stopped there; the {done} records before it are written, fix it and "
            "run the same import again to resume"
            if done
            else "so nothing was written; fix them and import again"
        )
        super().__init__(
            f"{path}: {len(self.errors)} record(s) fail validation, {state} — or pass "
            "continue_on_error=True (--continue-on-error) to write the valid records and "
            f"report the rest:\n{shown}{tail}"
        )
