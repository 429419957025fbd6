"""Guarding: which attributes mass assignment may set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

from dynamodb_tooling.orm.concerns.change_tracking import ModelState
from dynamodb_tooling.query._guard import protected_names, refuse_guarded
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    ModelInfo,
)


class GuardsAttributes:
    """Mass-assignment protection (Eloquent's ``$fillable``/``$guarded``): the constructor,
    ``create``, ``update``, ``fill`` and ``first_or_create`` refuse guarded attributes;
    ``force_fill``/``force_create`` bypass it for trusted values."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        @classmethod
        def _transformer(cls) -> EntityTransformer: ...

        @property
        def _state(self) -> ModelState: ...

        def _assign(self, values: Mapping[str, Any]) -> None: ...

    @classmethod
    def _check_names(cls, values: Mapping[str, Any]) -> None:
        """Unknown names are refused with a did-you-mean, before any request."""
        name = cls.__definition__.name
        if not ModelInfo.of(cls.__registry__, name).allowed.issuperset(values):
            cls._transformer()._check_names(name, values)

    @classmethod
    def _guard(cls, values: Mapping[str, Any]) -> None:
        """Refuse unknown names, then guarded / non-fillable attributes (Eloquent's
        ``$guarded``): mass assignment must not set them."""
        cls._check_names(values)
        definition = cls.__definition__
        if not protected_names(definition).isdisjoint(values):
            via = f"{definition.name}(...), create(), update() and fill()"
            refuse_guarded(definition, values, via=via)

    def fill(self, **values: Any) -> Self:
        """Set fillable attributes without saving (guarded ones are refused)."""
        type(self)._guard(values)
        self._assign(values)  # through mutators and casts, as assignment
        return self

    def force_fill(self, **values: Any) -> Self:
        """Set attributes without saving, guarded ones included (unknown names are still
        refused): for trusted values only, never for request input."""
        type(self)._check_names(values)
        self._assign(values)
        return self
