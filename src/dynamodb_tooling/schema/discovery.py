"""Find and register every model under ``query_builder.models_path``.

Files are read in sorted path order (deterministic), recursively:

* ``.json`` / ``.yaml`` / ``.yml`` — one Stacks model object or a list of them;
* ``.ts`` / ``.js`` — a Stacks model file, read by :mod:`.ts_literal` (never executed;
  ``.d.ts`` files are skipped);
* ``.py`` — imported: ``Model`` subclasses register themselves, and a module-level
  ``MODELS = [dict, ...]`` of Stacks dicts is registered too.

A Stacks object without ``name`` in a one-model file takes the file's stem (as Stacks does).

Python model modules are imported the way the application imports them, so ordinary
cross-imports (``from app.models.team import Team`` in ``post.py``) give one module and one
class, never a second copy: a module already imported (by the application, or by another model
file) is used as it is; otherwise a file that can be imported by name from ``sys.path`` is
imported by that name; otherwise the models folder is imported as a package of its own (so
relative imports, ``from .team import Team``, work). A model imported by several files is one
model: only two *different* models with the same name are an error.

This module returns definitions (:func:`load_definitions`); the ORM's
``dynamodb_tooling.load_models`` returns the model classes.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import keyword
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
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


@dataclass(frozen=True)
class DiscoveredModel:
    """One model found under the models folder.

    ``data`` is the Stacks object it was parsed from (``.ts``/``.js``/``.json``/``.yaml`` files
    and ``MODELS`` lists); ``model_class`` the class that declared it (Python modules: a class
    with its own ``__definition__``, as ``Model`` subclasses have); neither for a definition a
    module registered directly.
    """

    definition: ModelDefinition
    file: Path
    data: Mapping[str, Any] | None = None
    model_class: type | None = None


def discover(
    path: str | Path | None = None, *, registry: Registry | None = None
) -> list[DiscoveredModel]:
    """Every model under ``path`` (default: the configured ``models_path``), registered into
    ``registry`` (default: the application registry), sorted by name.

    Nothing is registered when a file fails (Python modules imported before the failing file
    have registered their own classes, as importing them does).
    """
    root = _root(path)
    target = registry if registry is not None else get_registry()
    importlib.invalidate_caches()  # files written just now must be found by name
    found: dict[str, DiscoveredModel] = {}
    for file in model_files(root):
        for model in _load_file(file, root, target):
            found[model.definition.name] = _merge(found.get(model.definition.name), model)
    for model in found.values():
        try:
            target.register(model.definition)
        except SchemaError as exc:
            raise SchemaError(f"{model.file}: {exc}") from exc
    return sorted(found.values(), key=lambda m: m.definition.name)


def load_definitions(
    path: str | Path | None = None, *, registry: Registry | None = None
) -> list[ModelDefinition]:
    """Register every model found under ``path`` (default: the configured ``models_path``).

    Returns the definitions loaded, sorted by name (``dynamodb_tooling.load_models`` returns
    the model classes).

    >>> load_definitions("app/models", registry=Registry())  # doctest: +SKIP
    [ModelDefinition(name='Post', ...), ModelDefinition(name='User', ...)]
    """
    return [model.definition for model in discover(path, registry=registry)]


#: The definitions-level name of earlier releases (the ORM's ``load_models`` returns classes).
load_models = load_definitions


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


def _merge(known: DiscoveredModel | None, model: DiscoveredModel) -> DiscoveredModel:
    """``model``, or the one already found when both are the same model (one class imported by
    several files); two different models with one name are an error naming both files."""
    if known is None:
        return model
    same_class = known.model_class is not None and known.model_class is model.model_class
    if not (same_class or known.definition is model.definition):
        raise SchemaError(
            f"model {model.definition.name!r} is defined twice: in {known.file} and in "
            f"{model.file}; model names must be unique — rename or remove one"
        )
    model_class = known.model_class or model.model_class
    file = model.file if _defines(model.file, model_class) else known.file
    return replace(known, file=file, model_class=model_class)


def _defines(file: Path, model_class: type | None) -> bool:
    """Whether ``model_class`` is declared in ``file`` (rather than imported into it)."""
    module = sys.modules.get(model_class.__module__) if model_class is not None else None
    where = getattr(module, "__file__", None)
    return isinstance(where, str) and _same_file(where, file.resolve())


def _load_file(file: Path, root: Path, registry: Registry) -> list[DiscoveredModel]:
    try:
        if file.suffix == ".py":
            return _load_python(file, root, registry)
        text = file.read_text(encoding="utf-8")
        objects = _objects(file, text)
        default = {"name": file.stem} if len(objects) == 1 else {}
        return [
            _stacks_model(_with_defaults(obj, default, file), file, registry) for obj in objects
        ]
    except SchemaError as exc:
        if str(file) in str(exc):
            raise
        raise SchemaError(f"{file}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{file}: cannot read the model file: {exc}") from exc


def _stacks_model(obj: Mapping[str, Any], file: Path, registry: Registry) -> DiscoveredModel:
    soft = registry.config.query_builder.soft_deletes.enabled
    definition = parse_stacks_model(obj, source=str(file), soft_deletes_default=soft)
    return DiscoveredModel(definition, file, data=obj)


def _objects(file: Path, text: str) -> list[Any]:
    if file.suffix in (".ts", ".js"):
        return [parse_model_file(text, source=str(file))]
    data = _json(file, text) if file.suffix == ".json" else _yaml(file, text)
    return list(data) if isinstance(data, list) else [data]


def _with_defaults(obj: Any, default: Mapping[str, Any], file: Path) -> Mapping[str, Any]:
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


# Python model modules.
def _load_python(file: Path, root: Path, registry: Registry) -> list[DiscoveredModel]:
    """The models of ``file``: the model classes it declares, what importing it registered
    (globally or into ``registry``), and its ``MODELS`` Stacks dicts."""
    watched = {id(r): r for r in (registry, get_registry())}.values()
    before = {id(d) for r in watched for d in r.models}
    modules_before = set(sys.modules)
    module = _import(file, root)
    new_modules = [
        m
        for n in sys.modules.keys() - modules_before
        if isinstance(m := sys.modules[n], ModuleType)
    ]
    registered = [d for r in watched for d in r.models if id(d) not in before]
    # Classes by definition: the module's own, and those of the modules it imported first.
    classes = {id(c.__definition__): c for c in _model_classes(module, own=True)}
    for other in new_modules:
        if other is not module:
            classes.update((id(c.__definition__), c) for c in _model_classes(other, own=True))
    found: dict[str, DiscoveredModel] = {}
    for cls in _model_classes(module, own=True):
        found[cls.__definition__.name] = DiscoveredModel(cls.__definition__, file, None, cls)
    for definition in registered:
        if definition.name not in found:
            found[definition.name] = DiscoveredModel(
                definition, file, None, classes.get(id(definition))
            )
    for obj in _python_models(module, file):
        model = _stacks_model(obj, file, registry)
        if model.definition.name in found:
            raise SchemaError(
                f"{file}: model {model.definition.name!r} is defined twice in this file"
            )
        found[model.definition.name] = model
    return list(found.values())


def _model_classes(module: ModuleType, *, own: bool) -> list[Any]:
    """The model classes in ``module``'s namespace (with ``own``: declared by the module)."""
    out = []
    for value in list(vars(module).values()):
        if not isinstance(value, type):
            continue
        definition = value.__dict__.get("__definition__")
        if not isinstance(definition, ModelDefinition):
            continue
        if own and value.__module__ != module.__name__:
            continue
        out.append(value)
    return out


