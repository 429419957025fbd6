"""Which factory class is a model's ``Model.factory()``.

``class UserFactory(Factory[User])`` registers itself (the first factory of a model is its
default; a module imported again, or ``register_factory(cls)`` called explicitly, replaces it;
``register = False`` on the class keeps it out). :func:`load_factories` imports every module of
``query_builder.factories_path`` so their factories register.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.config import get_config
from dynamodb_tooling.factories._imports import import_folder

if TYPE_CHECKING:
    from dynamodb_tooling.factories.factory import Factory

__all__ = ["load_factories", "register_factory", "registered_factory"]

_LOCK = threading.Lock()
_BY_MODEL: weakref.WeakKeyDictionary[type, type[Factory[Any]]] = weakref.WeakKeyDictionary()


def register_factory(factory: type[Factory[Any]], *, replace: bool = False) -> None:
    """Make ``factory`` its model's ``Model.factory()`` (a model's first factory is; a later
    one only with ``replace=True`` or when it is the same class re-imported)."""
    model = factory.model
    with _LOCK:
        known = _BY_MODEL.get(model)
        same = known is not None and (known.__module__, known.__qualname__) == (
            factory.__module__,
            factory.__qualname__,
        )
        if known is None or replace or same:
            _BY_MODEL[model] = factory


def registered_factory(model: type[Any]) -> type[Factory[Any]] | None:
    """The factory class registered for ``model`` (or for the nearest model it subclasses)."""
    for klass in model.__mro__:
        found = _BY_MODEL.get(klass)
        if found is not None:
            return found
    return None


def load_factories(path: str | Path | None = None) -> list[type[Factory[Any]]]:
    """Import every factory module under ``path`` (default ``query_builder.factories_path``);
    returns the factories registered afterwards, by name."""
    folder = Path(get_config().query_builder.factories_path if path is None else path)
    import_folder(folder, what="factories", setting="query_builder.factories_path")
    with _LOCK:
        return sorted(_BY_MODEL.values(), key=lambda f: f.__name__)
