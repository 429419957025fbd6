"""``factory_for(model)``: what ``Model.factory()`` returns (installed by the package root).

The registered factory (:mod:`.registry`), else a factory generated for the model: its
``definition()`` is the base one (values from the attribute types and rules, and a Stacks
``factory`` function where it can be read; see :mod:`.generated` and :mod:`.stacks`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from dynamodb_tooling.factories.errors import FactoryError
from dynamodb_tooling.factories.factory import Factory
from dynamodb_tooling.factories.registry import registered_factory

__all__ = ["factory_for", "generated_factory"]

T = TypeVar("T")


def factory_for(model: type[T]) -> Factory[Any]:
    """A new factory of ``model``: its registered factory class, else a generated one."""
    if not hasattr(model, "__definition__"):
        raise FactoryError(f"factory_for() takes a Model class, not {model!r}")
    found = registered_factory(model) or generated_factory(model)
    return found()


def generated_factory(model: type[Any]) -> type[Factory[Any]]:
    """A factory class for ``model`` with the base ``definition()`` (not registered)."""
    return type(f"{model.__name__}Factory", (Factory,), {"model": model, "register": False})
