"""``Model.factory()`` and ``Model.fake()``: a model's factory (Laravel's ``HasFactory``).

Factories live in a higher layer (:mod:`dynamodb_tooling.factories`, which the ORM must not
import), so the lookup is installed from outside, as the default executor is: the package root
calls :func:`install_factory_resolver` with the factories layer's ``factory_for``. Without it
(the ORM used alone) ``factory()`` says what to import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from dynamodb_tooling.errors import QueryError

__all__ = ["HasFactory", "install_factory_resolver"]

#: ``(model class) -> factory``: what ``Model.factory()`` asks.
FactoryResolver = Callable[[type[Any]], Any]

_resolver: FactoryResolver | None = None


def install_factory_resolver(resolver: FactoryResolver) -> None:
    """Set how ``Model.factory()`` finds a model's factory (the package root installs
    :func:`dynamodb_tooling.factories.factory_for`)."""
    global _resolver
    _resolver = resolver


class HasFactory:
    """Mixed into :class:`~dynamodb_tooling.orm.model.Model`; see the module docstring."""

    __slots__ = ()

    @classmethod
    def factory(cls, count: int | None = None, **state: Any) -> Any:
        """This model's factory: the registered ``Factory[Model]`` subclass, else one
        generated from the attribute types and validation rules.

        >>> User.factory().count(3).create()  # doctest: +SKIP
        >>> User.factory(role="admin").make()  # doctest: +SKIP
        """
        if _resolver is None:
            raise QueryError(
                f"{cls.__name__}.factory(): no factory lookup is installed; import "
                "dynamodb_tooling (it installs dynamodb_tooling.factories.factory_for)"
            )
        found = _resolver(cls)
        if count is not None:
            found = found.count(count)
        return found.state(**state) if state else found

    @classmethod
    def fake(cls, **overrides: Any) -> Self:
        """One unsaved instance with fake values (``User.factory().make(**overrides)``)."""
        made: Self = cls.factory().make(**overrides)
        return made
