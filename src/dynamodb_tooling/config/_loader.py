"""Where configuration comes from, and how the layers are merged and validated.

Layers, later wins: built-in defaults → ``dbtooling.toml`` (or ``[tool.dbtooling]`` in
``pyproject.toml``) → its ``[env.<name>]`` table for the selected environment → a ``.env`` file →
``DBTOOLING_*`` environment variables → ``set_config(...)`` at run time.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_snake

from dynamodb_tooling.config._schema import Config
from dynamodb_tooling.errors import ConfigError

ENV_PREFIX = "DBTOOLING_"
ENV_NESTING = "__"
#: Variables that steer loading or tooling rather than set an option (the last two steer the
#: test fixtures: the opt-in to a non-local endpoint and the suite's execution form, see
#: ``dynamodb_tooling.testing.plugin``).
_CONTROL_VARIABLES = {
    "DBTOOLING_ENV",
    "DBTOOLING_CONFIG",
    "DBTOOLING_DOTENV",
    "DBTOOLING_TEST_ALLOW_REMOTE",
    "DBTOOLING_TEST_EXECUTION",
}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; nested mappings merge, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _model_of(model: type[BaseModel], field: str) -> type[BaseModel] | None:
    annotation = model.model_fields[field].annotation
    for candidate in getattr(annotation, "__args__", (annotation,)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def normalize_keys(raw: Mapping[str, Any], model: type[BaseModel] = Config) -> dict[str, Any]:
    """Rename camelCase or aliased keys to field names, so layers written either way merge."""
    by_spelling: dict[str, str] = {}
    for name, info in model.model_fields.items():
        by_spelling[name] = name
        by_spelling[to_snake(name)] = name
        if info.alias:
            by_spelling[info.alias] = name
    result: dict[str, Any] = {}
    for key, value in raw.items():
        name = by_spelling.get(key) or by_spelling.get(to_snake(key), key)
        nested = _model_of(model, name) if name in model.model_fields else None
        if nested is not None and isinstance(value, Mapping):
            value = normalize_keys(value, nested)
        result[name] = value
    return result


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest ``dbtooling.toml``, or ``pyproject.toml`` with ``[tool.dbtooling]``, upward."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        candidate = folder / "dbtooling.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "dbtooling" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([(str(path), f"is not valid TOML: {exc}")]) from exc


def read_config_file(path: Path) -> dict[str, Any]:
    """The raw configuration table of a ``dbtooling.toml`` or ``pyproject.toml``."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("dbtooling", {})
        return dict(table) if isinstance(table, dict) else {}
    return data


def select_environment(raw: Mapping[str, Any], name: str | None) -> dict[str, Any]:
    """Apply ``[env.<name>]`` over the base table; the ``env`` table itself is dropped."""
    environments = raw.get("env", {})
    base = {k: v for k, v in raw.items() if k != "env"}
    if not name:
        return normalize_keys(base)
    if name not in environments:
        known = ", ".join(sorted(environments)) or "none are defined"
        raise ConfigError([("env", f"unknown environment {name!r} (known: {known})")])
    return deep_merge(normalize_keys(base), normalize_keys(environments[name]))


def environment_names(raw: Mapping[str, Any]) -> list[str]:
    """The names of the ``[env.*]`` tables in a raw configuration."""
    return sorted(raw.get("env", {}))


def _parse_env_value(value: str) -> Any:
    stripped = value.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return value
    return value


def _config_path(parts: list[str]) -> list[str]:
    """Variable name parts → config keys: field names lower-cased, map keys kept as written
    (``TAGS__CostCenter`` → ``tags.CostCenter``); levels below a map key are lower-cased."""
    model: type[BaseModel] | None = Config
    path: list[str] = []
    in_map = False
    for part in parts:
        lowered = part.lower()
        if model is not None and lowered in model.model_fields:
            path.append(lowered)
            nested = _model_of(model, lowered)
            in_map = nested is None
            model = nested
        elif in_map:
            path.append(part)
            in_map = False
        else:
            path.append(lowered)
            model = None
    return path


