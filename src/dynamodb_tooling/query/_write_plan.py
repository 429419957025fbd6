"""WritePlan: one compiled model write, and what its failures mean.

A plan holds the request to send (a single PutItem/UpdateItem/DeleteItem, or one
TransactWriteItems) and the same work as transaction actions, so plans of several writes can be
merged into one transaction. ``uniques`` and ``versions`` say which action guards which unique
value or version, so a cancelled transaction can be reported as the error it really is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, replace
from dataclasses import fields as dataclass_fields
from typing import Any, Literal, TypeVar

from dynamodb_tooling._types import ReturnValue
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Update
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import delete_item, put_item, update_item
from dynamodb_tooling.requests.transactions import (
    TransactDelete,
    TransactPut,
    TransactUpdate,
    TransactWriteAction,
    transact_write,
)


@dataclass(frozen=True)
class UniqueTarget:
    """Action ``index`` reserves ``value`` of ``model.attribute`` (a sentinel put)."""

    index: int
    model: str
    attribute: str
    value: Any
    #: Whether the attribute is hidden: errors then never show the value.
    hidden: bool = False


@dataclass(frozen=True)
class VersionTarget:
    """Action ``index`` expects ``model``'s item at version ``expected`` (optimistic locking)."""

    index: int
    model: str
    expected: int
    attribute: str = "_v"
    key: Mapping[str, Any] = field(default_factory=dict)


WriteKind = Literal["put", "update", "delete"]
_T = TypeVar("_T")


@dataclass(frozen=True)
class EntityTarget:
    """Action ``index`` writes ``model``'s item at ``key``: a ``put`` of ``item``, an
    ``update`` setting ``changes`` (stored form, ``None`` removes), or a ``delete``.

    ``expects`` holds values the item must still have (a unique value whose sentinel moves);
    ``must_exist``/``must_be_absent`` whether the action's condition requires an item at the
    key or none. Together they say why the action's condition failed, and whether an earlier
    attempt with an unknown outcome was in fact applied.
    """

    index: int
    model: str
    kind: WriteKind
    key: Mapping[str, Any]
    item: Mapping[str, Any] | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)
    expects: Mapping[str, Any] = field(default_factory=dict)
    must_exist: bool = False
    must_be_absent: bool = False
    #: The item's id, for messages (``User 'u1' already exists``).
    ident: Any = None
    #: Whether ``changes`` say everything the write does (false for increments and appends,
    #: whose result cannot be told from the stored item).
    verifiable: bool = True
    #: ``(attribute, expected)`` for version-checked writes: an item still at ``expected``
    #: proves the write was not applied (it would have bumped the version).
    version: tuple[str, int] | None = None
    #: Attributes whose values errors must not show or carry (hidden ones, and index keys
    #: derived from them).
    hidden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WritePlan:
    """A compiled write: ``request`` to send, ``actions`` to merge it into a transaction.

    ``item`` is the item written by a put (Python values, keys included); ``changes`` the model
    attributes an update sets (stored form, ``None`` for removed ones, the new version when it
    is known). ``uniques`` and ``versions`` index into ``actions``.
    """

    request: Request
    actions: tuple[TransactWriteAction, ...]
    model: str = ""
    key: Mapping[str, Any] = field(default_factory=dict)
    item: dict[str, Any] | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    uniques: tuple[UniqueTarget, ...] = ()
    versions: tuple[VersionTarget, ...] = ()
    entities: tuple[EntityTarget, ...] = ()

    @property
    def transactional(self) -> bool:
        """Whether the plan is sent as TransactWriteItems."""
        return self.request.operation == "TransactWriteItems"


def single_request(action: TransactWriteAction, return_values: ReturnValue | None) -> Request:
    """The PutItem/UpdateItem/DeleteItem doing the same as transaction ``action``."""
    on_failure = action.return_values_on_condition_check_failure
    if isinstance(action, TransactUpdate):
        return update_item(
            action.table,
            action.key,
            action.update,
            condition=action.condition,
            return_values=return_values,
            return_values_on_condition_check_failure=on_failure,
        )
    old = _old_values_only(return_values)
    if isinstance(action, TransactPut):
        return put_item(
            action.table,
            action.item,
            condition=action.condition,
            return_values=old,
            return_values_on_condition_check_failure=on_failure,
        )
    if isinstance(action, TransactDelete):
        return delete_item(
            action.table,
            action.key,
            condition=action.condition,
            return_values=old,
            return_values_on_condition_check_failure=on_failure,
        )
    raise QueryError("a condition check runs only inside a transaction; use transaction()")


def _old_values_only(return_values: ReturnValue | None) -> Literal["NONE", "ALL_OLD"] | None:
    if return_values is None:
        return None
    if return_values == "ALL_OLD":
        return "ALL_OLD"
    if return_values == "NONE":
        return "NONE"
    raise QueryError(
        f"return_values={return_values!r} is only valid for updates; a put or delete "
        "returns 'NONE' or 'ALL_OLD'"
    )


