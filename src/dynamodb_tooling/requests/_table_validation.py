"""Checks of table and index definitions against DynamoDB's rules, made before sending.

DynamoDB answers a bad CreateTable with one terse ``ValidationException`` at a time; these checks
name every part of the definition involved (the table or index, the attribute) and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dynamodb_tooling.errors import RequestValidationError

MAX_GSIS = 20
MAX_LSIS = 5
MAX_PROJECTED_ATTRIBUTES = 100
ATTRIBUTE_TYPES = ("S", "N", "B")
BILLING_MODES = ("PROVISIONED", "PAY_PER_REQUEST")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")

_NAME = re.compile(r"[A-Za-z0-9_.\-]{3,255}")

#: Attribute name → the parts of the definition whose key schema uses it.
UsedAttributes = dict[str, list[str]]


def check_name(name: object, what: str) -> str:
    """``name`` if it is a valid table, index or backup name (3 to 255 of ``[A-Za-z0-9_.-]``)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RequestValidationError(
            f"{what} {name!r} is not a valid name: use 3 to 255 characters, each a letter, "
            "digit, '_', '-' or '.'"
        )
    return name


def wire_field(mapping: object, name: str, where: str) -> Any:
    """``mapping[name]``, or a clear error naming the part of the definition that lacks it."""
    if not isinstance(mapping, Mapping):
        raise RequestValidationError(f"{where} must be a mapping of wire names, got {mapping!r}")
    if name not in mapping:
        raise RequestValidationError(f"{where} has no {name}; add it")
    return mapping[name]


def check_key_schema(schema: object, where: str) -> tuple[str, str | None]:
    """The (HASH, RANGE) attribute names of a KeySchema: one HASH first, at most one RANGE."""
    if not isinstance(schema, Sequence) or not 1 <= len(schema) <= 2:
        raise RequestValidationError(
            f"the KeySchema of {where} must list one HASH key (partition key) and optionally "
            f"one RANGE key (sort key); got {schema!r}"
        )
    types = [
        wire_field(element, "KeyType", f"a KeySchema element of {where}") for element in schema
    ]
    if types not in (["HASH"], ["HASH", "RANGE"]):
        raise RequestValidationError(
            f"the KeySchema of {where} has key types {types}: it needs exactly one HASH key, "
            "listed first, and at most one RANGE key after it"
        )
    names = [wire_field(e, "AttributeName", f"a KeySchema element of {where}") for e in schema]
    if len(set(names)) != len(names):
        raise RequestValidationError(
            f"the KeySchema of {where} uses {names[0]!r} as both HASH and RANGE key; "
            "use two different attributes"
        )
    return names[0], names[1] if len(names) == 2 else None


def check_projection(index: Mapping[str, Any], where: str) -> int:
    """Check an index's Projection; returns how many NonKeyAttributes it projects."""
    projection = wire_field(index, "Projection", where)
    kind = wire_field(projection, "ProjectionType", f"the Projection of {where}")
    non_key = projection.get("NonKeyAttributes")
    if kind not in PROJECTION_TYPES:
        raise RequestValidationError(
            f"the ProjectionType of {where} is {kind!r}; use one of {', '.join(PROJECTION_TYPES)}"
        )
    if kind == "INCLUDE" and not non_key:
        raise RequestValidationError(
            f"{where} projects INCLUDE but lists no NonKeyAttributes; name the attributes to "
            "copy into the index, or use ProjectionType 'KEYS_ONLY' or 'ALL'"
        )
    if kind != "INCLUDE" and non_key:
        raise RequestValidationError(
            f"{where} lists NonKeyAttributes with ProjectionType {kind!r}; they are only "
            "allowed with 'INCLUDE' — remove them or switch to 'INCLUDE'"
        )
    return len(non_key or ())


def check_throughput(throughput: object, where: str) -> None:
    """Check a ProvisionedThroughput: both capacity units present and at least 1."""
    for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
        value = wire_field(throughput, unit, f"the ProvisionedThroughput of {where}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RequestValidationError(
                f"the {unit} of {where} must be a whole number of at least 1 (got {value!r})"
            )


def check_index(index: Mapping[str, Any], kind: str) -> tuple[str, str, str | None]:
    """Check one GSI or LSI (name, key schema, projection); returns (name, HASH, RANGE)."""
    name = check_name(wire_field(index, "IndexName", f"a {kind}"), f"the {kind} IndexName")
    where = f"{kind} {name!r}"
    hash_key, range_key = check_key_schema(wire_field(index, "KeySchema", where), where)
    check_projection(index, where)
    return name, hash_key, range_key


def defined_types(definitions: object) -> dict[str, str]:
    """AttributeDefinitions as ``{name: type}``, refusing bad types and duplicates."""
    if not isinstance(definitions, Sequence) or isinstance(definitions, str):
        raise RequestValidationError(
            f"AttributeDefinitions must be a list of {{'AttributeName', 'AttributeType'}} "
            f"entries, got {definitions!r}"
        )
    defined: dict[str, str] = {}
    for entry in definitions:
        name = wire_field(entry, "AttributeName", "an AttributeDefinitions entry")
        kind = wire_field(entry, "AttributeType", f"the AttributeDefinitions entry of {name!r}")
        if kind not in ATTRIBUTE_TYPES:
            raise RequestValidationError(
                f"attribute {name!r} is defined with type {kind!r}; key attributes must be "
                "'S' (string), 'N' (number) or 'B' (binary)"
            )
        if name in defined:
            raise RequestValidationError(
                f"AttributeDefinitions defines {name!r} twice; keep one definition"
            )
        defined[name] = kind
    return defined


