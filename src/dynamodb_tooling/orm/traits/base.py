"""Writing your own trait (Eloquent's ``bootTrait``/``initializeTrait`` conventions).

A trait is a mixin class deriving from :class:`Trait`. Attributes it annotates become
attributes of every model that uses it; ``boot(model)`` runs once for each model class that
uses the trait (register hooks, global scopes ...); ``initialize()`` runs for every new
instance (in the constructor, after defaults — not for instances loaded from the table: use the
``retrieved`` event for those)::

    class HasSlug(Trait):
        slug: str | None = None

        @classmethod
        def boot(cls, model: type[Model]) -> None:
            model.add_hook("saving", lambda item: item.fill_slug())

        def fill_slug(self) -> None:
            if not self.slug:
                self.slug = slugify(self.title)

    class Post(Model, HasSlug):
        title: str

The built-in traits are keywords (``timestamps=True``, ``soft_deletes=True``, ``versioning=True``,
``ttl=True``, ``uuid=True``) because they change the keys, indexes and writes the library
derives; a user trait works above that, with attributes, events and scopes.
"""

from __future__ import annotations

from typing import Any


class Trait:
    """Base of user-written traits; see the module docstring."""

    __slots__ = ()

    @classmethod
    def boot(cls, model: type[Any]) -> None:
        """Called once for each model class that uses this trait (default: nothing)."""

    def initialize(self) -> None:
        """Called for each new instance of a model using this trait (default: nothing)."""


def boot_traits(model: type[Any]) -> tuple[Any, ...]:
    """Boot every trait ``model`` uses (bases first), each once per model class; returns the
    ``initialize`` functions its new instances run, in the same order."""
    initializers = []
    for klass in reversed(model.__mro__):
        if not isinstance(klass, type) or klass is Trait or not issubclass(klass, Trait):
            continue
        if "boot" in klass.__dict__:
            klass.__dict__["boot"].__get__(None, klass)(model)
        if "initialize" in klass.__dict__:
            initializers.append(klass.__dict__["initialize"])
    return tuple(initializers)
