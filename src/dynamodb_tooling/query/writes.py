"""The write side of the query layer: model writes compiled to requests, without IO.

:class:`WriteCompiler` turns ``insert``/``upsert``/``update``/``delete`` (and soft deletes and
atomic operations) of a model's values into a :class:`WritePlan`: the exact request, every key
derived by the registry's :class:`KeyScheme`, unique values guarded by sentinel items in the same
transaction, versions checked. :func:`~dynamodb_tooling.query.unique.run_write` sends a plan;
:func:`~dynamodb_tooling.query.transaction.transaction` merges several into one transaction.

>>> compiler = WriteCompiler(registry, "MainTable")                       # doctest: +SKIP
>>> plan = compiler.insert("User", {"email": "ada@example.com", "name": "Ada"})  # doctest: +SKIP
>>> plan.request.operation                                                # doctest: +SKIP
'TransactWriteItems'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Unpack

from dynamodb_tooling._types import ReturnValuesOnConditionCheckFailure
from dynamodb_tooling.errors import QueryError, RequestValidationError
from dynamodb_tooling.expressions import Condition, and_, compile_expressions
from dynamodb_tooling.marshal import ValueRefused, marshall_item, marshaller_of
from dynamodb_tooling.query._write_atomic import AtomicWrites
from dynamodb_tooling.query._write_base import WriteOptions
from dynamodb_tooling.query._write_plan import (
    UniqueTarget,
    VersionTarget,
    WritePlan,
    insert_plan,
    make_plan,
)
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.query.unique import release_sentinel
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests._validate import refuse_oversized
from dynamodb_tooling.requests.batch import ProgressCallback, batch_write, delete, put
from dynamodb_tooling.requests.transactions import (
    ConditionCheck,
    TransactDelete,
    TransactPut,
    TransactWriteAction,
    transact_write,
)
from dynamodb_tooling.schema import ModelDefinition, traits
from dynamodb_tooling.schema.casts import values_equal
from dynamodb_tooling.schema.keys import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    ModelInfo,
    clock_is_set,
    generate_id,
    utc_now,
)
from dynamodb_tooling.schema.validation import compile_validator, validate_values

__all__ = [
    "UniqueTarget",
    "VersionTarget",
    "WriteCompiler",
    "WriteOptions",
    "WritePlan",
    "delete_many",
    "insert_many",
]


class WriteCompiler(AtomicWrites):
    """Compiles model writes for the models of ``registry`` on ``table`` (default: the
    configured table) into :class:`WritePlan` objects. Pure: nothing is sent.

    Values are model values as Python (``{"id": ..., "email": ...}``); "current values" are
    the item's values as read (they must hold its id and collection ancestors' ids; a raw item
    with key attributes is accepted). ``clock`` gives timestamps (a fixed one in tests).
    """

    def new_item(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """The full item for new ``values`` (an id generated when missing), validated."""
        definition = self.registry.model(model)
        if values.get(definition.primary_key) is None:
            values = {**values, definition.primary_key: generate_id(definition)}
        validate_values(definition, values, partial=False)
        return self.transformer.to_item(model, values)

    def insert_builder(self, model: str) -> InsertBuilder:
        """The model's compiled insert, rebuilt when the registry resolves anew."""
        info = ModelInfo.of(self.registry, model)
        builder: InsertBuilder | None = self._inserts.get(model)
        if builder is None or builder.info is not info:
            builder = self._inserts[model] = InsertBuilder(self, model, info)
        return builder

    def insert(
        self,
        model: str,
        values: Mapping[str, Any],
        *,
        condition: Condition | None = None,
        return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None = None,
    ) -> WritePlan:
        """Put a new item, only if none exists at its key; unique values reserve sentinels in
        the same transaction (a taken value writes nothing)."""
        on_failure = return_values_on_condition_check_failure
        if condition is None and on_failure is None:
            plan = self.insert_builder(model).plan(values)
            if plan is not None:
                return plan
        return self.insert_general(
            model, values, condition=condition, return_values_on_condition_check_failure=on_failure
        )

    def insert_general(
        self,
        model: str,
        values: Mapping[str, Any],
        *,
        condition: Condition | None = None,
        return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None = None,
    ) -> WritePlan:
        """:meth:`insert` without its compiled fast path (:class:`InsertBuilder`): what the
        fast path must equal, and what it falls back to for anything unusual."""
        item = self.new_item(model, values)
        key = self.key_of_item(model, item)
        absent = self.absent()
        on_failure = return_values_on_condition_check_failure
        both = absent if condition is None else and_(absent, condition)
        entity = TransactPut(self.table_for(model), item, both, on_failure)
        definition = self.registry.model(model)
        unique = {a.name: item.get(a.name) for a in definition.unique_attributes}
        extras, targets = self.moved_sentinels(model, key, {}, unique) if unique else ([], [])
        return make_plan(
            [entity, *extras],
            model=model,
            key=key,
            item=item,
            uniques=targets,
            kind="put",
            must_be_absent=True,
            ident=item.get(definition.primary_key),
            hidden=self.hidden_names(model),
        )

    def upsert(
        self,
        model: str,
        values: Mapping[str, Any],
        *,
        original: Mapping[str, Any] | None = None,
        if_not_exists: bool = False,
        if_exists: bool = False,
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """Put the whole item, replacing any item at its key.

        Unique values are reserved unless another item holds them (a sentinel this item already
        owns is fine). On models with unique attributes ``original`` is required: the values the
        item has now (its old unique values' sentinels are released, and the put only goes
        through while the item still holds them), or ``{}`` when no item exists yet (the put
        then requires that). ``QueryBuilder.upsert`` reads it for you. On versioned models the
        version in ``original`` is checked.
        """
        if if_exists and if_not_exists:
            raise QueryError("if_exists and if_not_exists exclude each other; pass one")
        definition = self.registry.model(model)
        if original is None and definition.unique_attributes:
            names = ", ".join(a.name for a in definition.unique_attributes)
            raise QueryError(
                f"upsert() of {model} needs original=: the item's current values (or {{}} when "
                f"it does not exist yet), so the sentinels of its unique values ({names}) stay "
                f"exact; {model}.query().upsert(...) reads them for you"
            )
        if original is not None and not original and definition.unique_attributes:
            if_not_exists, if_exists = True, False  # "known absent": the put must find no item
        current = None if original is None else self.current_values(model, original)
        expected = self.expected_version(definition, current or {}, options.get("expect_version"))
        if expected is not None:
            values = {**values, self.version_attribute: expected + 1}
        if current:  # what the replaced item hands on (timestamps: its created_at)
            values = traits.on_replace(definition, self.config, current, values)
        item = self.new_item(model, values)
        if current:
            self.check_identity_unchanged(model, current, item)
        key = self.primary_key(model, item)
        old = {a.name: current.get(a.name) for a in definition.unique_attributes} if current else {}
        new = {a.name: item.get(a.name) for a in definition.unique_attributes}
        extras, targets = self.moved_sentinels(model, key, old, new, reclaim=True)
        conditions = self._put_conditions(expected, old, new, if_exists, if_not_exists)
        if (extra := options.get("condition")) is not None:
            conditions.append(extra)
        given = options.get("return_values_on_condition_check_failure")
        entity = TransactPut(
            self.table_for(model),
            item,
            and_(*conditions) if conditions else None,
            self.on_failure(expected, given),
        )
        return make_plan(
            [entity, *extras],
            return_values=options.get("return_values"),
            model=model,
            key=key,
            item=item,
            uniques=targets,
            versions=self.version_targets(model, key, expected),
            kind="put",
            ident=item.get(definition.primary_key),
            expects=old,
            must_exist=if_exists,
            must_be_absent=if_not_exists,
            hidden=self.hidden_names(model),
        )

    def _put_conditions(
        self,
        expected: int | None,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        if_exists: bool,
        if_not_exists: bool,
    ) -> list[Condition]:
        conditions = [self.absent()] if if_not_exists else [self.exists()] if if_exists else []
        if expected is not None:
            conditions.append(self.version_condition(expected))
        # Every unique value the item holds must still be there: a value changed in between
        # would leave its sentinel behind.
        return conditions + [self.unique_guard(name, old[name]) for name in old]

    def update(
        self,
        model: str,
        original: Mapping[str, Any],
        changes: Mapping[str, Any],
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """UpdateItem setting ``changes`` on the existing item ``original`` (its current values).

        ``None`` removes an attribute; ``updated_at`` is touched; derived index keys follow the
        changed attributes; versioned models check and bump the version; a changed unique value
        moves its sentinel in the same transaction. Changing the id or a collection parent's id
        is refused (it would move the item).
        """
        if not changes:
            raise QueryError(
                f"nothing to update on {model}: changes is empty (use touch() to only bump "
                "updated_at)"
            )
        if self.version_attribute in changes:
            raise QueryError(
                f"{model}.{self.version_attribute} is maintained by optimistic locking; pass "
                "expect_version=... instead of setting it"
            )
        validate_values(self.registry.model(model), changes, partial=True)
        current = self.current_values(model, original)
        stored = self.stored_values(model, changes)
        self.check_identity_unchanged(model, current, stored)
        definition = self.registry.model(model)
        old = {
            a.name: current.get(a.name) for a in definition.unique_attributes if a.name in stored
        }
        new = {name: stored[name] for name in old}
        key = self.primary_key(model, current)
        extras, targets = self.moved_sentinels(model, key, old, new)
        moved = {name: old[name] for name in old if not values_equal(old[name], new[name])}
        guards = [self.unique_guard(name, value) for name, value in moved.items()]
        return self.update_plan(
            model,
            current,
            stored,
            guards=guards,
            expects=moved,
            extras=extras,
            uniques=targets,
            require_version=True,
            **options,
        )

    def touch(
        self, model: str, values: Mapping[str, Any], **options: Unpack[WriteOptions]
    ) -> WritePlan:
        """Only bump ``updated_at`` (and the version) of an existing item."""
        if not traits.uses(self.registry.model(model), "timestamps"):
            raise QueryError(f"{model} has no timestamps to touch; declare timestamps=True")
        return self.update_plan(model, self.current_values(model, values), {}, **options)

    def delete(
        self,
        model: str,
        values: Mapping[str, Any],
        *,
        if_exists: bool = False,
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """DeleteItem (a hard delete, also of soft-deleting models); unique sentinels are
        released in the same transaction. Deleting a missing item is no error unless
        ``if_exists``. ``values`` are the item's current values (its unique values included).
        """
        definition = self.registry.model(model)
        current = self.current_values(model, values)
        key = self.primary_key(model, current)
        expected = self.expected_version(definition, current, options.get("expect_version"))
        releases: list[TransactWriteAction] = [
            release_sentinel(self.keys, self.table_for(model), model, a.name, current[a.name], key)
            for a in definition.unique_attributes
            if current.get(a.name) is not None
        ]
        conditions = self._delete_conditions(definition, current, expected, if_exists)
        if (extra := options.get("condition")) is not None:
            conditions.append(extra)
        given = options.get("return_values_on_condition_check_failure")
        entity = TransactDelete(
            self.table_for(model),
            key,
            and_(*conditions) if conditions else None,
            self.on_failure(expected, given),
        )
        held = {a.name: current.get(a.name) for a in definition.unique_attributes}
        return make_plan(
            [entity, *releases],
            return_values=options.get("return_values"),
            model=model,
            key=key,
            versions=self.version_targets(model, key, expected),
            kind="delete",
            ident=current.get(definition.primary_key),
            expects=held,
            must_exist=if_exists,
            hidden=self.hidden_names(model),
        )

    #: A hard delete; the name soft-deleting models use in Eloquent.
    force_delete = delete

    def _delete_conditions(
        self,
        definition: ModelDefinition,
        current: Mapping[str, Any],
        expected: int | None,
        if_exists: bool,
    ) -> list[Condition]:
        conditions = [self.exists()] if if_exists else []
        if expected is not None:
            conditions.append(self.version_condition(expected))
        unique = definition.unique_attributes
        if unique:
            # The item must still hold the values whose sentinels are released (or be gone),
            # so a stale read never leaves a sentinel behind.
            holds = [self.unique_guard(a.name, current.get(a.name)) for a in unique]
            conditions.append(self.absent() | and_(*holds))
        return conditions

    def soft_delete(
        self, model: str, values: Mapping[str, Any], **options: Unpack[WriteOptions]
    ) -> WritePlan:
        """Set ``deleted_at`` and drop the item from its indexed-attribute (sparse) indexes;
        unique values stay reserved."""
        marker = self._soft_delete_marker(model)
        now = self.transformer.timestamp(self.transformer.clock())
        return self.update_plan(model, self.current_values(model, values), {marker: now}, **options)

    def restore(
        self, model: str, values: Mapping[str, Any], **options: Unpack[WriteOptions]
    ) -> WritePlan:
        """Remove ``deleted_at`` and put the item back into its indexed-attribute indexes
        (``values`` must hold the indexed attributes' values)."""
        marker = self._soft_delete_marker(model)
        return self.update_plan(
            model, self.current_values(model, values), {marker: None}, **options
        )

    def _soft_delete_marker(self, model: str) -> str:
        marker = self.soft_delete_attribute(self.registry.model(model))
        if marker is None:
            raise QueryError(
                f"{model} does not use soft deletes; declare soft_deletes=True, or delete()"
            )
        return marker

    def condition_check(
        self,
        model: str,
        values: Mapping[str, Any],
        condition: Condition,
        *,
        return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None = None,
    ) -> WritePlan:
        """A transaction-only check that ``condition`` holds on the item (nothing written)."""
        key = self.primary_key(model, self.current_values(model, values))
        table = self.table_for(model)
        check = ConditionCheck(table, key, condition, return_values_on_condition_check_failure)
        return WritePlan(transact_write([check]), (check,), model=model, key=key)


def _refuse_unique(definition: ModelDefinition, operation: str) -> None:
    if definition.unique_attributes:
        names = ", ".join(a.name for a in definition.unique_attributes)
        raise QueryError(
            f"{operation}() cannot write {definition.name} items: {names} must stay unique, "
            "which needs a transaction per item (BatchWriteItem has no conditions); use "
            "transaction() or insert()/delete() per item"
        )


def insert_many(
    client: Executor,
    compiler: WriteCompiler,
    model: str,
    values_list: Sequence[Mapping[str, Any]],
    *,
    on_progress: ProgressCallback | None = None,
) -> list[dict[str, Any]]:
    """Write many new items with BatchWriteItem (chunks of 25, in parallel, unprocessed items
    retried); returns the items written. A batch put has no condition: an item with the same
    key is replaced. Models with unique attributes are refused (they need transactions).
    """
    return client.run(insert_many_flow(compiler, model, values_list, on_progress=on_progress))


def insert_many_flow(
    compiler: WriteCompiler,
    model: str,
    values_list: Sequence[Mapping[str, Any]],
    *,
    on_progress: ProgressCallback | None = None,
) -> Flow[list[dict[str, Any]]]:
    """The flow of :func:`insert_many` (bad input fails when it is built, before any request)."""
    _refuse_unique(compiler.registry.model(model), "insert_many")
    items = [compiler.new_item(model, values) for values in values_list]
    design = compiler.keys.design
    seen: dict[tuple[Any, Any], int] = {}
    for index, item in enumerate(items):
        key = (item[design.partition_key_name], item[design.sort_key_name])
        if key in seen:
            raise RequestValidationError(
                f"insert_many(): items {seen[key]} and {index} have the same key {key!r}; "
                "BatchWriteItem rejects two writes to one item"
            )
        seen[key] = index
    return _written_items(items, compiler.table_for(model), on_progress)


def _written_items(
    items: list[dict[str, Any]], table: str, on_progress: ProgressCallback | None
) -> Flow[list[dict[str, Any]]]:
    if items:
        yield from batch_write({table: [put(i) for i in items]}, on_progress=on_progress)
    return items


def delete_many(
    client: Executor,
    compiler: WriteCompiler,
    model: str,
    values_list: Sequence[Mapping[str, Any]],
    *,
    on_progress: ProgressCallback | None = None,
) -> int:
    """Hard-delete many items with BatchWriteItem; returns how many keys were deleted
    (repeated keys count once). Models with unique attributes are refused."""
    _refuse_unique(compiler.registry.model(model), "delete_many")
    keys: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for values in values_list:
        key = compiler.primary_key(model, compiler.current_values(model, values))
        keys.setdefault(tuple(sorted(key.items())), key)
    if keys:
        writes = [delete(k) for k in keys.values()]
        client.run(batch_write({compiler.table_for(model): writes}, on_progress=on_progress))
    return len(keys)


class InsertBuilder:
    """:meth:`WriteCompiler.insert` of one model, compiled (once per compiler and registry
    resolution): the values checked and cast, timestamps and the version set, the key built
    from its precomputed prefixes, the item marshalled, and the request put together from a
    skeleton whose condition (no item at the key) is compiled once. It gives the very plan
    :meth:`WriteCompiler.insert_general` gives, or ``None`` (take the general path, which
    words any error) for what it does not handle: unknown names, a missing id or required
    value, unique attributes, keys needing more than the id, values whose key text is
    unusual."""

    __slots__ = (
        "compiler",
        "condition",
        "definition",
        "entity_type",
        "hidden",
        "info",
        "key_names",
        "limits",
        "managed",
        "marshallers",
        "missing",
        "model",
        "names",
        "prefixes",
        "simple_keys",
        "soft_deleted",
        "table",
        "timestamp_format",
        "usable",
        "validate",
    )

    def __init__(self, compiler: WriteCompiler, model: str, info: ModelInfo) -> None:
        self.compiler = compiler
        self.model = model
        self.info = info
        self.table = compiler.table_for(model)  # the compiler's table choice is fixed
        definition = self.definition = info.definition
        registry = compiler.registry
        keys = registry.keys
        design = keys.design
        entity = registry.schema.entity(model)
        self.simple_keys = not (entity.ancestry or entity.gsi_paths or entity.lsi_paths)
        self.key_names = (design.partition_key_name, design.sort_key_name)
        self.prefixes = (keys.pk_token(model), keys.sk_token(model))
        self.limits = (MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES)
        self.entity_type = design.entity_type_attribute
        self.soft_deleted = compiler.soft_delete_attribute(definition)
        self.hidden = compiler.hidden_names(model)
        self.missing = _compile_missing(model, info.required)
        # validate_values(), without its look-up; nothing to call for a model without rules.
        validator = compile_validator(definition)
        self.validate = validator.validate if validator.fields else None
        self.marshallers: dict[type, Callable[[Any, int], Any]] = {}
        self.managed = info.managed
        query = compiler.config.query_builder
        self.timestamp_format = query.timestamp_format
        absent = compiler.absent()
        params = compile_expressions(condition=absent)
        self.condition = absent
        self.names: tuple[str, dict[str, str]] = (
            params.get("ConditionExpression", ""),
            dict(params.get("ExpressionAttributeNames", {})),
        )
        self.usable = not definition.unique_attributes and set(params) == {
            "ConditionExpression",
            "ExpressionAttributeNames",
        }

    def plan(self, values: Mapping[str, Any]) -> WritePlan | None:
        """The insert's plan, or ``None`` when the general path must build it."""
        info = self.info
        definition = self.definition
        if not self.usable or not info.allowed.issuperset(values):
            return None
        ident = values.get(definition.primary_key)
        if ident is None:
            return None
        if self.missing(values):
            return None
        if self.validate is not None:
            self.validate(values, partial=False)
        compiler = self.compiler
        transformer = compiler.transformer
        # EntityTransformer.to_item, spelled out, each value marshalled as it is cast (the
        # item's order: its values, then what _manage adds, then the keys).
        encoders, plain = info.encoders, info.plain_types
        marshallers = self.marshallers
        stored: dict[str, Any] = {}
        wire: dict[str, Any] = {}
        unset = False
        try:
            for name, value in values.items():
                kind = type(value)
                if kind is plain.get(name):
                    stored[name] = value  # what its encoder gives for it
                    if kind is str:
                        wire[name] = {"S": value}
                    elif kind is int and -_INT_LIMIT < value < _INT_LIMIT:
                        wire[name] = {"N": f"{value}"}
                    elif kind is bool:
                        wire[name] = {"BOOL": value}
                    else:
                        wire[name] = (marshallers.get(kind) or self._marshaller(kind))(value, 1)
                    continue
                encode = encoders.get(name)
                if encode is not None:
                    value = encode(value)
                stored[name] = value
                if value is None:
                    unset = True  # stored as no attribute
                elif type(value) is str:  # a datetime's text, say
                    wire[name] = {"S": value}
                else:
                    kind = type(value)
                    wire[name] = (marshallers.get(kind) or self._marshaller(kind))(value, 1)
        except ValueRefused:
            return None  # the general path casts every value first, then words this error
        # EntityTransformer._manage, spelled out (one timestamp for created and updated).
        for name in info.stamped:
            if stored.get(name) is not None:
                stored[name] = transformer.timestamp(stored[name], f"{self.model}.{name}")
        if info.inserting:  # the traits' insert hooks (timestamps, version ...)
            config = compiler.config
            for trait in info.inserting:
                trait.on_insert(definition, config, stored, lambda: self._now(transformer))
        keys = self._keys(stored)
        if unset:
            stored = {k: v for k, v in stored.items() if v is not None}
            stored.update(keys)
            wire = marshall_item(stored)
        else:
            stored.update(keys)
            try:
                for name in self.managed:  # set by _manage where the values had them
                    if name in wire:
                        value = stored[name]
                        wire[name] = (marshallers.get(type(value)) or marshaller_of(type(value)))(
                            value, 1
                        )
                for name, value in islice(stored.items(), len(wire), None):
                    kind = type(value)
                    if kind is str:
                        wire[name] = {"S": value}
                    else:
                        wire[name] = (marshallers.get(kind) or self._marshaller(kind))(value, 1)
            except ValueRefused:
                marshall_item(stored)  # words the error (the general path's)
                raise
        refuse_oversized(wire)
        table = self.table
        expression, names = self.names
        request = Request(
            "PutItem",
            {
                "TableName": table,
                "Item": wire,
                "ConditionExpression": expression,
                "ExpressionAttributeNames": dict(names),
            },
            idempotent=True,
        )
        pk_name, sk_name = self.key_names
        key = {pk_name: stored[pk_name], sk_name: stored[sk_name]}
        return insert_plan(
            request,
            TransactPut(table, stored, self.condition, None),
            model=self.model,
            key=key,
            item=stored,
            ident=stored.get(definition.primary_key),
            hidden=self.hidden,
        )

    def _marshaller(self, kind: type) -> Callable[[Any, int], Any]:
        found = self.marshallers[kind] = marshaller_of(kind)
        return found

    def _now(self, transformer: EntityTransformer) -> str | int:
        """``transformer.timestamp(transformer.clock())``; for the real clock (an aware UTC
        datetime, which the naive-datetime policy lets through) without its checks."""
        if transformer.clock is not utc_now or clock_is_set():  # a test froze it: set_clock
            return transformer.timestamp(transformer.clock())
        moment = datetime.now(UTC)
        fmt = self.timestamp_format
        if fmt == "unix":
            return int(moment.timestamp())
        if fmt == "unix_ms":
            return int(moment.timestamp() * 1000)
        return moment.isoformat()  # "iso"

    def _keys(self, stored: dict[str, Any]) -> dict[str, str]:
        """``KeyScheme.item_keys`` of the cast values: from the prefixes for a model keyed
        by its id alone, whose id is a plain string of a usual length."""
        own = stored.get(self.definition.primary_key)
        keys = self.compiler.keys
        if self.simple_keys and type(own) is str and own and keys.delimiter not in own:
            pk_prefix, sk_prefix = self.prefixes
            pk, sk = pk_prefix + own, sk_prefix + own
            pk_limit, sk_limit = self.limits
            if len(pk) * 4 <= pk_limit and len(sk) * 4 <= sk_limit:
                pk_name, sk_name = self.key_names
                return {pk_name: pk, sk_name: sk, self.entity_type: self.model}
        deleted = self.soft_deleted is not None and stored.get(self.soft_deleted) is not None
        return keys.item_keys(self.model, stored, deleted=deleted)


#: Integers marshalled inline (as ``marshal`` does): larger ones go through its checks.
_INT_LIMIT = 10**38


def _compile_missing(model: str, required: Sequence[str]) -> Callable[[Mapping[str, Any]], bool]:
    """Whether any of ``required`` is missing (or ``None``) in the values, as one expression."""
    test = " or ".join(f"get({name!r}) is None" for name in required) or "False"
    scope: dict[str, Any] = {}
    code = f"def missing(values):\n    get = values.get\n    return {test}"
    exec(compile(code, f"<{model} required>", "exec"), scope)
    missing: Callable[[Mapping[str, Any]], bool] = scope["missing"]
    return missing
