"""Moving data in and out of a table: export, import, backups and restores.

- :func:`export` writes a table (or some entity types, or a query's items) to JSON, JSON Lines
  or CSV in a plain-JSON encoding that keeps every DynamoDB type exactly
  (:mod:`.encoding`), so export → import → export is byte-identical;
- :func:`import_` reads such files (or any JSON/CSV, mapped onto a model) and writes them in
  concurrent batches, validated first, resumable, retried until nothing is left unwritten;
- :func:`backup`, :func:`list_backups`, :func:`restore` drive DynamoDB's on-demand backups and
  point-in-time restores.

See ``docs/transfer.md``.
"""

from dynamodb_tooling.transfer.backups import (
    BackupInfo,
    RestoreResult,
    abackup,
    alist_backups,
    arestore,
    backup,
    enable_point_in_time_recovery,
    list_backups,
    restore,
)
from dynamodb_tooling.transfer.checkpoint import Checkpoint, checkpoint_path
from dynamodb_tooling.transfer.encoding import (
    EncodingError,
    decode_cell,
    decode_item,
    decode_value,
    encode_cell,
    encode_item,
    encode_value,
)
from dynamodb_tooling.transfer.errors import ImportValidationError, RecordError, TransferError
from dynamodb_tooling.transfer.export import ExportResult, Format, aexport, export
from dynamodb_tooling.transfer.importing import ImportResult, aimport_, import_
from dynamodb_tooling.transfer.progress import ProgressCallback, TransferProgress

__all__ = [
    "BackupInfo",
    "Checkpoint",
    "EncodingError",
    "ExportResult",
    "Format",
    "ImportResult",
    "ImportValidationError",
    "ProgressCallback",
    "RecordError",
    "RestoreResult",
    "TransferError",
    "TransferProgress",
    "abackup",
    "aexport",
    "aimport_",
    "alist_backups",
    "arestore",
    "backup",
    "checkpoint_path",
    "decode_cell",
    "decode_item",
    "decode_value",
    "enable_point_in_time_recovery",
    "encode_cell",
    "encode_item",
    "encode_value",
    "export",
    "import_",
    "list_backups",
    "restore",
]
