"""Text of access patterns: notes, expression texts, the JSON and the markdown documents."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from dynamodb_tooling.schema.keys import KeyQuery
from dynamodb_tooling.schema.table import placeholder

if TYPE_CHECKING:
    from dynamodb_tooling.schema.access_patterns import AccessPattern

SortCondition = Literal["=", "begins_with", "between"]

MATRIX_HEADER = "| Entity | Pattern | Operation | Index | Cost |"

#: Performance notes, by pattern kind (formatted with the pattern's names).
NOTES = {
    "id": "one GetItem on the primary key: the cheapest read (strongly consistent on request)",
    "collection_id": (
        "{name} lives in its {root}'s partition; its id-only copy on {index} finds it with one "
        "Query (eventually consistent). Knowing the {root}, a GetItem on the full key is cheaper"
    ),
    "all": (
        "Scan of the whole table filtered by entity type: cost grows with the table, not the "
        "result (PerformanceWarning; refused when allow_scan is off). Page with cursors, or "
        "list through a relation or an indexed attribute instead"
    ),
    "unique": (
        "GetItem on the unique sentinel of {attribute}, which holds the owner's key, then "
        "GetItem of the {name}: two reads, never a Scan"
    ),
    "expiry": (
        "one Query on the sparse {index}: only {names} with a {attribute} (TTL) are in it, "
        "sorted by expiry, so a sweeper finds what expires next without a Scan"
    ),
    "attribute": (
        "one Query on the sparse {index}: only {names} with a {attribute} are in the index, so "
        "it stays smaller (and cheaper) than the table"
    ),
    "no_index": (
        "no index ({child}.{relation} has index=False): a Scan filtered by {fk}; give the "
        "relation a GSI slot or make it a collection"
    ),
    "parent": "one Query on {index} (the {parent}'s id is its partition)",
    "collection": (
        "one Query on the {parent}'s partition (an item collection: strongly consistent reads "
        "possible)"
    ),
    "sorted": (
        "one Query on {index}, in {sort} order (ScanIndexForward=False for newest first); "
        "item collections with an LSI are limited to 10 GB per partition key"
    ),
    "parent_of": "the {child} holds {fk}: one GetItem (BatchGetItem for many {children}, no N+1)",
    "parent_of_nested": "the {child} holds only {fk}: one Query on the {parent}'s id index",
    "fetch": (
        "one Query returns the {name} and its whole item collection ({members}): the "
        "single-table win, no joins, no N+1"
    ),
    "fetch_nested": (
        "; a BETWEEN on the {name}'s sort key takes the {name} and what is nested under it, "
        "never a sibling whose id extends this one"
    ),
    "edges": (
        "one Query for the {pivot} edges on {where}, then BatchGetItem of the {names} (100 keys "
        "per request, in parallel)"
    ),
}


# Expression texts.


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_key(key: Mapping[str, str]) -> str:
    """``pk = "USER#<id>" AND sk = "USER#<id>"``."""
    return " AND ".join(f"{name} = {quote(value)}" for name, value in key.items())


def render_query(query: KeyQuery, sort: SortCondition | None) -> str:
    """``gsi1pk = "USER#<user_id>" AND begins_with(gsi1sk, "POST#")``."""
    partition = query.partition_value
    if query.shards > 1:
        partition += query.delimiter + placeholder(f"shard 0..{query.shards - 1}", "#")
    text = f"{query.partition_attribute} = {quote(partition)}"
    if sort == "=":
        text += f" AND {query.sort_attribute} = {quote(query.sort_prefix)}"
    elif sort == "begins_with":
        text += f" AND begins_with({query.sort_attribute}, {quote(query.sort_prefix)})"
    elif sort == "between":
        upper = quote(query.sort_prefix + query.delimiter) + " + max"
        text += f" AND {query.sort_attribute} BETWEEN {quote(query.sort_prefix)} AND {upper}"
    return text


def render_filter(
    entity_type_attribute: str,
    entity_types: Sequence[str],
    equals: Sequence[tuple[str, str]],
) -> str | None:
    """``_et = "User"``, ``_et IN ("User", "Order")``, plus ``attribute = "value"`` terms."""
    parts = []
    if len(entity_types) == 1:
        parts.append(f"{entity_type_attribute} = {quote(entity_types[0])}")
    elif entity_types:
        listed = ", ".join(quote(t) for t in entity_types)
        parts.append(f"{entity_type_attribute} IN ({listed})")
    parts += [f"{name} = {quote(value)}" for name, value in equals]
    return " AND ".join(parts) or None


# JSON.


def _query_dict(query: KeyQuery, sort: SortCondition | None) -> dict[str, Any]:
    return {
        "index": query.index,
        "partition_attribute": query.partition_attribute,
        "partition_value": query.partition_value,
        "sort_attribute": query.sort_attribute,
        "sort_condition": sort,
        "sort_value": query.sort_prefix if sort else None,
        "shards": query.shards,
    }


def pattern_dict(p: AccessPattern) -> dict[str, Any]:
    """One pattern as plain data, in a stable key order."""
    query = p.key_query
    return {
        "entity": p.entity,
        "name": p.name,
        "operation": p.operation,
        "index": p.index,
        "key_condition": p.key_condition,
        "filter": p.filter,
        "cost": p.cost,
        "then": p.then,
        "note": p.note,
        "example": p.example,
        "inputs": list(p.inputs),
        "key": p.key,
        "key_query": None if query is None else _query_dict(query, p.sort_condition),
        "entity_types": list(p.entity_types),
        "filter_equals": [list(pair) for pair in p.filter_equals],
    }


def render_json(
    patterns: Sequence[AccessPattern],
    warnings: Sequence[str],
    tables: Mapping[str, str] | None = None,
) -> str:
    """``tables`` (model → table, when models have their own ``table=``) is added as is."""
    data: dict[str, Any] = {
        "patterns": [pattern_dict(p) for p in patterns],
        "warnings": list(warnings),
    }
    if tables:
        data["tables"] = dict(tables)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# Markdown.


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _matrix(patterns: Sequence[AccessPattern]) -> list[str]:
    rows = [MATRIX_HEADER, "|---|---|---|---|---|"]
    for p in patterns:
        operation = f"{p.operation} → {p.then}" if p.then else p.operation
        rows.append(
            f"| {_cell(p.entity)} | {_cell(p.name)} | {operation} | {p.index or 'table'} "
            f"| {p.cost} |"
        )
    return rows


def _section(pattern: AccessPattern) -> list[str]:
    lines = ["", f"### {pattern.name}", ""]
    where = f" on {pattern.index}" if pattern.index else ""
    then = f", then {pattern.then}" if pattern.then else ""
    lines.append(f"- Operation: {pattern.operation}{where}{then} (cost class: {pattern.cost})")
    if pattern.key_condition:
        lines.append(f"- Key condition: `{pattern.key_condition}`")
    if pattern.filter:
        lines.append(f"- Filter: `{pattern.filter}`")
    if pattern.inputs:
        lines.append(f"- Needs: {', '.join(pattern.inputs)}")
    lines += [f"- Note: {pattern.note}", "", "```python", pattern.example, "```"]
    return lines


def render_markdown(
    patterns: Sequence[AccessPattern],
    warnings: Sequence[str],
    tables: Mapping[str, str] | None = None,
) -> str:
    """The access-pattern document: matrix, warnings, then one section per entity (saying
    its table when models have their own, ``tables``: model → table)."""
    lines = ["# Access patterns", "", *_matrix(patterns)]
    if warnings:
        lines += ["", "## Warnings", "", *(f"- {w}" for w in warnings)]
    for entity in dict.fromkeys(p.entity for p in patterns):
        lines += ["", f"## {entity}"]
        if tables and entity in tables:
            lines += ["", f"In table `{tables[entity]}`."]
        for pattern in patterns:
            if pattern.entity == entity:
                lines += _section(pattern)
    return "\n".join(lines) + "\n"