def check_defined(defined: Mapping[str, str], used: UsedAttributes) -> None:
    """Every key attribute in ``used`` has an AttributeDefinitions entry."""
    missing = [name for name in used if name not in defined]
    if missing:
        details = "; ".join(f"{name!r} (used by {', '.join(used[name])})" for name in missing)
        raise RequestValidationError(
            f"AttributeDefinitions lacks {details}; add "
            f"{{'AttributeName': {missing[0]!r}, 'AttributeType': 'S'}} (or 'N' / 'B') "
            "for each"
        )


def check_create_table(definition: Mapping[str, Any]) -> None:
    """Check a whole CreateTable definition; raises :class:`RequestValidationError`."""
    for required in ("TableName", "KeySchema", "AttributeDefinitions"):
        wire_field(definition, required, "the CreateTable definition")
    check_name(definition["TableName"], "the TableName")
    hash_key, range_key = check_key_schema(definition["KeySchema"], "the table")
    used: UsedAttributes = {}
    _use(used, "the table", hash_key, range_key)
    gsis = _indexes(definition, "GlobalSecondaryIndexes", MAX_GSIS)
    lsis = _indexes(definition, "LocalSecondaryIndexes", MAX_LSIS)
    names = [_check_gsi(gsi, used) for gsi in gsis]
    names += [_check_lsi(lsi, hash_key, range_key, used) for lsi in lsis]
    _check_unique(names)
    _check_projected_total([*gsis, *lsis])
    defined = defined_types(definition["AttributeDefinitions"])
    check_defined(defined, used)
    _check_unused(defined, used)
    _check_billing(definition, gsis)


def _use(used: UsedAttributes, where: str, hash_key: str, range_key: str | None) -> None:
    for name in (hash_key, range_key):
        if name is not None:
            used.setdefault(name, []).append(where)


def _indexes(definition: Mapping[str, Any], key: str, limit: int) -> list[Mapping[str, Any]]:
    indexes = definition.get(key) or []
    if len(indexes) > limit:
        raise RequestValidationError(
            f"{key} has {len(indexes)} indexes, above DynamoDB's limit of {limit} per table; "
            "overload fewer indexes with generic key attributes (gsi1pk/gsi1sk ...)"
        )
    return list(indexes)


def _check_gsi(gsi: Mapping[str, Any], used: UsedAttributes) -> str:
    name, hash_key, range_key = check_index(gsi, "GSI")
    _use(used, f"GSI {name!r}", hash_key, range_key)
    return name


def _check_lsi(
    lsi: Mapping[str, Any], table_hash: str, table_range: str | None, used: UsedAttributes
) -> str:
    name, hash_key, range_key = check_index(lsi, "LSI")
    if table_range is None:
        raise RequestValidationError(
            f"LSI {name!r} needs a table with a RANGE (sort) key, and the table has none; "
            "add a sort key to the table or make the index a GSI"
        )
    if hash_key != table_hash or range_key is None:
        raise RequestValidationError(
            f"LSI {name!r} must use the table's HASH key {table_hash!r} and its own RANGE key "
            f"(got HASH {hash_key!r}, RANGE {range_key!r}); use a GSI for another partition key"
        )
    _use(used, f"LSI {name!r}", hash_key, range_key)
    return name


def _check_unique(names: Sequence[str]) -> None:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RequestValidationError(
            f"index names must be unique across GSIs and LSIs; {repeated} are used twice"
        )


def _check_projected_total(indexes: Sequence[Mapping[str, Any]]) -> None:
    total = sum(len(i["Projection"].get("NonKeyAttributes") or ()) for i in indexes)
    if total > MAX_PROJECTED_ATTRIBUTES:
        raise RequestValidationError(
            f"the indexes project {total} NonKeyAttributes in total, above DynamoDB's limit of "
            f"{MAX_PROJECTED_ATTRIBUTES} (summed over all indexes); project fewer or use 'ALL'"
        )


def _check_unused(defined: Mapping[str, str], used: UsedAttributes) -> None:
    unused = [name for name in defined if name not in used]
    if unused:
        raise RequestValidationError(
            f"AttributeDefinitions defines {unused}, which no key schema of the table or its "
            "indexes uses; DynamoDB rejects unused definitions — remove them (non-key "
            "attributes need no definition)"
        )


def _check_billing(definition: Mapping[str, Any], gsis: Sequence[Mapping[str, Any]]) -> None:
    mode = definition.get("BillingMode", "PROVISIONED")
    if mode not in BILLING_MODES:
        raise RequestValidationError(
            f"BillingMode {mode!r} is not valid; use 'PAY_PER_REQUEST' or 'PROVISIONED'"
        )
    parts = [("the table", definition)]
    parts += [(f"GSI {gsi['IndexName']!r}", gsi) for gsi in gsis]
    for where, part in parts:
        _check_part_billing(mode, where, part)


def _check_part_billing(mode: str, where: str, part: Mapping[str, Any]) -> None:
    throughput = part.get("ProvisionedThroughput")
    if mode == "PROVISIONED" and throughput is None:
        raise RequestValidationError(
            f"BillingMode is PROVISIONED (the default when BillingMode is absent) but {where} "
            "has no ProvisionedThroughput; add {'ReadCapacityUnits': n, "
            "'WriteCapacityUnits': n} or set BillingMode to 'PAY_PER_REQUEST'"
        )
    if mode == "PAY_PER_REQUEST" and throughput is not None:
        raise RequestValidationError(
            f"BillingMode is PAY_PER_REQUEST but {where} has a ProvisionedThroughput; remove "
            "it (on-demand tables have no provisioned capacity) or use BillingMode 'PROVISIONED'"
        )
    if throughput is not None:
        check_throughput(throughput, where)
