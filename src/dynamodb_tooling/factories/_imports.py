"""Importing every Python module of a folder (factories and seeders discovery).

A module the application imported already (same file) is used as it is, so a class is never
defined twice; otherwise the file is imported under a private name derived from its path, once
per process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from dynamodb_tooling.factories.errors import FactoryError

__all__ = ["import_folder"]

_SKIPPED = frozenset({"__pycache__", "node_modules"})


def import_folder(
    folder: Path, *, what: str, setting: str, error: type[Exception] = FactoryError
) -> list[ModuleType]:
    """Import every ``.py`` file under ``folder`` (sorted, recursive; ``_``-prefixed files
    skipped); a missing folder is ``error`` naming ``setting``."""
    if not folder.is_dir():
        raise error(
            f"{what} folder {str(folder)!r} does not exist (resolved: {folder.resolve()}); "
            f"create it, pass the folder, or set {setting} in the configuration"
        )
    return [_import(file) for file in _python_files(folder)]


def _python_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED and not d.startswith("."))
        found += [Path(root) / f for f in files if f.endswith(".py") and not f.startswith("_")]
    return sorted(found)


def _import(file: Path) -> ModuleType:
    resolved = file.resolve()
    for module in list(sys.modules.values()):
        where = getattr(module, "__file__", None)
        if isinstance(where, str) and _same(where, resolved):
            return module
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:10]
    name = f"_dbtooling_discovered_{digest}_{file.stem}"
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise FactoryError(f"{file}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _same(where: str, resolved: Path) -> bool:
    try:
        return Path(where).resolve() == resolved
    except OSError:
        return False
