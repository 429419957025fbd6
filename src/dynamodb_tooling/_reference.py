"""The command line of the generated references (``python -m dynamodb_tooling.cli.docs``,
``python -m dynamodb_tooling.config.docs``): write the Markdown, or check it is current."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def reference_main(
    argv: list[str] | None, *, module: str, render: Callable[[], str], default_path: Path
) -> int:
    """Write ``render()`` to the path given (``default_path`` without one), or with ``--check``
    exit 1 when the file differs from it. ``argv`` defaults to ``sys.argv[1:]``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=f"Write the generated reference ({default_path.name}) or check it.",
    )
    parser.add_argument("path", nargs="?", type=Path, default=default_path, help="output file")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args(argv)
    path: Path = args.path
    text = render()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date: run `python -m {module}`")
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0
