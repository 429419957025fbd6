"""``Seeder``: a class that fills the table with data (Laravel's seeders).

>>> class UserSeeder(Seeder):
...     def run(self) -> None:
...         User.factory().count(10).create()
>>> class PostSeeder(Seeder):
...     depends_on = (UserSeeder,)          # runs after UserSeeder (run first if not named)
...     def run(self) -> None:
...         for user in User.query().force_scan().get():
...             Post.factory().count(3).for_(user).create()
>>> class DatabaseSeeder(Seeder):          # what `dbtooling seed` runs by default
...     def run(self) -> None:
...         self.call(UserSeeder, PostSeeder)

Subclasses register themselves by class name (``abstract=True`` in the class statement keeps
a base out); :func:`~dynamodb_tooling.seeders.run_seeders` finds them by name. Within one run
every seeder runs at most once, whether named, a dependency or ``call``-ed.
"""

from __future__ import annotations

import asyncio
import difflib
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dynamodb_tooling.drivers import record_requests
from dynamodb_tooling.drivers.recording import RecordedRequests
from dynamodb_tooling.factories.errors import SeederError
from dynamodb_tooling.seeders._ordering import in_order

__all__ = ["Seeder", "SeederResult", "SeederRun", "registered_seeders"]

_LOCK = threading.Lock()
_BY_NAME: dict[str, type[Seeder]] = {}


class Seeder:
    """Base class of seeders; override :meth:`run` (or :meth:`arun` for async work)."""

    #: Seeders that must run before this one (classes, or registered names).
    depends_on: ClassVar[tuple[type[Seeder] | str, ...]] = ()
    #: The name ``dbtooling seed --class NAME`` takes (default: the class name).
    name: ClassVar[str] = "Seeder"

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__
        if not abstract:
            with _LOCK:
                _BY_NAME[cls.name] = cls

    def __init__(self, run: SeederRun | None = None) -> None:
        self._seeding = run if run is not None else SeederRun()

    def run(self) -> None:
        """Write the seed data (override). A seeder defining only :meth:`arun` runs it on
        its own event loop here."""
        if type(self).arun is Seeder.arun:
            raise SeederError(f"{type(self).__name__} must define run(self) (or async arun)")
        asyncio.run(self.arun())

    async def arun(self) -> None:
        """The async form (override for async writes); by default :meth:`run` in a thread."""
        if type(self).run is Seeder.run:
            raise SeederError(f"{type(self).__name__} must define run(self) (or async arun)")
        await asyncio.to_thread(self.run)

    def call(self, *seeders: type[Seeder] | str) -> None:
        """Run other seeders now (each with its dependencies, each at most once per run)."""
        self._seeding.run_each(seeders)

    async def acall(self, *seeders: type[Seeder] | str) -> None:
        """The async twin of :meth:`call`."""
        await self._seeding.arun_each(seeders)


def registered_seeders() -> dict[str, type[Seeder]]:
    """Every registered seeder by name."""
    with _LOCK:
        return dict(_BY_NAME)


def forget_seeders(names: Iterable[str]) -> None:
    """Unregister seeders (for tests declaring throwaway ones)."""
    with _LOCK:
        for name in names:
            _BY_NAME.pop(name, None)


def seeder_named(name: type[Seeder] | str) -> type[Seeder]:
    """The seeder class ``name`` stands for; an unknown name lists the known ones."""
    if isinstance(name, type):
        if not issubclass(name, Seeder):
            raise SeederError(f"{name.__name__} is not a Seeder subclass")
        return name
    known = registered_seeders()
    found = known.get(name)
    if found is None:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        have = ", ".join(sorted(known)) or "none (is query_builder.seeders_path right?)"
        raise SeederError(f"no seeder named {name!r}{hint}; known seeders: {have}")
    return found


@dataclass
class SeederResult:
    """One seeder that ran: how long, how many requests, and the items it wrote by entity
    type (``{"User": 10, "Post": 30}``; counted from the requests sent)."""

    name: str
    seconds: float = 0.0
    requests: int = 0
    written: Counter[str] = field(default_factory=Counter)

    @property
    def items(self) -> int:
        return sum(self.written.values())


class SeederRun:
    """One run of seeders: each runs at most once, dependencies first; ``results`` in the
    order they finished."""

    def __init__(self, entity_type_attribute: str = "_et") -> None:
        self.results: list[SeederResult] = []
        self._started: set[type[Seeder]] = set()
        self._et = entity_type_attribute

    def _plan(self, seeders: Iterable[type[Seeder] | str]) -> list[type[Seeder]]:
        chosen = [seeder_named(s) for s in seeders]
        planned: list[type[Seeder]] = in_order(
            chosen, lambda s: [seeder_named(d) for d in s.depends_on]
        )
        return [s for s in planned if s not in self._started]

    def run_each(self, seeders: Iterable[type[Seeder] | str]) -> None:
        for seeder in self._plan(seeders):
            if seeder in self._started:  # a call() inside an earlier one ran it
                continue
            self._started.add(seeder)
            nested, began = len(self.results), time.perf_counter()
            with record_requests() as sent:
                seeder(self).run()
            self._record(seeder.name, sent, began, nested)

    async def arun_each(self, seeders: Iterable[type[Seeder] | str]) -> None:
        for seeder in self._plan(seeders):
            if seeder in self._started:
                continue
            self._started.add(seeder)
            nested, began = len(self.results), time.perf_counter()
            async with record_requests() as sent:
                await seeder(self).arun()
            self._record(seeder.name, sent, began, nested)

    def _record(self, name: str, sent: RecordedRequests, began: float, nested: int) -> None:
        """Keep what ``name`` did itself: the seeders it ``call``-ed (results from index
        ``nested`` on) were recorded by it too, and count as theirs."""
        result = SeederResult(name, time.perf_counter() - began, sent.count)
        for request in sent.requests:
            if request.error is None:
                result.written.update(_entity_types(request.operation, request.params, self._et))
        for inner in self.results[nested:]:
            result.requests -= inner.requests
            result.written.subtract(inner.written)
        result.written = +result.written  # drop zero counts
        self.results.append(result)


def _entity_types(operation: str, params: Any, et: str) -> list[str]:
    """The entity types of the models (and edges) a successful write request put."""
    items: list[Any] = []
    if operation == "PutItem":
        items = [params.get("Item", {})]
    elif operation == "BatchWriteItem":
        for writes in params.get("RequestItems", {}).values():
            items += [w["PutRequest"]["Item"] for w in writes if "PutRequest" in w]
    elif operation == "TransactWriteItems":
        items = [a["Put"]["Item"] for a in params.get("TransactItems", []) if "Put" in a]
    found = [str(next(iter(i[et].values()))) for i in items if isinstance(i, dict) and et in i]
    return [name for name in found if not name.startswith("_")]  # not unique sentinels
