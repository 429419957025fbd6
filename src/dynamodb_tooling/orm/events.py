"""Model events (Eloquent's model events and observers).

Every persistence method fires a "before" event and an "after" event around its write:

=================  ======================  ====================================
method             before (may cancel)     after
=================  ======================  ====================================
``save`` (new)     saving, creating        created, saved
``save`` (stored)  saving, updating        updated, saved
``delete``         deleting                deleted
``force_delete``   force_deleting,         deleted, force_deleted
                   deleting
``restore``        restoring               restored
``increment``      updating                updated
``touch``          saving, updating        updated, saved
``replicate``      replicating (the copy)  —
loading            —                       retrieved
=================  ======================  ====================================

A "before" listener that returns ``False`` cancels the operation: nothing is written and the
instance is left as it was (``exists`` still ``False`` for a cancelled create). An exception
raised by a listener propagates, also with nothing written.

Listeners come from four places, called in this order:

1. methods of the model decorated with :func:`hook` (``@hook("creating")``), base classes
   first;
2. functions registered with ``User.add_hook("creating", fn)`` or ``@User.on("creating")``,
   and observers registered with ``User.observe(UserObserver())`` (any object with methods
   named after events), in registration order, base classes first;
3. the configuration's ``query_builder.hooks.models.<Model>`` import paths;
4. the configuration's ``query_builder.hooks.global`` import paths.

A listener takes the instance (``fn(user)``); a method hook is called on the instance. Async
listeners (``async def``) run in the ``a``-prefixed twins (``await user.asave()``); the sync
methods refuse them with a clear error rather than leave a coroutine un-awaited.

``with without_events():`` mutes every model's events in the block (this thread or task only);
``with User.without_events():`` mutes one model (and its subclasses). ``save_quietly()`` and
friends save without events. Builder bulk writes (``User.where(...).update(...)``) fire no
model events, as in Eloquent; see ``QueryBuilder.update``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, TypeVar, get_args

from dynamodb_tooling.config import HookEvent
from dynamodb_tooling.errors import ConfigError, QueryError

if TYPE_CHECKING:
    from dynamodb_tooling.config import Config

#: The model events (the names ``query_builder.hooks`` accepts too).
Event = HookEvent
EVENTS: Final[tuple[str, ...]] = get_args(Event)
#: Events a listener can cancel by returning ``False``.
CANCELLABLE: Final = frozenset(
    {"creating", "updating", "saving", "deleting", "restoring", "force_deleting"}
)

F = TypeVar("F", bound=Callable[..., Any])
Listener = Callable[[Any], Any]

_HOOK_MARK = "__dbtooling_events__"
_lock = threading.Lock()
_generation = 0
_cache: dict[tuple[type, str, int, int], tuple[Listener, ...]] = {}
_imported: dict[str, Listener] = {}
#: Whether any ``retrieved`` listener was declared in code (hydration skips the lookup until
#: one is), and per configuration whether it configures one.
_retrieved_declared = False
_retrieved_configured: dict[int, bool] = {}
#: Whether any listener at all was declared in code, and per configuration whether it
#: configures hooks: until then a write fires nothing (and spends nothing on it).
_any_declared = False
_any_configured: dict[int, bool] = {}
#: ``True`` mutes every model; a tuple of classes mutes those (and their subclasses).
_muted: ContextVar[bool | tuple[type, ...]] = ContextVar("dbtooling_muted_events", default=())


def _check_event(event: str, where: str) -> None:
    if event not in EVENTS:
        import difflib

        close = difflib.get_close_matches(event, EVENTS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise QueryError(
            f"{where}: {event!r} is not a model event{hint} (events: {', '.join(EVENTS)})"
        )


def hook(*events: Event) -> Callable[[F], F]:
    """Mark a model method as a listener of ``events``::

    class User(Model):
        @hook("creating", "updating")
        def normalise(self) -> None:
            self.email = self.email.lower()
    """
    for event in events:
        _check_event(event, "@hook(...)")
    if not events:
        raise QueryError("@hook(...) needs at least one event name, e.g. @hook('creating')")

    if "retrieved" in events:
        _declare_retrieved()
    _declare_any()

    def mark(function: F) -> F:
        existing = getattr(function, _HOOK_MARK, ())
        setattr(function, _HOOK_MARK, (*existing, *events))
        return function

    return mark


def _declare_retrieved() -> None:
    global _retrieved_declared
    _retrieved_declared = True


def _declare_any() -> None:
    global _any_declared
    _any_declared = True


def may_fire(config: Config) -> bool:
    """A cheap upper bound of "some listener exists" (checked once per write)."""
    if _any_declared:
        return True
    found = _any_configured.get(id(config))
    if found is None:
        hooks = config.query_builder.hooks
        found = bool(hooks.global_) or any(hooks.models.values())
        _any_configured[id(config)] = found
    return found


def may_fire_retrieved(config: Config) -> bool:
    """A cheap upper bound of "a ``retrieved`` listener exists" (one per hydrated row)."""
    if _retrieved_declared:
        return True
    found = _retrieved_configured.get(id(config))
    if found is None:
        hooks = config.query_builder.hooks
        found = "retrieved" in hooks.global_ or any(
            "retrieved" in own for own in hooks.models.values()
        )
        _retrieved_configured[id(config)] = found
    return found


def _registered(cls: type) -> dict[str, list[Listener]]:
    own = cls.__dict__.get("__event_listeners__")
    if own is None:
        own = {}
        type.__setattr__(cls, "__event_listeners__", own)
    return own


def _changed() -> None:
    global _generation
    _generation += 1
    _cache.clear()


def add_hook(cls: type, event: str, listener: Listener) -> None:
    """Register ``listener`` for ``event`` on ``cls`` (see the module docstring)."""
    _check_event(event, f"{cls.__name__}.add_hook()")
    if not callable(listener):
        raise QueryError(f"{cls.__name__}.add_hook({event!r}, ...): {listener!r} is not callable")
    with _lock:
        _registered(cls).setdefault(event, []).append(listener)
        _changed()
    _declare_any()
    if event == "retrieved":
        _declare_retrieved()


def observe(cls: type, observer: object) -> None:
    """Register every method of ``observer`` named after an event."""
    found = [e for e in EVENTS if callable(getattr(observer, e, None))]
    if not found:
        raise QueryError(
            f"{cls.__name__}.observe({type(observer).__name__}()): the observer has no method "
            f"named after an event ({', '.join(EVENTS)})"
        )
    with _lock:
        for event in found:
            _registered(cls).setdefault(event, []).append(getattr(observer, event))
        _changed()
    _declare_any()
    if "retrieved" in found:
        _declare_retrieved()


def forget_hooks(cls: type) -> None:
    """Drop the listeners registered on ``cls`` with ``add_hook``/``observe`` (tests)."""
    with _lock:
        cls.__dict__.get("__event_listeners__", {}).clear()
        _changed()


def _import(path: str) -> Listener:
    found = _imported.get(path)
    if found is None:
        module_name, _, attribute = path.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(
                [("query_builder.hooks", f"cannot load hook {path!r}: {exc}")]
            ) from exc
        if not callable(found):
            raise ConfigError([("query_builder.hooks", f"hook {path!r} is not callable")])
        _imported[path] = found
    return found


def _listeners(cls: type, event: str, config: Config) -> tuple[Listener, ...]:
    """The listeners of ``event`` on ``cls``, in calling order (each takes the instance)."""
    key = (cls, event, _generation, id(config))
    found = _cache.get(key)
    if found is not None:
        return found
    methods: list[Listener] = []
    registered: list[Listener] = []
    seen: set[str] = set()
    for klass in reversed(cls.__mro__):
        for name, value in klass.__dict__.items():
            if event in getattr(value, _HOOK_MARK, ()) and name not in seen:
                seen.add(name)
                methods.append(getattr(cls, name))  # an override wins: looked up on cls
        registered += klass.__dict__.get("__event_listeners__", {}).get(event, ())
    hooks = config.query_builder.hooks
    definition = getattr(cls, "__definition__", None)
    own = hooks.models.get(definition.name, {}) if definition is not None else {}
    model_hooks: dict[str, list[str]] = {str(k): v for k, v in own.items()}
    global_hooks: dict[str, list[str]] = {str(k): v for k, v in hooks.global_.items()}
    paths = [*model_hooks.get(event, ()), *global_hooks.get(event, ())]
    found = (*methods, *registered, *(_import(p) for p in paths))
    _cache[key] = found
    return found


def is_muted(cls: type) -> bool:
    """Whether ``cls``'s events are muted here (``without_events``)."""
    return _is_muted(cls)


