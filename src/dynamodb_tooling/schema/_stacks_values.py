"""Checking Stacks property names and values, with errors naming the model and source."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from dynamodb_tooling.schema.definitions import RawCode
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.naming import is_identifier, snake


@dataclass
class Context:
    """Where we are, for error messages."""

    source: str
    model: str = "<unnamed>"
    notes: list[str] = field(default_factory=list)
    soft_deletes_default: bool = False

    def error(self, message: str) -> SchemaError:
        return SchemaError(f"{self.source}: Stacks model {self.model!r}: {message}")

    def fail(self, message: str) -> NoReturn:
        raise self.error(message)


# Property names.
def canonical(
    data: Mapping[Any, Any],
    known: Sequence[str],
    ignored: Sequence[str],
    aliases: Mapping[str, str],
    where: str,
    ctx: Context,
) -> dict[str, Any]:
    """``data`` keyed by canonical (camelCase) names, in insertion order; unknown keys fail."""
    spellings = {**_spellings((*known, *ignored)), **_spellings(aliases, aliases)}
    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            ctx.fail(f"property names must be strings, got {key!r} {where}")
        canonical = spellings.get(key)
        if canonical is None:
            ctx.fail(_unknown(key, where, spellings, known))
        if canonical in given:
            ctx.fail(f"{given[canonical]!r} and {key!r} {where} set the same property; keep one")
        given[canonical] = key
        if canonical in ignored:
            ctx.notes.append(f"Stacks property {key!r} {where} has no DynamoDB meaning; ignored")
        else:
            out[canonical] = value
    return out


def _spellings(names: Iterable[str], canonical: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each name and its snake_case spelling → its canonical name (itself unless aliased)."""
    table: dict[str, str] = {}
    for name in names:
        target = canonical[name] if canonical is not None else name
        table[name] = target
        table.setdefault(snake(name), target)
    return table


def _unknown(key: str, where: str, spellings: Mapping[str, str], known: Sequence[str]) -> str:
    lowered = {spelling.lower(): spelling for spelling in spellings}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    hint = f"did you mean {lowered[close[0]]!r}?" if close else f"known: {', '.join(known)}"
    return f"unknown property {key!r} {where}; {hint}"


# Values.
def describe(value: Any) -> str:
    if isinstance(value, RawCode):
        return f"code `{value.text}`"
    return f"{type(value).__name__} {value!r}"


def identifier(value: Any, what: str, ctx: Context) -> str:
    if not isinstance(value, str) or not is_identifier(value):
        ctx.fail(f"{what} must be an identifier (letters, digits, _), got {describe(value)}")
    return value


def bool_(value: Any, what: str, ctx: Context) -> bool:
    if not isinstance(value, bool):
        ctx.fail(f"{what} must be true or false, got {describe(value)}")
    return value


def optional_str(value: Any, what: str, ctx: Context) -> str | None:
    if value is not None and not isinstance(value, str):
        ctx.fail(f"{what} must be a string, got {describe(value)}")
    return value


def mapping(value: Any, what: str, ctx: Context) -> Mapping[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        ctx.fail(f"{what} must be an object, got {describe(value)}")
    return value


def list_(value: Any, what: str, ctx: Context) -> Sequence[Any]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        ctx.fail(f"{what} must be a list, got {describe(value)}")
    return value


def shards(value: Any, what: str, ctx: Context) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        ctx.fail(f"{what}: shards must be a whole number ≥ 1, got {describe(value)}")
    return value
