"""Seed test data through factories: ``seed(User, 5)`` or ``seed(UserFactory().count(5))``.

>>> users = seed(User, 3, team_id=team.id)          # doctest: +SKIP
>>> admin = seed(User.factory().admin())            # doctest: +SKIP

Everything is written with the factory's ``create()`` (batched, concurrent writes), so
relationships (``for_``, ``has``), states and sequences work as they do in seeders.
"""

from __future__ import annotations

from typing import Any, overload

from dynamodb_tooling.factories import Factory

__all__ = ["seed"]


@overload
def seed(what: Factory[Any], /, **overrides: Any) -> Any: ...


@overload
def seed(what: type[Any], count: int | None = None, /, **overrides: Any) -> Any: ...


def seed(what: Any, count: int | None = None, /, **overrides: Any) -> Any:
    """Create ``count`` models (one when ``None``: that model, else a list) of a model class
    through its factory, or whatever a factory builder describes; ``overrides`` are values
    every created model gets. Returns what ``create()`` returns."""
    if isinstance(what, Factory):
        if count is not None:
            raise TypeError(
                f"seed({type(what).__name__}(...), {count}): a factory says its own count; "
                f"write seed(factory.count({count}))"
            )
        return what.create(**overrides)
    factory_of = getattr(what, "factory", None)
    if not isinstance(what, type) or factory_of is None:
        raise TypeError(
            f"seed() takes a model class or a factory, got {what!r}; write seed(User, 5) or "
            "seed(User.factory().count(5))"
        )
    if count is not None and count < 1:
        raise ValueError(f"seed({what.__name__}, {count}): count must be 1 or more")
    factory = factory_of()
    if count is not None:
        return list(factory.count(count).create(**overrides))
    return factory.create(**overrides)