def overrides_from_environ(environ: Mapping[str, str | None]) -> dict[str, Any]:
    """``DBTOOLING_SINGLE_TABLE_DESIGN__GSI_COUNT=3`` → ``{"single_table_design": {...: "3"}}``."""
    result: dict[str, Any] = {}
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name in _CONTROL_VARIABLES or value is None:
            continue
        parts = _config_path([p for p in name[len(ENV_PREFIX) :].split(ENV_NESTING) if p])
        if not parts:
            continue
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[: depth + 1])
                raise ConfigError(
                    [
                        (
                            where,
                            f"{name} sets a field inside {where}, which another "
                            "DBTOOLING_* variable sets to a plain value",
                        )
                    ]
                )
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise ConfigError(
                [
                    (
                        ".".join(parts),
                        f"{name} sets a plain value for a section "
                        "that other DBTOOLING_* variables fill in",
                    )
                ]
            )
        node[parts[-1]] = _parse_env_value(value)
    return result


def gather_environ(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None
) -> dict[str, str | None]:
    """The process environment layered over a ``.env`` file (the process wins)."""
    environ = os.environ if environ is None else environ
    path = dotenv_path or Path(environ.get("DBTOOLING_DOTENV", ".env"))
    merged: dict[str, str | None] = dict(dotenv_values(path)) if path.is_file() else {}
    merged.update(environ)
    return merged


def load_raw_config(
    path: Path | None = None,
    env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Merge every layer (file, environment table, .env, variables) into one raw mapping."""
    variables = gather_environ(environ)
    explicit = path or (Path(p) if (p := variables.get("DBTOOLING_CONFIG")) else None)
    if explicit is not None and not explicit.is_file():
        raise ConfigError([("DBTOOLING_CONFIG", f"config file {str(explicit)!r} does not exist")])
    file = explicit or find_config_file()
    raw = read_config_file(file) if file else {}
    selected = env or variables.get("DBTOOLING_ENV") or None
    layered = select_environment(raw, selected)
    if selected:
        layered.setdefault("environment", selected)  # what `is_production` and the CLI see
    return deep_merge(layered, normalize_keys(overrides_from_environ(variables)))


def _field_names(model: type[BaseModel]) -> list[str]:
    return [*model.model_fields, *(f.alias for f in model.model_fields.values() if f.alias)]


def _suggestion(loc: tuple[str | int, ...]) -> str:
    """For an unknown key, 'did you mean ...' from the fields at that level."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        if not isinstance(part, str) or part not in model.model_fields:
            return ""
        annotation = model.model_fields[part].annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if a]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return ""
        model = nested[0]
    given = str(loc[-1])
    close = difflib.get_close_matches(given, dict.fromkeys(_field_names(model)), n=3)
    if not close:
        return f"; known options: {', '.join(model.model_fields)}"
    # Every option about as close as the best one (``table_name``: ``table_name_suffix``,
    # ``table_name_prefix`` and ``default_table_name``), not only the first.
    best = difflib.SequenceMatcher(None, given, close[0]).ratio()
    named = [
        repr(name)
        for name in close
        if difflib.SequenceMatcher(None, given, name).ratio() >= best - 0.1
    ]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
    return f"; did you mean {listed}?"


def _problems_from_pydantic(error: PydanticValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for detail in error.errors():
        loc = tuple(to_snake(p) if isinstance(p, str) else p for p in detail["loc"])
        path = ".".join(str(p) for p in loc) or "(root)"
        message = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "unknown option" + _suggestion(loc)
        elif detail["type"] in ("literal_error", "enum"):
            message = f"{detail['input']!r} is not allowed. {message}"
        problems.append((path, message))
    return problems


def validate_raw(raw: Mapping[str, Any]) -> Config:
    """Validate a raw mapping into a :class:`Config`, reporting every problem in one error."""
    try:
        config = Config.model_validate(raw)
    except PydanticValidationError as exc:
        raise ConfigError(_problems_from_pydantic(exc)) from None
    problems = config.problems()
    if problems:
        raise ConfigError(problems)
    return config
