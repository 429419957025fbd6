"""The shared core of the write compiler: values, keys, conditions and the entity update."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack

from dynamodb_tooling._types import ReturnValue, ReturnValuesOnConditionCheckFailure
from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Condition, Update, and_, attr
from dynamodb_tooling.query._write_keys import identity_attributes, key_changes, path_keys
from dynamodb_tooling.query._write_plan import UniqueTarget, VersionTarget, WritePlan, make_plan
from dynamodb_tooling.query.unique import release_sentinel, reserve_sentinel
from dynamodb_tooling.requests.transactions import TransactUpdate, TransactWriteAction
from dynamodb_tooling.schema import KeyScheme, ModelDefinition, Registry, traits
from dynamodb_tooling.schema.casts import AttributeCastError, values_equal
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    ModelInfo,
    transformer_of,
    utc_now,
)


class WriteOptions(TypedDict, total=False):
    """Options every single-item update accepts.

    ``condition`` is ANDed with the library's own conditions; ``expect_version`` enables the
    optimistic-locking check on versioned models; the ``return_values*`` options go to DynamoDB.
    """

    condition: Condition | None
    expect_version: int | None
    return_values: ReturnValue | None
    return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None


class WriteBase:
    """Values, keys and the shared UpdateItem builder of :class:`WriteCompiler`."""

    def __init__(
        self,
        registry: Registry,
        table: str | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.registry = registry
        self._absent: tuple[str, Condition] | None = None
        #: The compiled inserts of the models written so far (``writes.InsertBuilder``).
        self._inserts: dict[str, Any] = {}
        #: The table every write goes to when given (a raw ``table(...)`` builder, a
        #: transaction's ``table=``); else each model's own (:meth:`table_for`).
        self.chosen_table = table
        self.table = table or full_table_name(config=registry.config)
        self.transformer = (
            transformer_of(registry)
            if clock is utc_now
            else EntityTransformer(registry, clock=clock)
        )

    @property
    def config(self) -> Config:
        return self.registry.config

    def table_for(self, model: str) -> str:
        """The table ``model``'s items (and its unique sentinels) are written to: the chosen
        table, else the model's own (``table=``, the main table without one)."""
        return self.chosen_table or self.registry.table_name(model)

    @property
    def keys(self) -> KeyScheme:
        return self.registry.keys

    @property
    def version_attribute(self) -> str:
        return self.config.query_builder.version_attribute

    def soft_delete_attribute(self, definition: ModelDefinition) -> str | None:
        """``deleted_at`` (as configured) for soft-deleting models, else ``None``."""
        return traits.read_scope(definition, self.config)

    # Values.
    def current_values(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """An item's current values, stored form (key attributes of a raw item are ignored)."""
        internal = self.keys.internal_attributes()
        return self.stored_values(model, {k: v for k, v in values.items() if k not in internal})

    def stored_values(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` checked against the model and cast to what is written."""
        self.registry.model(model)  # an unknown model is named as such
        self.check_names(model, values)
        info = ModelInfo.of(self.registry, model)
        encoders, stamps = info.encoders, info.timestamps
        stored: dict[str, Any] = {}
        for name, value in values.items():
            encode = encoders.get(name)
            if encode is not None:
                stored[name] = encode(value)
            elif name in stamps and value is not None:
                stored[name] = self.transformer.timestamp(value)
            else:
                stored[name] = value
        return stored

    def check_names(self, model: str, names: Iterable[str]) -> None:
        """Refuse attributes ``model`` does not declare (with the closest name as a hint)."""
        allowed = ModelInfo.of(self.registry, model).allowed
        for name in names:
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise AttributeCastError(
                    f"{model} has no attribute {name!r}{hint} (declare it on the model)"
                )

    def primary_key(self, model: str, values: Mapping[str, Any]) -> dict[str, str]:
        return self.keys.primary_key(model, values)

    def key_of_item(self, model: str, item: Mapping[str, Any]) -> dict[str, str]:
        """``primary_key(model, item)`` of an item :meth:`new_item` built: it holds its key
        already (the key scheme derived it from the same values)."""
        design = self.keys.design
        pk_name, sk_name = design.partition_key_name, design.sort_key_name
        if pk_name in item and sk_name in item:
            return {pk_name: item[pk_name], sk_name: item[sk_name]}
        return self.primary_key(model, item)

    def touched(self, definition: ModelDefinition) -> dict[str, Any]:
        """What the model's traits set on every update (``{updated_at: now}`` for models with
        timestamps)."""
        return traits.on_update(definition, self.config, self.transformer.now)

    # Conditions.
    def exists(self) -> Condition:
        return attr(self.keys.design.partition_key_name).exists()

    def absent(self) -> Condition:
        name = self.keys.design.partition_key_name
        cached = self._absent
        if cached is None or cached[0] != name:  # conditions are immutable: one is shared
            cached = self._absent = (name, attr(name).not_exists())
        return cached[1]

    def unique_guard(self, attribute: str, value: Any) -> Condition:
        """The item still holds ``value`` (or no value) in ``attribute``."""
        return attr(attribute).not_exists() if value is None else attr(attribute).eq(value)

    def version_condition(self, expected: int) -> Condition:
        """``_v = :expected``: nobody wrote the item since it was read at ``expected``."""
        return attr(self.version_attribute).eq(expected)

    def expected_version(
        self, definition: ModelDefinition, current: Mapping[str, Any], given: int | None
    ) -> int | None:
        """The version a versioned write expects: ``given``, else the current values' one."""
        return traits.expected_version(definition, self.config, current, given)

    def check_identity_unchanged(
        self, model: str, current: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> None:
        """Refuse changing values that define the item's pk/sk: the item would move."""
        entity = self.registry.schema.entity(model)
        for name in identity_attributes(entity):
            if name in changes and not values_equal(changes[name], current.get(name)):
                raise QueryError(
                    f"changing {model}.{name} would move the item to another key (it is part "
                    f"of its pk/sk); delete and insert instead"
                )

    def hidden_names(self, model: str) -> frozenset[str]:
        """Attributes of ``model`` whose values errors must not show: its hidden attributes
        and the index keys derived from them."""
        definition = self.registry.model(model)  # an unknown model is named as such
        return self.registry.derived(
            ("hidden names", model), lambda: self._hidden_names(model, definition)
        )

    def _hidden_names(self, model: str, definition: ModelDefinition) -> frozenset[str]:
        hidden = {a.name for a in definition.attributes if a.hidden}
        if not hidden:
            return frozenset()
        entity = self.registry.schema.entity(model)
        for found in path_keys(self.keys, entity, self.soft_delete_attribute(definition)):
            if found.depends_on & hidden:
                hidden.update(found.names)
        return frozenset(hidden)

    # Sentinels.
    def moved_sentinels(
        self,
        model: str,
        owner_key: Mapping[str, str],
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        reclaim: bool = False,
    ) -> tuple[list[TransactWriteAction], list[UniqueTarget]]:
        """Release each old unique value and reserve each new one (actions from index 1)."""
        actions: list[TransactWriteAction] = []
        targets: list[UniqueTarget] = []
        hidden = self.hidden_names(model) if new else frozenset()
        for name in new:
            before, after = old.get(name), new[name]
            if before is not None and not values_equal(before, after):
                actions.append(
                    release_sentinel(
                        self.keys, self.table_for(model), model, name, before, owner_key
                    )
                )
            if after is not None and (reclaim or not values_equal(before, after)):
                target = UniqueTarget(len(actions) + 1, model, name, after, name in hidden)
                reserve = reserve_sentinel(
                    self.keys, self.table_for(model), target, owner_key, reclaim=reclaim
                )
                actions.append(reserve)
                targets.append(target)
        return actions, targets

    # The entity update every update-like write shares.
    def update_plan(
        self,
        model: str,
        current: Mapping[str, Any],
        sets: Mapping[str, Any],
        *,
        update: Update | None = None,
        guards: Sequence[Condition] = (),
        expects: Mapping[str, Any] | None = None,
        extras: Sequence[TransactWriteAction] = (),
        uniques: Sequence[UniqueTarget] = (),
        require_version: bool = False,
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """UpdateItem on the existing item: SET/REMOVE ``sets`` (``None`` removes), touch
        ``updated_at``, recompute derived keys, check and bump the version; ``extras``
        (sentinel moves) make it a transaction."""
        definition = self.registry.model(model)
        key = self.primary_key(model, current)
        expected = self.expected_version(definition, current, options.get("expect_version"))
        if require_version and expected is None and traits.uses(definition, "versioning"):
            raise QueryError(
                f"{model} is versioned: pass expect_version=... or include "
                f"{self.version_attribute!r} in the current values"
            )
        touched = self.touched(definition).items()
        sets = {**sets, **{name: now for name, now in touched if name not in sets}}
        update = self._assignments(model, definition, current, sets, update or Update())
        update, version_condition = self._versioning(definition, update, expected)
        conditions = [self.exists(), *guards]
        if version_condition is not None:
            conditions.insert(1, version_condition)
        if (extra := options.get("condition")) is not None:
            conditions.append(extra)
        action = TransactUpdate(
            self.table_for(model),
            key,
            update,
            and_(*conditions),
            self.on_failure(expected, options.get("return_values_on_condition_check_failure")),
        )
        return make_plan(
            [action, *extras],
            return_values=options.get("return_values"),
            model=model,
            key=key,
            changes=self._written(sets, expected),
            uniques=tuple(uniques),
            versions=self.version_targets(model, key, expected),
            kind="update",
            ident=current.get(definition.primary_key),
            expects=dict(expects or {}),
            must_exist=True,
            hidden=self.hidden_names(model),
        )

    def on_failure(
        self, expected: int | None, given: ReturnValuesOnConditionCheckFailure | None
    ) -> ReturnValuesOnConditionCheckFailure | None:
        """``ALL_OLD`` on version-checked writes, to tell a version conflict from another
        failed condition (unless the caller chose)."""
        return "ALL_OLD" if given is None and expected is not None else given

    def version_targets(
        self, model: str, key: Mapping[str, str], expected: int | None
    ) -> tuple[VersionTarget, ...]:
        if expected is None:
            return ()
        return (VersionTarget(0, model, expected, self.version_attribute, dict(key)),)

    def _written(self, sets: Mapping[str, Any], expected: int | None) -> dict[str, Any]:
        changes = dict(sets)
        if expected is not None:
            changes[self.version_attribute] = expected + 1
        return changes

    def _assignments(
        self,
        model: str,
        definition: ModelDefinition,
        current: Mapping[str, Any],
        sets: Mapping[str, Any],
        update: Update,
    ) -> Update:
        for name, value in sets.items():
            update = update.remove(name) if value is None else update.set(name, value)
        after = {**current, **sets}
        changed: Collection[str] = set(sets)
        derived = key_changes(
            self.keys,
            model,
            current,
            after,
            changed,
            soft_delete=self.soft_delete_attribute(definition),
        )
        for name, value in derived.set.items():
            update = update.set(name, value)
        if derived.remove:
            update = update.remove(*derived.remove)
        return update

    def _versioning(
        self, definition: ModelDefinition, update: Update, expected: int | None
    ) -> tuple[Update, Condition | None]:
        return traits.versioned_update(definition, self.config, update, expected)
