"""Sorting more items than fit in memory: sorted runs of ``chunk_size`` lines spill to
temporary files and are merged (an external merge sort), so an export's memory stays flat
while its file comes out in primary-key order (the same order for the same items)."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

SortKey = Callable[[str], Any]


class SortedSpool:
    """Collect lines, then read them back sorted by ``key`` (spilling sorted runs to disk)."""

    def __init__(self, key: SortKey | None, chunk_size: int) -> None:
        self._key = key
        self._chunk_size = max(1, chunk_size)
        self._buffer: list[str] = []
        self._runs: list[IO[str]] = []
        self.count = 0

    def add(self, line: str) -> None:
        self._buffer.append(line)
        self.count += 1
        if len(self._buffer) >= self._chunk_size:
            self._spill()

    def _spill(self) -> None:
        if self._key is not None:
            self._buffer.sort(key=self._key)
        run = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in close())
        run.writelines(f"{line}\n" for line in self._buffer)
        run.seek(0)
        self._runs.append(run)
        self._buffer = []

    def lines(self) -> Iterator[str]:
        """Every line added, sorted (or in the order added without a key)."""
        if self._key is not None:
            self._buffer.sort(key=self._key)
        if not self._runs:
            yield from self._buffer
            return
        if self._buffer:
            self._spill()
        streams = [(line.rstrip("\n") for line in run) for run in self._runs]
        if self._key is None:
            for stream in streams:
                yield from stream
        else:
            yield from heapq.merge(*streams, key=self._key)

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs = []
        self._buffer = []


def temporary_path(target: Path) -> Path:
    """A sibling of ``target`` to write first and rename over it when complete."""
    return target.with_name(f".{target.name}.partial")
