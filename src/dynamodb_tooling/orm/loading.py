"""``load_models(path)`` and ``get_model(name)``: model classes for every kind of model.

>>> Post, Team, User = load_models("app/models")  # doctest: +SKIP
>>> get_model("Comment").where("post_id", post.id).get()  # doctest: +SKIP

``load_models`` discovers the models under a folder (see :mod:`dynamodb_tooling.schema.discovery`
for the file kinds and how Python modules are imported), registers them, and returns one
``Model`` class per model, sorted by name:

* a class declared in a Python module is returned as it is (the very class
  ``from app.models.team import Team`` gives);
* a Stacks model (``.ts``/``.js``/``.json``/``.yaml`` file, or a dict in a module's ``MODELS``)
  becomes a class as :func:`define_model` makes it, its relations as relation attributes.

Loading the same folder again returns the same classes. ``get_model(name)`` returns the class
of a registered model, whichever way it was declared.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

from dynamodb_tooling.orm.define import model_from_definition
from dynamodb_tooling.orm.model import Model
from dynamodb_tooling.schema import ModelDefinition, Registry, get_registry
from dynamodb_tooling.schema.discovery import DiscoveredModel, discover

__all__ = ["get_model", "load_models"]


def load_models(
    path: str | Path | None = None, *, registry: Registry | None = None
) -> list[type[Model]]:
    """Register every model under ``path`` (default: the configured
    ``query_builder.models_path``) into ``registry`` (default: the application registry) and
    return their classes, sorted by model name.

    Raises :class:`SchemaError` naming the file for a model that cannot be read, and
    registers nothing then.
    """
    target = registry if registry is not None else get_registry()
    return [_class_of(found, target) for found in discover(path, registry=target)]


def get_model(name: str, *, registry: Registry | None = None) -> type[Model]:
    """The ``Model`` class of the model registered as ``name`` (in ``registry``, default the
    application registry): the class that declared it, or the one :func:`load_models` returned;
    a model registered without a class (``register_stacks_model``, the schema-level discovery)
    gets one, made once.

    Raises :class:`SchemaError` listing the registered names when there is no such model.
    """
    target = registry if registry is not None else get_registry()
    definition = target.model(name)
    with _LOCK:
        found = _CLASSES.get(target, definition)
        if found is None:
            found = _declared(target, definition)
        if found is None:
            found = model_from_definition(definition, registry=target, module=__name__)
        _CLASSES.put(target, found)
        return found


def _class_of(found: DiscoveredModel, registry: Registry) -> type[Model]:
    cls = found.model_class
    with _LOCK:
        if isinstance(cls, type) and issubclass(cls, Model):
            model = cls
        else:
            model = _CLASSES.get(registry, found.definition) or model_from_definition(
                found.definition, registry=registry, module=__name__
            )
        _CLASSES.put(registry, model)
        return model


def _declared(registry: Registry, definition: ModelDefinition) -> type[Model] | None:
    """The newest ``Model`` subclass bound to ``registry`` that declared ``definition``."""
    found: type[Model] | None = None
    pending: list[type[Model]] = list(Model.__subclasses__())
    seen: set[int] = set()
    while pending:
        cls = pending.pop(0)
        if id(cls) in seen:
            continue
        seen.add(id(cls))
        pending.extend(cls.__subclasses__())
        own = cls.__dict__
        if own.get("__registry__") is registry and own.get("__definition__") is definition:
            found = cls
    return found


class _ClassMap:
    """Per registry, the class of each model name; held weakly (a registry or class that is
    gone takes its entries with it)."""

    def __init__(self) -> None:
        self._maps: dict[int, tuple[weakref.ref[Registry], dict[str, weakref.ref[type[Model]]]]]
        self._maps = {}

    def get(self, registry: Registry, definition: ModelDefinition) -> type[Model] | None:
        entry = self._maps.get(id(registry))
        if entry is None or entry[0]() is not registry:
            return None
        ref = entry[1].get(definition.name)
        cls = ref() if ref is not None else None
        # The class of the model as registered now (a replaced model gets a new class).
        if cls is None or (
            cls.__definition__ is not definition and cls.__definition__ != definition
        ):
            return None
        return cls

    def put(self, registry: Registry, cls: type[Model]) -> None:
        key = id(registry)
        entry = self._maps.get(key)
        if entry is None or entry[0]() is not registry:
            entry = (weakref.ref(registry, lambda _: self._maps.pop(key, None)), {})
            self._maps[key] = entry
        entry[1][cls.__definition__.name] = weakref.ref(cls)


_LOCK = threading.RLock()
_CLASSES = _ClassMap()
