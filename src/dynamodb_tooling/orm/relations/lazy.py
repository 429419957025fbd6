"""Lazy loading: a relation read before it was loaded is loaded then, once — unless lazy
loading is prevented (Laravel's ``Model::preventLazyLoading()``, to catch N+1 in tests), or
the read happens inside a running event loop (a blocking load would stall it).

>>> prevent_lazy_loading()              # from now on (e.g. in conftest.py)  # doctest: +SKIP
>>> with prevent_lazy_loading():        # or for a block                       # doctest: +SKIP
...     post.user                       # LazyLoadingViolationError
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.orm.relations.base import (
    LazyLoadingViolationError,
    RelationNotLoadedError,
    is_loaded,
    loaded_value,
    set_loaded,
)
from dynamodb_tooling.query.results import Collection

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.base import Relation

_prevented: ContextVar[bool | None] = ContextVar("dbtooling_lazy_loading_prevented", default=None)
_prevented_globally = False


class prevent_lazy_loading:  # noqa: N801 - used like a function, as Laravel's is
    """Refuse lazy loads (:class:`LazyLoadingViolationError`): called, for the rest of the
    process (``prevent_lazy_loading(False)`` allows them again); used with ``with``, for
    the block only."""

    def __init__(self, prevent: bool = True) -> None:
        global _prevented_globally
        self._prevent = prevent
        self._token: Token[bool | None] | None = None
        self._previous = _prevented_globally
        _prevented_globally = prevent

    def __enter__(self) -> prevent_lazy_loading:
        global _prevented_globally
        _prevented_globally = self._previous  # the block's setting is its own
        self._token = _prevented.set(self._prevent)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _prevented.reset(self._token)


def lazy_loading_prevented() -> bool:
    """Whether lazy loads are refused here."""
    local = _prevented.get()
    return _prevented_globally if local is None else local


def loaded_or_load(relation: Relation[Any], parent: Model) -> Any:
    """``parent``'s value of ``relation``: the loaded one, or loaded now (once)."""
    name = relation.name
    if is_loaded(parent, name):
        return loaded_value(parent, name)
    empty = _nothing_to_load(relation, parent)
    if empty is not _LOAD:
        return empty
    check_lazy_load(relation, parent)
    executor = type(parent).query()._executor()
    return executor.run(relation.get_results(parent))


_LOAD = object()


def _nothing_to_load(relation: Relation[Any], parent: Model) -> Any:
    """The value without a request when there is nothing to read: an unsaved parent has no
    children, a child without a foreign key has no parent. Otherwise ``_LOAD``."""
    from dynamodb_tooling.orm.relations.belongs_to import BelongsTo
    from dynamodb_tooling.orm.relations.morph_to import MorphTo

    if isinstance(relation, MorphTo):
        if getattr(parent, relation.link_of.id_attribute) is None:
            set_loaded(parent, relation.name, None)
            return None
        return _LOAD
    if isinstance(relation, BelongsTo):
        if getattr(parent, relation.key_name) is None:
            set_loaded(parent, relation.name, None)
            return None
        return _LOAD
    if parent.get_key() is None or not parent.exists:
        value: Any = Collection([]) if relation.many else None
        return value
    return _LOAD


def check_lazy_load(relation: Relation[Any], parent: Model) -> None:
    """Refuse a lazy load when prevented or inside a running event loop."""
    owner = type(parent).__name__
    name = relation.name
    if lazy_loading_prevented():
        raise LazyLoadingViolationError(
            f"lazy loading {owner}.{name} is prevented (prevent_lazy_loading): this is an "
            f"N+1 query; eager-load it with {owner}.with_({name!r}) or load it with "
            f"{_var(owner)}.load({name!r})"
        )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RelationNotLoadedError(
        f"{owner}.{name} is not loaded, and loading it here would block the running event "
        f"loop; use `await {_var(owner)}.aload({name!r})` (then {_var(owner)}.{name}), "
        f"`await {_var(owner)}.{name}.aget()`, or eager-load it: {owner}.with_({name!r})"
    )


def _var(model: str) -> str:
    return model[:1].lower() + model[1:]
