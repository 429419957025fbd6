"""Seeders in dependency order: ``depends_on`` first, a cycle refused with its path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from dynamodb_tooling.factories.errors import SeederError

__all__ = ["in_order"]


def in_order(seeders: Iterable[Any], dependencies: Callable[[Any], Sequence[Any]]) -> list[Any]:
    """``seeders`` and everything they depend on, each after its dependencies (depth first,
    in the order given); a cycle is a :class:`SeederError` naming it."""
    ordered: list[Any] = []
    done: set[Any] = set()

    def visit(seeder: Any, path: tuple[Any, ...]) -> None:
        if seeder in done:
            return
        if seeder in path:
            cycle = " → ".join(s.name for s in (*path[path.index(seeder) :], seeder))
            raise SeederError(
                f"seeders depend on each other in a cycle: {cycle}; remove one of these "
                "depends_on entries"
            )
        for needed in dependencies(seeder):
            visit(needed, (*path, seeder))
        done.add(seeder)
        ordered.append(seeder)

    for seeder in seeders:
        visit(seeder, ())
    return ordered