def _builder(cls: type[_T]) -> Callable[[dict[str, Any]], _T]:
    """A quick ``cls(**fields)`` for a frozen dataclass without ``__post_init__``, given a
    known field of it for every key of ``fields`` and every field without a default: the
    instance's ``__dict__`` is filled at once (defaults taken once, factories called for the
    fields not given) rather than by one ``object.__setattr__`` a field. Only for the plans
    ``make_plan`` builds on every write (a test holds them equal to the constructor's)."""
    if "__post_init__" in vars(cls) or "__slots__" in vars(cls):
        raise TypeError(f"{cls.__name__}: its __init__ does more than set its fields")
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    specs = dataclass_fields(cls)  # type: ignore[arg-type]
    names = frozenset(spec.name for spec in specs)
    for spec in specs:
        if spec.default is not MISSING:
            defaults[spec.name] = spec.default
        elif spec.default_factory is not MISSING:
            factories.append((spec.name, spec.default_factory))

    def build(fields: dict[str, Any]) -> _T:
        if not names.issuperset(fields):  # what the constructor would refuse
            unknown = ", ".join(sorted(set(fields) - names))
            raise TypeError(f"{cls.__name__} has no field(s) {unknown}")
        instance: _T = object.__new__(cls)
        values = instance.__dict__
        values.update(defaults)
        for name, factory in factories:
            if name not in fields:
                values[name] = factory()
        values.update(fields)
        return instance

    return build


_new_entity = _builder(EntityTarget)
_new_plan = _builder(WritePlan)

#: What ``make_plan`` passes on to the :class:`EntityTarget` (the rest goes to the plan).
_ENTITY_OPTIONS = frozenset({"expects", "must_exist", "must_be_absent", "ident", "hidden"})


def make_plan(
    actions: Sequence[TransactWriteAction],
    *,
    return_values: ReturnValue | None = None,
    **info: Any,
) -> WritePlan:
    """The plan of ``actions``: one request for one action, else one transaction."""
    actions = tuple(actions)
    info["uniques"] = tuple(info.get("uniques", ()))
    versions: tuple[VersionTarget, ...] = tuple(info.get("versions", ()))
    info["versions"] = versions
    kind: WriteKind | None = info.pop("kind", None)
    entity_options = {name: info.pop(name) for name in _ENTITY_OPTIONS.intersection(info)}
    if kind is not None:
        entity_options.update(
            index=0,
            model=info.get("model", ""),
            kind=kind,
            key=dict(info.get("key", {})),
            item=info.get("item"),
            changes=dict(info.get("changes", {})),
            verifiable=_verifiable(actions[0], versions),
            version=(versions[0].attribute, versions[0].expected) if versions else None,
        )
        info["entities"] = (_new_entity(entity_options),)
    if len(actions) == 1:
        request = single_request(actions[0], return_values)
        if versions:
            # ``SET _v = _v + 1`` guarded by ``_v = :expected``: a second application fails
            # its condition (and is then recognised as our own), so it may be retried.
            request = replace(request, idempotent=True)
        info.update(request=request, actions=actions)
        return _new_plan(info)
    if return_values not in (None, "NONE"):
        raise QueryError(
            f"return_values={return_values!r} cannot be honoured: this write also moves unique "
            "sentinels, so it runs as a transaction, and TransactWriteItems returns no values; "
            "read the item again after writing"
        )
    return WritePlan(transact_write(actions), actions, **info)


def _verifiable(action: TransactWriteAction, versions: Sequence[VersionTarget]) -> bool:
    """Whether the stored item can show that ``action`` was applied: not when it adds to a
    number or a list (the version bump of a versioned write aside, which ``changes`` holds)."""
    if not isinstance(action, TransactUpdate):
        return True
    bumped = {v.attribute for v in versions}
    rest = tuple(a for a in action.update.actions if str(a.path) not in bumped)
    return Update(rest).idempotent


def merge_plans(plans: Sequence[WritePlan]) -> WritePlan:
    """One transaction doing every plan's work (targets re-indexed into the merged actions)."""
    actions: list[TransactWriteAction] = []
    uniques: list[UniqueTarget] = []
    versions: list[VersionTarget] = []
    entities: list[EntityTarget] = []
    for plan in plans:
        offset = len(actions)
        actions.extend(plan.actions)
        uniques += [replace(u, index=u.index + offset) for u in plan.uniques]
        versions += [replace(v, index=v.index + offset) for v in plan.versions]
        entities += [replace(e, index=e.index + offset) for e in plan.entities]
    return WritePlan(
        transact_write(actions),
        tuple(actions),
        uniques=tuple(uniques),
        versions=tuple(versions),
        entities=tuple(entities),
    )


def _defaults(cls: type[Any]) -> dict[str, Any]:
    return {
        spec.name: spec.default for spec in dataclass_fields(cls) if spec.default is not MISSING
    }


#: The fields of an insert's :class:`EntityTarget` and :class:`WritePlan` that are the same
#: on every insert (the others are set by :func:`insert_plan`).
_INSERT_ENTITY = {
    **_defaults(EntityTarget),
    "index": 0,
    "kind": "put",
    "must_be_absent": True,
}
_INSERT_PLAN = {**_defaults(WritePlan), "uniques": (), "versions": ()}


def insert_plan(
    request: Request,
    action: TransactPut,
    *,
    model: str,
    key: dict[str, Any],
    item: dict[str, Any],
    ident: Any,
    hidden: frozenset[str],
) -> WritePlan:
    """``make_plan([action], model=..., kind="put", must_be_absent=True, ...)`` of a plain
    insert (one put, no unique value, no version check) whose ``request`` is built already:
    the same plan (a test holds them equal), its fields filled at once as ``_builder`` does."""
    entity: EntityTarget = object.__new__(EntityTarget)
    fields = entity.__dict__
    fields.update(_INSERT_ENTITY)
    fields.update(
        model=model, key=dict(key), item=item, changes={}, expects={}, ident=ident, hidden=hidden
    )
    plan: WritePlan = object.__new__(WritePlan)
    fields = plan.__dict__
    fields.update(_INSERT_PLAN)
    fields.update(
        request=request,
        actions=(action,),
        model=model,
        key=key,
        item=item,
        changes={},
        entities=(entity,),
    )
    return plan