def _python_models(module: ModuleType, file: Path) -> list[Any]:
    models = getattr(module, "MODELS", [])
    if not isinstance(models, list | tuple):
        raise SchemaError(f"{file}: MODELS must be a list of Stacks model dicts")
    return list(models)


def _import(file: Path, root: Path) -> ModuleType:
    """``file`` as a module, imported once whatever imports it (see the module docstring)."""
    resolved = file.resolve()
    module = _already_imported(resolved)
    if module is not None:
        return module
    try:
        name = _importable_name(resolved) or _package_name(resolved, root.resolve())
        if name is not None:
            return importlib.import_module(name)
        return _import_by_path(file, resolved)
    except SchemaError:
        raise
    except Exception as exc:
        raise SchemaError(f"{file}: importing the model module failed: {exc!r}") from exc


def _same_file(where: str, resolved: Path) -> bool:
    return os.path.basename(where) == resolved.name and Path(where).resolve() == resolved


def _already_imported(resolved: Path) -> ModuleType | None:
    for module in list(sys.modules.values()):
        where = getattr(module, "__file__", None)
        if isinstance(where, str) and _same_file(where, resolved):
            return module
    return None


def _dotted(parts: tuple[str, ...]) -> str | None:
    if parts and all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return ".".join(parts)
    return None


def _importable_name(resolved: Path) -> str | None:
    """The name ``import`` finds ``resolved`` by from ``sys.path`` (in ``sys.path`` order), if
    any: the name the application's own imports of it use."""
    for entry in list(sys.path):
        try:
            relative = resolved.relative_to(Path(entry or os.getcwd()).resolve())
        except (ValueError, OSError):
            continue
        name = _dotted((*relative.parent.parts, relative.stem))
        if name is None:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except Exception:  # a parent package failing to import: try the next entry
            continue
        origin = spec.origin if spec is not None else None
        if origin is not None and Path(origin).resolve() == resolved:
            return name
    return None


def _package_name(resolved: Path, root: Path) -> str | None:
    """``resolved`` inside a package made of the models folder (created once per folder), so
    modules importing each other relatively (``from .team import Team``) share one module."""
    relative = resolved.relative_to(root)
    parts = _dotted((*relative.parent.parts, relative.stem))
    if parts is None:
        return None
    digest = hashlib.sha1(str(root).encode(), usedforsecurity=False).hexdigest()[:12]
    package = f"_dynamodb_tooling_models_{digest}"
    if package not in sys.modules:
        spec = importlib.util.spec_from_loader(package, loader=None, is_package=True)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        module.__path__ = [str(root)]
        sys.modules[package] = module
    return f"{package}.{parts}"


def _import_by_path(file: Path, resolved: Path) -> ModuleType:
    """A file whose name is not an identifier (``blog-post.py``), under a name of its own."""
    digest = hashlib.sha1(str(resolved).encode(), usedforsecurity=False).hexdigest()[:12]
    name = (
        f"_dynamodb_tooling_models_{digest}_{''.join(c if c.isalnum() else '_' for c in file.stem)}"
    )
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise SchemaError(f"{file}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so dataclasses, typing and pickling can find the module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
