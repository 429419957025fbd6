"""Events: the model side of :mod:`dynamodb_tooling.orm.events` (Eloquent's ``HasEvents``).

``User.add_hook("creating", fn)``, ``@User.on("saved")``, ``User.observe(UserObserver())``,
``@hook("creating")`` methods, ``with User.without_events():``, ``user.save_quietly()``. Which
persistence method fires which events, and how a "before" listener cancels, is documented in
:mod:`dynamodb_tooling.orm.events`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from dynamodb_tooling.orm import events
from dynamodb_tooling.schema import ModelDefinition, Registry

if TYPE_CHECKING:
    from dynamodb_tooling.orm.concerns.change_tracking import Exists, ModelState

F = TypeVar("F", bound=Callable[..., Any])

#: What each persistence action fires: "before" events (any may cancel) and "after" events.
_SIMPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "delete": (("deleting",), ("deleted",)),
    "force_delete": (("force_deleting", "deleting"), ("deleted", "force_deleted")),
    "restore": (("restoring",), ("restored",)),
    "increment": (("updating",), ("updated",)),
    "touch": (("saving", "updating"), ("updated", "saved")),
}


class HasEvents:
    """Fires model events around every persistence method (see the module docstring)."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        @property
        def _state(self) -> ModelState: ...

        exists: ClassVar[Exists]

        def get_dirty(self) -> dict[str, Any]: ...

        def save(self) -> Self: ...

        async def asave(self) -> Self: ...

        def update(self, **changes: Any) -> Self: ...

        async def aupdate(self, **changes: Any) -> Self: ...

        def delete(self) -> None: ...

        async def adelete(self) -> None: ...

        def force_delete(self) -> None: ...

        async def aforce_delete(self) -> None: ...

    # Registration.
    @classmethod
    def add_hook(cls, event: events.Event, listener: Callable[[Self], Any]) -> None:
        """Call ``listener(instance)`` on ``event`` for this model and its subclasses; a
        "before" listener returning ``False`` cancels the write."""
        events.add_hook(cls, event, listener)

    @classmethod
    def on(cls, event: events.Event) -> Callable[[F], F]:
        """``@User.on("created")`` — :meth:`add_hook` as a decorator."""

        def register(listener: F) -> F:
            events.add_hook(cls, event, listener)
            return listener

        return register

    @classmethod
    def observe(cls, observer: object) -> None:
        """Register every method of ``observer`` named after an event (``creating(user)``,
        ``saved(user)`` ...), Eloquent's observers."""
        events.observe(cls, observer)

    @classmethod
    def forget_hooks(cls) -> None:
        """Drop the listeners registered with :meth:`add_hook`/:meth:`observe` (tests)."""
        events.forget_hooks(cls)

    @classmethod
    def without_events(cls) -> AbstractContextManager[None]:
        """``with User.without_events():`` — this model's (and subclasses') events muted in
        the block."""
        return events.without_events(cls)

    # Firing.
    def _config(self) -> Any:
        return type(self).__registry__.config

    def _before_events(self, action: str) -> Iterator[str]:
        """The "before" events of ``action`` in order; for ``save``, whether ``updating``
        fires is decided after ``saving`` (a listener may change attributes)."""
        if action == "save":
            yield "saving"
            if not self.exists:
                yield "creating"
            elif self.get_dirty():
                yield "updating"
            return
        yield from _SIMPLE[action][0]

    def _after_events(self, action: str, fired: list[str]) -> tuple[str, ...]:
        if action == "save":
            if "creating" in fired:
                return ("created", "saved")
            return ("updated", "saved") if "updating" in fired else ("saved",)
        return _SIMPLE[action][1]

    def _fire_before(self, action: str) -> tuple[str, ...] | None:
        """Fire ``action``'s "before" events; the "after" events to fire once written, or
        ``None`` when a listener cancelled (nothing to fire when no listener exists)."""
        config = self._config()
        if not events.may_fire(config):
            return ()
        fired: list[str] = []
        for event in self._before_events(action):
            if not events.fire(self, event, config):
                return None
            fired.append(event)
        return self._after_events(action, fired)

    async def _afire_before(self, action: str) -> tuple[str, ...] | None:
        config = self._config()
        if not events.may_fire(config):
            return ()
        fired: list[str] = []
        for event in self._before_events(action):
            if not await events.afire(self, event, config):
                return None
            fired.append(event)
        return self._after_events(action, fired)

    def _fire_after(self, after: tuple[str, ...]) -> None:
        if not after:
            return
        config = self._config()
        for event in after:
            events.fire(self, event, config)

    async def _afire_after(self, after: tuple[str, ...]) -> None:
        if not after:
            return
        config = self._config()
        for event in after:
            await events.afire(self, event, config)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Self:
        """Hydrate (see the attributes concern), then fire ``retrieved``."""
        instance: Self = super().from_item(item)  # type: ignore[misc]
        config = cls.__registry__.config
        if events.may_fire_retrieved(config) and events.has_listeners(cls, "retrieved", config):
            events.fire(instance, "retrieved", config)
        return instance

    # Writing without events (Eloquent's saveQuietly & co).
    def save_quietly(self) -> Self:
        """``save()`` firing no events."""
        with events.without_events(type(self)):
            return self.save()

    async def asave_quietly(self) -> Self:
        with events.without_events(type(self)):
            return await self.asave()

    def update_quietly(self, **changes: Any) -> Self:
        """``update(...)`` firing no events."""
        with events.without_events(type(self)):
            return self.update(**changes)

    async def aupdate_quietly(self, **changes: Any) -> Self:
        with events.without_events(type(self)):
            return await self.aupdate(**changes)

    def delete_quietly(self) -> None:
        """``delete()`` firing no events."""
        with events.without_events(type(self)):
            self.delete()

    async def adelete_quietly(self) -> None:
        with events.without_events(type(self)):
            await self.adelete()

    def force_delete_quietly(self) -> None:
        """``force_delete()`` firing no events."""
        with events.without_events(type(self)):
            self.force_delete()

    async def aforce_delete_quietly(self) -> None:
        with events.without_events(type(self)):
            await self.aforce_delete()
