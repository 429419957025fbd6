"""What a backfill writes for one stored item: pure, no IO.

For every item of the chosen models (and many-to-many edges, polymorphic ones included) the
registry's key scheme (:meth:`KeyScheme.item_keys`, :meth:`KeyScheme.edge_keys`,
:meth:`KeyScheme.morph_edge_keys`) says which derived key attributes the item should carry:
pk, sk, the entity type, every GSI pk/sk and LSI sk. The planner compares them with what is
stored and returns a :class:`KeyFix` holding only the difference:

* pk and sk unchanged: one UpdateItem ``SET`` the derived attributes that differ and ``REMOVE``
  the ones the scheme no longer derives (a relation or indexed attribute removed, a slot moved);
* pk or sk changed (a relation became or stopped being a ``collection``, a ``pk_prefix``
  changed): the item is *re-keyed* in one TransactWriteItems — the item put under its new key
  (only if nothing is there yet), the old item deleted, and the owner key held by each of its
  unique-value sentinels moved to the new key — so it is never lost nor doubled.

Every write is conditional on the item being unchanged since it was read: each attribute the
keys were computed from (recorded while computing them, so nothing is missed), and each
derived attribute the write touches, must still hold the value read (or still be absent), and
the item must still exist. A concurrent application write therefore wins; the backfill then
re-reads the item and computes its keys again (see :mod:`._backfill_flow`).

An attribute that became ``unique`` needs a sentinel per existing value
(:meth:`BackfillPlanner.sentinel_actions`): one small transaction per item and attribute that
checks the item still holds the value and puts the sentinel only if the value is free (or
already this item's), so a duplicate among existing items is found and reported, never
overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dynamodb_tooling.config._schema import MAX_GSI_PER_TABLE, MAX_LSI_PER_TABLE
from dynamodb_tooling.expressions import Condition, Path, Update, and_, attr, or_
from dynamodb_tooling.migrations._backfill_errors import BackfillError
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import update_item
from dynamodb_tooling.requests.transactions import (
    ConditionCheck,
    TransactDelete,
    TransactPut,
    TransactUpdate,
    TransactWriteAction,
)
from dynamodb_tooling.schema import traits
from dynamodb_tooling.schema.errors import KeyValueError
from dynamodb_tooling.schema.keys import SENTINEL_OWNER, UNIQUE_ENTITY_TYPE
from dynamodb_tooling.schema.paths import MorphPivotScheme
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.schema.resolve import (
    EntityScheme,
    IndexedAttributePath,
    ParentPath,
    PivotScheme,
    path_source,
)

#: DynamoDB's limit on the operands of one ``IN``.
_MAX_IN = 100


class _Recording(Mapping[str, Any]):
    """The item, remembering every attribute the key scheme looked at (its key sources)."""

    __slots__ = ("_item", "read")

    def __init__(self, item: Mapping[str, Any]) -> None:
        self._item = item
        self.read: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return self._item.get(name, default)

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return self._item[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._item)

    def __len__(self) -> int:
        return len(self._item)


@dataclass(frozen=True)
class KeyFix:
    """The write one item needs: ``changes`` to SET, ``removals`` to REMOVE; ``new_key`` when
    its pk/sk change (a re-key). ``sources`` are the attributes its keys were computed from."""

    kind: str
    key: dict[str, Any]
    changes: dict[str, str]
    removals: tuple[str, ...]
    sources: tuple[str, ...]
    new_key: dict[str, str] | None = None
    wanted: dict[str, str] = field(default_factory=dict)

    @property
    def rekey(self) -> bool:
        return self.new_key is not None


class BackfillPlanner:
    """Derived keys, differences and conditional writes for the items of ``models`` (every
    model and many-to-many pivot of the registry when ``None``)."""

    def __init__(
        self,
        registry: Registry,
        models: Sequence[str] | None = None,
        unique: Sequence[str] | None = None,
    ) -> None:
        self.registry = registry
        self.keys = registry.keys
        design = registry.config.single_table_design
        self.pk, self.sk = design.partition_key_name, design.sort_key_name
        self.entity_type = design.entity_type_attribute
        schema = registry.schema
        self._entities: dict[str, EntityScheme] = {e.name: e for e in schema.entities}
        self._pivots: dict[str, PivotScheme] = {p.name: p for p in schema.pivots}
        self._morphs: dict[str, MorphPivotScheme] = {p.name: p for p in schema.morph_pivots}
        self.kinds: tuple[str, ...] = self._chosen(models)
        #: Per model, the unique attributes whose sentinels the backfill creates.
        self.sentinels: dict[str, tuple[str, ...]] = self._unique(unique or ())
        self._scopes = {
            name: traits.read_scope(entity.model, registry.config)
            for name, entity in self._entities.items()
        }
        derived = [self.pk, self.sk, self.entity_type]
        for n in range(1, MAX_GSI_PER_TABLE + 1):
            derived += [design.gsi_pk(n), design.gsi_sk(n)]
        derived += [design.lsi_sk(n) for n in range(1, MAX_LSI_PER_TABLE + 1)]
        #: Every attribute the key scheme may write: what a fix may SET or REMOVE.
        self.derived: frozenset[str] = frozenset(derived)
        self._derived_order = tuple(derived)

    def _chosen(self, models: Sequence[str] | None) -> tuple[str, ...]:
        every = [*self._entities, *self._pivots, *self._morphs]
        if models is None:
            return tuple(sorted(every))
        unknown = [m for m in models if m not in every]
        if unknown:
            known = ", ".join(sorted(every)) or "none"
            raise BackfillError(
                f"cannot backfill {', '.join(map(repr, unknown))}: no registered model or "
                f"many-to-many pivot has that name (registered: {known}); pass models=None "
                "for all of them"
            )
        if not models:
            raise BackfillError("models=[] names nothing to backfill; pass None for every model")
        return tuple(sorted(set(models)))

    def _unique(self, names: Sequence[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for name in names:
            model, _, attribute = name.partition(".")
            entity = self._entities.get(model)
            uniques = [] if entity is None else [a.name for a in entity.model.unique_attributes]
            if attribute not in uniques or model not in self.kinds:
                raise BackfillError(
                    f"unique={name!r}: name a unique attribute of a backfilled model as "
                    f"'Model.attribute' (unique attributes of the models: "
                    f"{', '.join(self._unique_names()) or 'none'})"
                )
            found.setdefault(model, []).append(attribute)
        return {model: tuple(dict.fromkeys(names)) for model, names in found.items()}

    def _unique_names(self) -> list[str]:
        return [
            f"{name}.{a.name}"
            for name, entity in sorted(self._entities.items())
            for a in entity.model.unique_attributes
        ]

    # Reading.
    def scan_filter(self) -> Condition:
        """``_et IN (...)`` for the chosen entity types (chunks of 100 joined with OR)."""
        et = attr(Path.of(self.entity_type))
        chunks = [self.kinds[i : i + _MAX_IN] for i in range(0, len(self.kinds), _MAX_IN)]
        return (
            or_(*(et.is_in(chunk) for chunk in chunks)) if len(chunks) > 1 else et.is_in(chunks[0])
        )

    def verify_projection(self) -> list[Path]:
        """The attributes the verification scan reads: the derived keys and every attribute
        they may be computed from (never the rest of the item)."""
        names = set(self._derived_order)
        for kind in self.kinds:
            names |= self._static_sources(kind)
        return [Path.of(name) for name in sorted(names)]

    def _static_sources(self, kind: str) -> set[str]:
        pivot = self._pivots.get(kind)
        if pivot is not None:
            return {pivot.owner_key, pivot.other_key}
        morph = self._morphs.get(kind)
        if morph is not None:
            return {morph.type_attribute, morph.id_attribute, morph.target_key}
        entity = self._entities[kind]
        names = {entity.model.primary_key, *(link.foreign_key for link in entity.ancestry)}
        for gsi in entity.gsi_paths:
            source = path_source(gsi)
            if source is not None:
                names.add(source)
            if isinstance(gsi, ParentPath | IndexedAttributePath) and gsi.sort_by is not None:
                names.add(gsi.sort_by)
        names |= {lsi.sort_by for lsi in entity.lsi_paths}
        scope = self._scopes[kind]
        if scope is not None:
            names.add(scope)
        return names

    # Computing.
    def wanted(self, item: Mapping[str, Any]) -> tuple[str, dict[str, str], set[str]]:
        """``(kind, derived keys, attributes they were computed from)`` for a stored item.

        Raises :class:`KeyValueError` when the item's values cannot make a key (a missing
        foreign key a collection child needs, a delimiter inside an id...).
        """
        kind = item.get(self.entity_type)
        if not isinstance(kind, str) or kind not in self.kinds:
            raise KeyValueError(f"the item's entity type {kind!r} is not being backfilled")
        pivot = self._pivots.get(kind)
        if pivot is not None:
            keys = self.keys.edge_keys(pivot, item.get(pivot.owner_key), item.get(pivot.other_key))
            return kind, keys, {pivot.owner_key, pivot.other_key}
        morph = self._morphs.get(kind)
        if morph is not None:
            keys = self.keys.morph_edge_keys(
                morph,
                morph_type=str(item.get(morph.type_attribute, "")),
                morph_id=item.get(morph.id_attribute),
                target_id=item.get(morph.target_key),
            )
            return kind, keys, {morph.type_attribute, morph.id_attribute, morph.target_key}
        recording = _Recording(item)
        scope = self._scopes[kind]
        deleted = scope is not None and item.get(scope) is not None
        keys = self.keys.item_keys(kind, recording, deleted=deleted)
        if scope is not None:
            recording.read.add(scope)
        return kind, keys, recording.read

    def fix(self, item: Mapping[str, Any]) -> KeyFix | None:
        """The write ``item`` needs, or ``None`` when its derived keys are already right."""
        kind, wanted, sources = self.wanted(item)
        changes = {name: value for name, value in wanted.items() if item.get(name) != value}
        removals = tuple(
            sorted(name for name in self.derived.intersection(item) if name not in wanted)
        )
        if not changes and not removals:
            return None
        key = {self.pk: item[self.pk], self.sk: item[self.sk]}
        moved = wanted[self.pk] != key[self.pk] or wanted[self.sk] != key[self.sk]
        new_key = {self.pk: wanted[self.pk], self.sk: wanted[self.sk]} if moved else None
        return KeyFix(kind, key, changes, removals, tuple(sorted(sources)), new_key, wanted=wanted)

    def is_correct(self, item: Mapping[str, Any]) -> bool:
        """Whether the stored derived keys of ``item`` are what the scheme derives (an item
        whose keys cannot be computed is not)."""
        try:
            return self.fix(item) is None
        except KeyValueError:
            return False

    # Writing.
    def unchanged(self, item: Mapping[str, Any], fix: KeyFix) -> Condition:
        """The item still exists and every key source and touched derived attribute holds
        the value read (or is still absent)."""
        names = sorted({*fix.sources, *fix.changes, *fix.removals} - {self.pk, self.sk})
        parts = [attr(Path.of(self.pk)).exists()]
        for name in names:
            target = attr(Path.of(name))
            parts.append(target.eq(item[name]) if name in item else target.not_exists())
        return and_(*parts)

    def update_request(self, table: str, item: Mapping[str, Any], fix: KeyFix) -> Request:
        """The UpdateItem of an item whose pk/sk stay: SET/REMOVE only what differs."""
        update = Update()
        for name in self._ordered(fix.changes):
            update = update.set(Path.of(name), fix.changes[name])
        if fix.removals:
            update = update.remove(*(Path.of(name) for name in fix.removals))
        return update_item(table, fix.key, update, condition=self.unchanged(item, fix))

    def rekey_actions(
        self, table: str, item: Mapping[str, Any], fix: KeyFix
    ) -> list[TransactWriteAction]:
        """The transaction moving an item to its new pk/sk: put it there (only if the key is
        free), delete the old one (only if unchanged), and point its sentinels at it."""
        assert fix.new_key is not None
        moved = {k: v for k, v in item.items() if k not in self.derived}
        moved.update(fix.wanted)
        actions: list[TransactWriteAction] = [
            TransactPut(table, moved, condition=attr(Path.of(self.pk)).not_exists()),
            TransactDelete(table, fix.key, condition=self.unchanged(item, fix)),
        ]
        entity = self._entities.get(fix.kind)
        if entity is None:
            return actions
        for unique in entity.model.unique_attributes:
            value = item.get(unique.name)
            if value is None:
                continue
            sentinel = self.keys.sentinel_key(fix.kind, unique.name, value)
            owned = and_(*(attr(Path.of(SENTINEL_OWNER, k)).eq(v) for k, v in fix.key.items()))
            condition = attr(Path.of(self.pk)).not_exists() | owned
            update = (
                Update()
                .set(Path.of(SENTINEL_OWNER), dict(fix.new_key))
                .set(Path.of(self.entity_type), UNIQUE_ENTITY_TYPE)
            )
            actions.append(TransactUpdate(table, sentinel, update, condition=condition))
        return actions

    def sentinel_actions(
        self, table: str, item: Mapping[str, Any], attribute: str
    ) -> list[TransactWriteAction]:
        """Reserve ``item``'s value of unique ``attribute`` for it: the sentinel is put only if
        the value is free or already the item's, and only while the item still holds that
        value (a concurrent change re-reads it)."""
        kind = item[self.entity_type]
        owner = {self.pk: item[self.pk], self.sk: item[self.sk]}
        value = item[attribute]
        sentinel = self.keys.sentinel_item(kind, attribute, value, owner)
        owned = and_(*(attr(Path.of(SENTINEL_OWNER, k)).eq(v) for k, v in owner.items()))
        holds = attr(Path.of(attribute)).eq(value)
        return [
            ConditionCheck(table, owner, condition=holds),
            TransactPut(table, sentinel, condition=attr(Path.of(self.pk)).not_exists() | owned),
        ]

    def _ordered(self, names: Mapping[str, Any]) -> list[str]:
        return [name for name in self._derived_order if name in names]
