"""How ``Factory.create()`` writes the models it made: the cheapest path that keeps every
guarantee the model has.

* **batch** — no unique attributes, no create/save listeners: the query layer's
  ``insert_many`` flow (BatchWriteItem, 25 items a request, chunks sent concurrently,
  unprocessed items retried). 500 models ≈ 20 requests.
* **transact** — unique attributes: each model needs its TransactWriteItems (the item plus a
  sentinel per unique value, ``attribute_not_exists``; BatchWriteItem has no conditions), so
  the compiled insert of every model is sent side by side (``gather``: 100 a round).
* **save** — the model has ``saving``/``creating``/``created``/``saved`` listeners, or a
  ``with transaction():`` block is active: each model's own ``save()`` (``asave()``
  concurrently in ``acreate``), so events fire and the transaction gathers the writes, exactly
  as ``Model.create`` does.

Every model is validated (rule strings and ``@validator`` methods) before any request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeGuard

from dynamodb_tooling.errors import PartialWriteError
from dynamodb_tooling.orm import events
from dynamodb_tooling.orm.transaction import active_transaction
from dynamodb_tooling.query.write_flow import write_flow
from dynamodb_tooling.query.writes import WriteCompiler, WritePlan, insert_many_flow
from dynamodb_tooling.requests import Flow, gather

__all__ = ["WritePath", "persist_flow", "write_path"]

WritePath = Literal["batch", "transact", "save"]

_CREATE_EVENTS = ("saving", "creating", "created", "saved")
#: Models whose unique-value transactions are sent together in one round.
ROUND = 100


def write_path(model: type[Any]) -> WritePath:
    """Which path ``create()`` takes for ``model`` (see the module docstring)."""
    config = model.__registry__.config
    if active_transaction() is not None:
        return "save"
    if any(events.has_listeners(model, event, config) for event in _CREATE_EVENTS):
        return "save"
    return "transact" if model.__definition__.unique_attributes else "batch"


def persist_flow(model: type[Any], instances: Sequence[Any]) -> Flow[list[Any]]:
    """Write ``instances`` (new models of ``model``) by the batch or transact path; returns
    the stored models, read from the items written (ids, timestamps, versions set)."""
    for instance in instances:
        instance.validate()
    registry = model.__registry__
    compiler = registry.derived(WriteCompiler, lambda: WriteCompiler(registry))
    name = model.__definition__.name
    values = [instance.to_values() for instance in instances]
    if model.__definition__.unique_attributes:
        once = registry.config.non_idempotent_writes == "exactly_once"
        plans = [compiler.insert(name, v) for v in values]
        items = yield from _transactions(name, plans, once)
    else:
        items = yield from insert_many_flow(compiler, name, values)
    stored = [model.from_item(item) for item in items]
    for made, saved in zip(instances, stored, strict=True):
        for relation, value in made.get_relations().items():
            saved.set_relation(relation, value)
    return stored


def _transactions(name: str, plans: list[WritePlan], once: bool) -> Flow[list[dict[str, Any]]]:
    """Every plan's transaction, ``ROUND`` at a time side by side; the items written, or a
    :class:`PartialWriteError` saying which were not (the others are written)."""
    failed: list[tuple[dict[str, Any], Exception]] = []
    for start in range(0, len(plans), ROUND):
        chunk = plans[start : start + ROUND]
        results = yield from gather([write_flow(p, exactly_once=once) for p in chunk])
        failed += [(dict(p.key), r) for p, r in zip(chunk, results, strict=True) if _error(r)]
    if failed:
        first = failed[0][1]
        raise PartialWriteError(
            f"create(): {len(failed)} of {len(plans)} {name} models were not written (first: "
            f"{type(first).__name__}: {first}); the other {len(plans) - len(failed)} were. "
            "For unique attributes use faker.unique (self.faker.unique.email()) or a sequence",
            done=len(plans) - len(failed),
            failed=failed,
        )
    return [p.item for p in plans if p.item is not None]


def _error(result: object) -> TypeGuard[Exception]:
    return isinstance(result, Exception)