def _is_muted(cls: type) -> bool:
    muted = _muted.get()
    return muted is True or (isinstance(muted, tuple) and issubclass(cls, muted))


def has_listeners(cls: type, event: str, config: Config) -> bool:
    """Whether firing ``event`` on ``cls`` would call anything (cheap after the first call)."""
    return not _is_muted(cls) and bool(_listeners(cls, event, config))


def fire(instance: Any, event: str, config: Config) -> bool:
    """Call ``event``'s listeners on ``instance``; ``False`` when one cancelled it."""
    cls = type(instance)
    if _is_muted(cls):
        return True
    for listener in _listeners(cls, event, config):
        result = listener(instance)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise QueryError(
                f"{cls.__name__} {event!r} listener {_name(listener)} is async; call the "
                "a-prefixed twin (await instance.asave(), adelete(), ...) so it can be awaited"
            )
        if result is False and event in CANCELLABLE:
            return False
    return True


async def afire(instance: Any, event: str, config: Config) -> bool:
    """The async twin of :func:`fire`: async listeners are awaited."""
    cls = type(instance)
    if _is_muted(cls):
        return True
    for listener in _listeners(cls, event, config):
        result = listener(instance)
        if inspect.isawaitable(result):
            result = await result
        if result is False and event in CANCELLABLE:
            return False
    return True


def _name(listener: Listener) -> str:
    return getattr(listener, "__qualname__", None) or repr(listener)


@contextlib.contextmanager
def without_events(*models: type) -> Iterator[None]:
    """Mute model events in the block: every model's, or only ``models`` (and subclasses)."""
    current = _muted.get()
    if not models or current is True:
        token = _muted.set(True)
    else:
        assert isinstance(current, tuple)
        token = _muted.set((*current, *models))
    try:
        yield
    finally:
        _muted.reset(token)
