"""Atomic single-item updates: counters, sets, lists and attribute removal.

Each compiles to one UpdateItem on an existing item (``attribute_exists(pk)``) that touches
``updated_at`` and, on versioned models, bumps the version (checked only with
``expect_version``: atomic operations are meant not to need a read first). Attributes that
keys depend on, and unique attributes, are refused: their keys or sentinels must move with the
value, which only :meth:`WriteCompiler.update` knows how to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Unpack

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Path, Update
from dynamodb_tooling.query._write_base import WriteBase, WriteOptions
from dynamodb_tooling.query._write_keys import identity_attributes, path_keys
from dynamodb_tooling.query._write_plan import WritePlan
from dynamodb_tooling.schema import AttributeDefinition, AttributeType
from dynamodb_tooling.schema.casts import to_storage

Number = int | float | Decimal

_NUMBERS: frozenset[AttributeType] = frozenset({"integer", "number", "decimal", "any", "json"})
_SETS: frozenset[AttributeType] = frozenset(
    {"string_set", "number_set", "binary_set", "any", "json"}
)
_LISTS: frozenset[AttributeType] = frozenset({"list", "any", "json"})


class AtomicWrites(WriteBase):
    """``increment``, ``add_to_set``, ``append_to_list``... on one item, by key."""

    def increment(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        by: Number = 1,
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``SET a = if_not_exists(a, 0) + :by`` (no read, no lost updates)."""
        amount = self._amount(model, attribute, by, "increment")
        return self._atomic(model, values, Update().increment(attribute, amount), **options)

    def decrement(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        by: Number = 1,
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``SET a = if_not_exists(a, 0) - :by``."""
        amount = self._amount(model, attribute, by, "decrement")
        return self._atomic(model, values, Update().decrement(attribute, amount), **options)

    def add_to_set(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        elements: Iterable[Any],
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``ADD a :elements`` on a set attribute (creating the set when missing)."""
        members = self._set(model, attribute, elements, "add_to_set")
        return self._atomic(model, values, Update().add(attribute, members), **options)

    def remove_from_set(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        elements: Iterable[Any],
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``DELETE a :elements`` on a set attribute (DynamoDB drops a set left empty)."""
        members = self._set(model, attribute, elements, "remove_from_set")
        return self._atomic(model, values, Update().delete(attribute, members), **options)

    def append_to_list(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        elements: Sequence[Any],
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``SET a = list_append(if_not_exists(a, []), :elements)``."""
        items = self._list(model, attribute, elements, "append_to_list")
        return self._atomic(model, values, Update().append_to_list(attribute, items), **options)

    def prepend_to_list(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        elements: Sequence[Any],
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``SET a = list_append(:elements, if_not_exists(a, []))``."""
        items = self._list(model, attribute, elements, "prepend_to_list")
        return self._atomic(model, values, Update().prepend_to_list(attribute, items), **options)

    def remove_from_list(
        self,
        model: str,
        values: Mapping[str, Any],
        attribute: str,
        indexes: Iterable[int],
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        """``REMOVE a[i], a[j]``: drop list elements by position."""
        self._target(model, attribute, _LISTS, "remove_from_list", "list")
        given = list(indexes)
        if not given or any(isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in given):
            raise QueryError(
                f"remove_from_list() takes one or more list positions (ints from 0), got {given!r}"
            )
        paths = [Path.of(attribute, i) for i in sorted(set(given))]
        return self._atomic(model, values, Update().remove(*paths), **options)

    def remove_attributes(
        self, model: str, values: Mapping[str, Any], *names: str, **options: Unpack[WriteOptions]
    ) -> WritePlan:
        """``REMOVE`` whole attributes (nullable ones); index keys derived from them go too."""
        if not names:
            raise QueryError("remove_attributes() needs at least one attribute name")
        definition = self.registry.model(model)
        self.check_names(model, names)
        for name in names:
            self._refuse_key_attribute(model, name, "remove_attributes", paths=False)
            declared = definition.attribute(name)
            if declared is not None and not declared.nullable:
                raise QueryError(
                    f"{model}.{name} is not nullable, so it cannot be removed; set another "
                    "value with update(), or declare it Optional"
                )
            if declared is None and name in self.transformer.managed_attributes(definition):
                raise QueryError(f"{model}.{name} is maintained by the library; leave it be")
        current = self._unversioned(model, values)
        return self.update_plan(model, current, dict.fromkeys(names), **options)

    # Checks.
    def _atomic(
        self,
        model: str,
        values: Mapping[str, Any],
        update: Update,
        **options: Unpack[WriteOptions],
    ) -> WritePlan:
        current = self._unversioned(model, values)
        return self.update_plan(model, current, {}, update=update, **options)

    def _unversioned(self, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
        # Only an explicit expect_version checks the version of an atomic write.
        current = self.current_values(model, values)
        current.pop(self.version_attribute, None)
        return current

    def _target(
        self, model: str, attribute: str, kinds: frozenset[AttributeType], operation: str, what: str
    ) -> AttributeDefinition:
        self.check_names(model, [attribute])
        self._refuse_key_attribute(model, attribute, operation)
        declared = self.registry.model(model).attribute(attribute)
        if declared is None:
            raise QueryError(
                f"{model}.{attribute} is a key or library-maintained attribute; "
                f"{operation}() cannot change it"
            )
        if declared.type not in kinds:
            raise QueryError(
                f"{operation}() needs a {what} attribute, but {model}.{attribute} is declared "
                f"{declared.type!r}"
            )
        return declared

    def _refuse_key_attribute(
        self, model: str, attribute: str, operation: str, *, paths: bool = True
    ) -> None:
        definition = self.registry.model(model)
        entity = self.registry.schema.entity(model)
        declared = definition.attribute(attribute)
        if declared is not None and declared.unique:
            raise QueryError(
                f"{model}.{attribute} is unique: its sentinel must move with the value, so "
                f"{operation}() cannot change it; use update()"
            )
        if attribute in identity_attributes(entity):
            raise QueryError(
                f"{model}.{attribute} is part of the item's pk/sk; {operation}() cannot change "
                "it (delete and insert instead)"
            )
        soft = self.soft_delete_attribute(definition)
        keyed = {a for p in path_keys(self.keys, entity, soft) for a in p.depends_on}
        if paths and attribute in keyed:
            raise QueryError(
                f"{model}.{attribute} is part of an index key; {operation}() cannot recompute "
                "the key, so set the new value with update()"
            )

    def _amount(self, model: str, attribute: str, by: Number, operation: str) -> Number:
        declared = self._target(model, attribute, _NUMBERS, operation, "numeric")
        if isinstance(by, bool) or not isinstance(by, int | float | Decimal):
            raise QueryError(f"{operation}() takes a number, got {type(by).__name__} {by!r}")
        if declared.type in ("integer", "number", "decimal"):
            amount: Number = to_storage(declared, by, model)
            return amount
        return by

    def _set(self, model: str, attribute: str, elements: Iterable[Any], operation: str) -> Any:
        declared = self._target(model, attribute, _SETS, operation, "set")
        members = to_storage(declared, elements, model)
        members = set(members) if isinstance(members, list | tuple | frozenset) else members
        if not isinstance(members, set) or not members:
            raise QueryError(
                f"{operation}() takes a non-empty set of elements for {model}.{attribute}, "
                f"got {elements!r} (DynamoDB has no empty sets)"
            )
        return members

    def _list(
        self, model: str, attribute: str, elements: Sequence[Any], operation: str
    ) -> list[Any]:
        declared = self._target(model, attribute, _LISTS, operation, "list")
        if isinstance(elements, str | bytes) or not isinstance(elements, Sequence):
            raise QueryError(
                f"{operation}() takes a list of elements, got {type(elements).__name__}; "
                f"write {operation}(..., [element]) for one element"
            )
        cast = to_storage(declared, list(elements), model)
        return list(cast)
