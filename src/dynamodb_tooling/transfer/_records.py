"""Reading an import file into records: values with the line each came from.

JSON Lines and CSV stream line by line; a JSON file (an array of items) is read whole and
each item is numbered by the line it starts on. Decoding problems become record errors (the
line and, for CSV, the column) instead of stopping the read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynamodb_tooling.transfer.encoding import EncodingError, decode_cell, decode_item
from dynamodb_tooling.transfer.errors import RecordError, TransferError

#: ``{"source column or attribute": "attribute"}``; ``None`` or ``""`` drops the column.
Mapping_ = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Record:
    """One input record: its ``line``, and its ``values`` or the ``errors`` reading it."""

    line: int
    values: dict[str, Any]
    errors: tuple[RecordError, ...] = ()


def read_records(
    path: Path,
    kind: str,
    mapping: Mapping_ | None = None,
    text_attributes: frozenset[str] = frozenset(),
) -> Iterator[Record]:
    """Every record of ``path`` (``kind``: json, jsonl or csv), names mapped by ``mapping``.

    ``text_attributes`` (string attributes of the model imported) keep a CSV cell's text as
    it is even when it reads as a number (``00123``, ``1e5``).
    """
    mapping = dict(mapping or {})
    if kind == "csv":
        yield from _csv(path, mapping, text_attributes)
    elif kind == "jsonl":
        yield from _jsonl(path, mapping)
    else:
        yield from _json(path, mapping)


def _renamed(values: dict[str, Any], mapping: dict[str, str | None]) -> dict[str, Any]:
    if not mapping:
        return values
    renamed: dict[str, Any] = {}
    for name, value in values.items():
        target = mapping.get(name, name)
        if target:
            renamed[target] = value
    return renamed


def _jsonl(path: Path, mapping: dict[str, str | None]) -> Iterator[Record]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = decode_item(line, f"line {number}")
            except EncodingError as exc:
                yield Record(number, {}, (RecordError(number, None, _reason(exc)),))
                continue
            yield Record(number, _renamed(item, mapping))


def _reason(error: Exception) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if text.startswith("line ") else text


def _json(path: Path, mapping: dict[str, str | None]) -> Iterator[Record]:
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    index = _skip(text, 0)
    if index >= len(text) or text[index] != "[":
        raise TransferError(
            f"{path}: a .json import file holds one JSON array of items (use .jsonl for one "
            "item per line)"
        )
    index = _skip(text, index + 1)
    if index < len(text) and text[index] == "]":
        return
    while index < len(text):
        line = text.count("\n", 0, index) + 1
        try:
            _, end = decoder.raw_decode(text, index)
            item = decode_item(text[index:end], f"line {line}")
        except (ValueError, EncodingError) as exc:
            raise TransferError(f"{path}: line {line}: not valid JSON ({_reason(exc)})") from exc
        yield Record(line, _renamed(item, mapping))
        index = _skip(text, end)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
        elif index < len(text) and text[index] == "]":
            return
        else:
            break
    line = text.count("\n", 0, index) + 1
    raise TransferError(f"{path}: line {line}: expected ',' or ']' between items")


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _csv(
    path: Path, mapping: dict[str, str | None], text_attributes: frozenset[str]
) -> Iterator[Record]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader, None)
        if header is None:
            return
        targets = [mapping.get(column, column) for column in header]
        for row in reader:
            if not any(row):
                continue
            line = reader.line_num
            if len(row) != len(header):
                problem = f"has {len(row)} cells, the header has {len(header)} columns"
                yield Record(line, {}, (RecordError(line, None, problem),))
                continue
            values: dict[str, Any] = {}
            errors: list[RecordError] = []
            for column, target, cell in zip(header, targets, row, strict=True):
                if not target or cell == "":
                    continue
                try:
                    value = decode_cell(cell)
                except ValueError as exc:
                    errors.append(RecordError(line, column, f"cannot read {cell!r} ({exc})"))
                    continue
                if target in text_attributes and not isinstance(value, str):
                    value = cell
                values[target] = value
            yield Record(line, values, tuple(errors))
