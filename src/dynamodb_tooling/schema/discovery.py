"""Find and register every model under ``query_builder.models_path``.

Files are read in sorted path order (deterministic), recursively:

* ``.json`` / ``.yaml`` / ``.yml`` — one Stacks model object or a list of them;
* ``.ts`` / ``.js`` — a Stacks model file, read by :mod:`.ts_literal` (never executed;
  ``.d.ts`` files are skipped);
* ``.py`` — imported by path: ``Model`` subclasses register themselves, and a module-level
  ``MODELS = [dict, ...]`` of Stacks dicts is registered too.

A Stacks object without ``name`` in a one-model file takes the file's stem (as Stacks does).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from dynamodb_tooling.config import get_config
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.registry import Registry, get_registry
from dynamodb_tooling.schema.stacks import parse_stacks_model
from dynamodb_tooling.schema.ts_literal import parse_model_file

_SUFFIXES = (".json", ".yaml", ".yml", ".ts", ".js", ".py")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


def load_models(
    path: str | Path | None = None, *, registry: Registry | None = None
) -> list[ModelDefinition]:
    """Register every model found under ``path`` (default: the configured ``models_path``).

    Returns the definitions loaded, sorted by name.

    >>> load_models("app/models", registry=Registry())  # doctest: +SKIP
    [ModelDefinition(name='Post', ...), ModelDefinition(name='User', ...)]
    """
    root = _root(path)
    target = registry if registry is not None else get_registry()
    found: dict[str, tuple[ModelDefinition, Path]] = {}
    for file in model_files(root):
        for definition in _load_file(file, target):
            _check_duplicate(found, definition, file)
            found[definition.name] = (definition, file)
    for definition, file in found.values():
        try:
            target.register(definition)
        except SchemaError as exc:
            raise SchemaError(f"{file}: {exc}") from exc
    return sorted((definition for definition, _ in found.values()), key=lambda d: d.name)


def model_files(root: Path) -> Iterator[Path]:
    """Every model file under ``root``, in sorted path order."""
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(part.startswith(".") or part in _SKIPPED_DIRS for part in parts):
            continue
        if not path.is_file() or path.suffix not in _SUFFIXES:
            continue
        if path.name.endswith(".d.ts") or path.name == "__init__.py":
            continue
        yield path


def _root(path: str | Path | None) -> Path:
    configured = path is None
    root = Path(get_config().query_builder.models_path if path is None else path)
    if not root.is_dir():
        how = (
            "set query_builder.models_path in the configuration"
            if configured
            else "pass the folder holding your models"
        )
        raise SchemaError(
            f"models folder {str(root)!r} is not a folder or does not exist (resolved: "
            f"{root.resolve()}); {how} (query_builder.models_path, default 'app/models')"
        )
    return root


def _check_duplicate(
    found: Mapping[str, tuple[ModelDefinition, Path]], definition: ModelDefinition, file: Path
) -> None:
    if definition.name in found:
        other = found[definition.name][1]
        raise SchemaError(
            f"model {definition.name!r} is defined twice: in {other} and in {file}; "
            "model names must be unique — rename or remove one"
        )


def _load_file(file: Path, registry: Registry) -> list[ModelDefinition]:
    try:
        if file.suffix == ".py":
            return _load_python(file, registry)
        text = file.read_text(encoding="utf-8")
        objects = _objects(file, text)
        default = {"name": file.stem} if len(objects) == 1 else {}
        return [
            parse_stacks_model(_with_defaults(obj, default, file), source=str(file))
            for obj in objects
        ]
    except SchemaError as exc:
        if str(file) in str(exc):
            raise
        raise SchemaError(f"{file}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{file}: cannot read the model file: {exc}") from exc


def _objects(file: Path, text: str) -> list[Any]:
    if file.suffix in (".ts", ".js"):
        return [parse_model_file(text, source=str(file))]
    data = _json(file, text) if file.suffix == ".json" else _yaml(file, text)
    return list(data) if isinstance(data, list) else [data]


def _with_defaults(obj: Any, default: Mapping[str, Any], file: Path) -> Any:
    if not isinstance(obj, Mapping):
        raise SchemaError(f"{file}: expected a model object, got {type(obj).__name__} {obj!r}")
    return {**default, **obj} if "name" not in obj else obj


def _json(file: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{file}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


def _yaml(file: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(file)
        problem = getattr(exc, "problem", None) or exc
        raise SchemaError(f"{where}: invalid YAML: {problem}") from exc


def _load_python(file: Path, registry: Registry) -> list[ModelDefinition]:
    """Import ``file``; what it registered (globally or into ``registry``) plus its ``MODELS``."""
    watched = {id(r): r for r in (registry, get_registry())}.values()
    before = {id(d) for r in watched for d in r.models}
    module = _import(file)
    registered = {d.name: d for r in watched for d in r.models if id(d) not in before}
    for obj in _python_models(module, file):
        definition = parse_stacks_model(obj, source=str(file))
        if definition.name in registered:
            raise SchemaError(f"{file}: model {definition.name!r} is defined twice in this file")
        registered[definition.name] = definition
    return list(registered.values())


def _python_models(module: Any, file: Path) -> list[Any]:
    models = getattr(module, "MODELS", [])
    if not isinstance(models, list | tuple):
        raise SchemaError(f"{file}: MODELS must be a list of Stacks model dicts")
    return list(models)


def _import(file: Path) -> Any:
    digest = hashlib.sha1(str(file.resolve()).encode(), usedforsecurity=False).hexdigest()[:12]
    name = f"_dynamodb_tooling_models_{digest}_{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise SchemaError(f"{file}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so dataclasses, typing and pickling can find the module
    try:
        spec.loader.exec_module(module)
    except SchemaError:
        sys.modules.pop(name, None)
        raise
    except Exception as exc:
        sys.modules.pop(name, None)
        raise SchemaError(f"{file}: importing the model module failed: {exc!r}") from exc
    return module
