"""Every access pattern of a registry: the request that serves it, its index, cost and an example.

A pattern is documentation *and* data: ``key`` (GetItem), ``key_query`` (Query) or the entity
filter (Scan) say exactly where the items live, built from placeholder values such as
``<user_id>``; :meth:`AccessPattern.bind` rebuilds them for real values.

>>> patterns = registry.access_patterns()  # doctest: +SKIP
>>> patterns.named("List Posts by User").key_condition  # doctest: +SKIP
'gsi1pk = "USER#<user_id>" AND begins_with(gsi1sk, "POST#")'

Naming: ``Get X by id``, ``List all Xs``, ``Get X by <unique attribute>``, ``List Xs by
<indexed attribute>``, ``List Xs by Parent`` (``Get X of Parent`` for has_one), ``Get Parent of
Child``, ``Get X with its Ys (collection)``, ``List Xs of Y`` (many-to-many). A pattern belongs
to the entity whose items it returns (``Get User of Post`` is a User pattern).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema._access_pattern_docs import (
    NOTES,
    SortCondition,
    render_filter,
    render_json,
    render_key,
    render_markdown,
    render_query,
)
from dynamodb_tooling.schema.errors import KeyValueError
from dynamodb_tooling.schema.keys import KeyQuery, KeyScheme
from dynamodb_tooling.schema.naming import plural, snake
from dynamodb_tooling.schema.resolve import EntityScheme, ParentLink, PivotScheme, ResolvedSchema
from dynamodb_tooling.schema.table import placeholder, schema_warnings

Operation = Literal["GetItem", "Query", "Scan"]
FollowUp = Literal["GetItem", "BatchGetItem"]

LOOKUP_NAMES = ("email", "slug", "status", "username")


@dataclass(frozen=True)
class Plan:
    """Where a pattern reads for concrete values: a GetItem key, a Query, or Scan filters."""

    key: dict[str, str] | None = None
    key_query: KeyQuery | None = None
    filter_equals: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Spec:
    entity: str
    name: str
    operation: Operation
    note: str
    example: str
    inputs: tuple[str, ...] = ()
    sort_condition: SortCondition | None = None
    entity_types: tuple[str, ...] = ()
    then: FollowUp | None = None


Planner = Callable[[Mapping[str, Any]], Plan]
Follower = Callable[[Mapping[str, Any]], dict[str, str]]


@dataclass(frozen=True)
class AccessPattern:
    """One way to read items, with the exact request that serves it.

    ``key_condition`` and ``filter`` are the expression texts with real attribute names;
    ``key`` / ``key_query`` / ``entity_types`` + ``filter_equals`` are the same as data.
    ``sort_condition`` says how ``key_query.sort_prefix`` applies (``None``: partition only).
    ``then`` is the follow-up of two-step patterns (the unique sentinel → GetItem of the item;
    many-to-many edges → BatchGetItem of :meth:`follow_up_keys`).
    """

    entity: str
    name: str
    operation: Operation
    index: str | None
    key_condition: str | None
    filter: str | None
    cost: Operation
    note: str
    example: str
    inputs: tuple[str, ...] = ()
    key: dict[str, str] | None = None
    key_query: KeyQuery | None = None
    sort_condition: SortCondition | None = None
    entity_types: tuple[str, ...] = ()
    filter_equals: tuple[tuple[str, str], ...] = ()
    then: FollowUp | None = None
    _bind: Callable[[Mapping[str, Any]], AccessPattern] | None = field(
        default=None, compare=False, repr=False
    )
    _follow: Follower | None = field(default=None, compare=False, repr=False)

    @property
    def is_scan(self) -> bool:
        return self.operation == "Scan"

    def bind(self, values: Mapping[str, Any] | None = None, **more: Any) -> AccessPattern:
        """This pattern for real values: ``pattern.bind(user_id="u1").key_query``."""
        given = {**(values or {}), **more}
        missing = [name for name in self.inputs if given.get(name) is None]
        if missing:
            raise KeyValueError(f"{self.name!r} needs {', '.join(missing)} to build its request")
        assert self._bind is not None
        return self._bind(given)

    def follow_up_keys(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
        """The BatchGetItem keys of the second step, from the edge items the Query returned."""
        if self._follow is None:
            raise KeyValueError(f"{self.name!r} has no follow-up derived from keys")
        return [self._follow(item) for item in items]


@dataclass(frozen=True)
class AccessPatterns:
    """Every access pattern of a registry, plus warnings about patterns without a good index."""

    patterns: tuple[AccessPattern, ...]
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[AccessPattern]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def for_entity(self, name: str) -> tuple[AccessPattern, ...]:
        """The patterns returning items of model ``name``."""
        return tuple(p for p in self.patterns if p.entity == name)

    def named(self, name: str) -> AccessPattern:
        for pattern in self.patterns:
            if pattern.name == name:
                return pattern
        known = ", ".join(p.name for p in self.patterns)
        raise KeyError(f"no access pattern named {name!r} (known: {known})")

    def matrix(self) -> dict[str, dict[str, str]]:
        """Entity → pattern name → ``"Query GSI1"`` / ``"GetItem table"`` / ``"Scan table"``."""
        matrix: dict[str, dict[str, str]] = {}
        for p in self.patterns:
            matrix.setdefault(p.entity, {})[p.name] = f"{p.operation} {p.index or 'table'}"
        return matrix

    def to_json(self) -> str:
        """Every pattern and warning as JSON, keys in a stable order."""
        return render_json(self.patterns, self.warnings)

    def to_markdown(self) -> str:
        """A readable document: the matrix, warnings, then each entity's patterns."""
        return render_markdown(self.patterns, self.warnings)


def generate_access_patterns(
    schema: ResolvedSchema, keys: KeyScheme, config: Config
) -> AccessPatterns:
    """Every access pattern of ``schema`` with the index, key condition and cost class."""
    generator = _Generator(schema, keys)
    patterns = [p for entity in schema.entities for p in generator.entity_patterns(entity)]
    warnings = schema_warnings(schema, config) + lookup_warnings(schema)
    return AccessPatterns(_unique_names(patterns), tuple(warnings))


def lookup_warnings(schema: ResolvedSchema) -> list[str]:
    """Attributes that look like lookups (``*_id``, email, slug, status) without an index."""
    found = []
    for entity in schema.entities:
        model = entity.model
        served = {link.foreign_key for link in (*entity.parents, *entity.ancestry)}
        served |= {p.attribute for p in entity.gsi_paths if p.attribute}
        served |= {p.owner_key for p in entity.pivots} | {p.other_key for p in entity.pivots}
        for attribute in model.attributes:
            name = attribute.name
            looks_like_lookup = name.endswith("_id") or name in LOOKUP_NAMES
            if looks_like_lookup and not attribute.unique and name not in served:
                found.append(
                    f"{model.name}.{name} looks like a lookup attribute but is neither unique "
                    f'nor indexed: {model.name}.where("{name}", ...) needs a Scan; mark it '
                    "index=True (a sparse GSI) or unique=True"
                )
    return found


def _unique_names(patterns: list[AccessPattern]) -> tuple[AccessPattern, ...]:
    counts = Counter(p.name for p in patterns)
    seen: Counter[str] = Counter()
    unique = []
    for pattern in patterns:
        seen[pattern.name] += 1
        if counts[pattern.name] > 1:
            pattern = replace(pattern, name=f"{pattern.name} ({seen[pattern.name]})")
        unique.append(pattern)
    return tuple(unique)


def _assemble(
    spec: _Spec, planner: Planner, follow: Follower | None, et: str, values: Mapping[str, Any]
) -> AccessPattern:
    plan = planner(values)
    condition = None
    if plan.key is not None:
        condition = render_key(plan.key)
    elif plan.key_query is not None:
        condition = render_query(plan.key_query, spec.sort_condition)

    def bind(given: Mapping[str, Any]) -> AccessPattern:
        return _assemble(spec, planner, follow, et, given)

    return AccessPattern(
        entity=spec.entity,
        name=spec.name,
        operation=spec.operation,
        index=plan.key_query.index if plan.key_query else None,
        key_condition=condition,
        filter=render_filter(et, spec.entity_types, plan.filter_equals),
        cost=spec.operation,
        note=spec.note,
        example=spec.example,
        inputs=spec.inputs,
        key=plan.key,
        key_query=plan.key_query,
        sort_condition=spec.sort_condition,
        entity_types=spec.entity_types,
        filter_equals=plan.filter_equals,
        then=spec.then,
        _bind=bind,
        _follow=follow,
    )


class _Generator:
    """Builds the patterns of one entity at a time from the resolved schema and key scheme."""

    def __init__(self, schema: ResolvedSchema, keys: KeyScheme) -> None:
        self.schema = schema
        self.keys = keys
        self.design = keys.design

    def pattern(
        self, spec: _Spec, planner: Planner, follow: Follower | None = None
    ) -> AccessPattern:
        samples = {name: placeholder(name, self.keys.delimiter) for name in spec.inputs}
        return _assemble(spec, planner, follow, self.design.entity_type_attribute, samples)

    def entity_patterns(self, entity: EntityScheme) -> list[AccessPattern]:
        patterns = [self.by_id(entity), self.list_all(entity)]
        patterns += [self.by_unique(entity, a.name) for a in entity.model.unique_attributes]
        patterns += self.by_attribute(entity)
        patterns += self.by_expiry(entity)
        for link in entity.parents:
            patterns += self.by_parent(entity, link)
        patterns += [self.parent_of(entity, link) for link in entity.children]
        if any(link.collection for link in entity.children):
            patterns.append(self.collection(entity))
        patterns += [self.many_to_many(entity, pivot) for pivot in entity.pivots]
        return patterns

    # Helpers.
    def key_values(
        self, entity: EntityScheme, id_name: str, v: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Values for ``primary_key``: own id under ``id_name``, ancestor ids by foreign key."""
        values = {link.foreign_key: v[link.foreign_key] for link in entity.ancestry}
        values[entity.model.primary_key] = v[id_name]
        return values

    def key_inputs(self, entity: EntityScheme, id_name: str) -> tuple[str, ...]:
        return (*(link.foreign_key for link in entity.ancestry), id_name)

    def descendants(self, entity: EntityScheme) -> tuple[str, ...]:
        found: tuple[str, ...] = ()
        for link in entity.children:
            if link.collection:
                found += (link.child, *self.descendants(self.schema.entity(link.child)))
        return found

    def partition_query(self, entity: EntityScheme, v: Mapping[str, Any], id_name: str) -> KeyQuery:
        """Query on the partition of ``entity``'s item, sort prefix = its own sort key."""
        key = self.keys.primary_key(entity.name, self.key_values(entity, id_name, v))
        pk, sk = self.design.partition_key_name, self.design.sort_key_name
        return KeyQuery(None, pk, key[pk], sk, key[sk], delimiter=self.keys.delimiter)

    @staticmethod
    def suffix(links: Iterable[ParentLink], link: ParentLink) -> str:
        """`` (relation)`` when two relations link the same pair of models."""
        pair = (link.child, link.parent)
        return f" ({link.relation})" if [(o.child, o.parent) for o in links].count(pair) > 1 else ""

    # Patterns.
    def by_id(self, entity: EntityScheme) -> AccessPattern:
        name, pk = entity.name, entity.model.primary_key
        title, example = f"Get {name} by id", f"{name}.find({pk})"
        if not entity.ancestry:
            spec = _Spec(name, title, "GetItem", NOTES["id"], example, (pk,))
            return self.pattern(spec, lambda v: Plan(key=self.keys.primary_key(name, {pk: v[pk]})))
        path = next(p for p in entity.gsi_paths if p.kind == "collection_id")
        root, index = entity.ancestry[0].parent, self.design.gsi_name(path.slot)
        note = NOTES["collection_id"].format(name=name, root=root, index=index)
        spec = _Spec(name, title, "Query", note, example, (pk,), "=")
        return self.pattern(spec, lambda v: Plan(key_query=self.keys.id_query(name, v[pk])))

    def list_all(self, entity: EntityScheme) -> AccessPattern:
        name = entity.name
        example = f"{name}.query().get()  # Scan"
        spec = _Spec(
            name, f"List all {plural(name)}", "Scan", NOTES["all"], example, (), None, (name,)
        )
        return self.pattern(spec, lambda v: Plan())

    def by_unique(self, entity: EntityScheme, attribute: str) -> AccessPattern:
        name = entity.name
        note = NOTES["unique"].format(attribute=attribute, name=name)
        example = f'{name}.where("{attribute}", {attribute}).first()'
        spec = _Spec(
            name,
            f"Get {name} by {attribute}",
            "GetItem",
            note,
            example,
            (attribute,),
            then="GetItem",
        )
        return self.pattern(
            spec, lambda v: Plan(key=self.keys.sentinel_key(name, attribute, v[attribute]))
        )

    def by_attribute(self, entity: EntityScheme) -> list[AccessPattern]:
        name, names = entity.name, plural(entity.name)
        paths = {p.attribute: p for p in reversed(entity.gsi_paths) if p.kind == "attribute"}
        patterns = []
        for attribute, path in reversed(paths.items()):
            assert attribute is not None
            index = self.design.gsi_name(path.slot)
            note = NOTES["attribute"].format(index=index, names=names, attribute=attribute)
            if entity.model.traits.soft_deletes:
                note += f"; soft-deleted {names} drop out of it"
            title = f"List {names} by {attribute}"
            title += f" sorted by {path.sort_by}" if path.sort_by else ""
            example = f'{name}.where("{attribute}", {attribute}).get()'
            spec = _Spec(name, title, "Query", note, example, (attribute,), "begins_with")
            patterns.append(self.pattern(spec, self._attribute_planner(name, attribute)))
        return patterns

    def by_expiry(self, entity: EntityScheme) -> list[AccessPattern]:
        """Items with a TTL, soonest expiry first (the sparse expiry index)."""
        path = next((p for p in entity.gsi_paths if p.kind == "expiry"), None)
        if path is None:
            return []
        name, names = entity.name, plural(entity.name)
        index = self.design.gsi_name(path.slot)
        note = NOTES["expiry"].format(index=index, names=names, attribute=path.attribute)
        example = f'{name}.query().order_by("{path.attribute}").limit(100).get()'
        spec = _Spec(name, f"List {names} by expiry", "Query", note, example, (), "begins_with")
        return [self.pattern(spec, lambda v: Plan(key_query=self.keys.expiry_query(name)))]

    def _attribute_planner(self, name: str, attribute: str) -> Planner:
        return lambda v: Plan(key_query=self.keys.attribute_query(name, attribute, v[attribute]))

    def by_parent(self, entity: EntityScheme, link: ParentLink) -> list[AccessPattern]:
        child, parent, fk = link.child, link.parent, link.foreign_key
        single = link.inverse_kind == "has_one"
        title = f"Get {child} of {parent}" if single else f"List {plural(child)} by {parent}"
        title += self.suffix(entity.parents, link)
        var = snake(parent)
        outer = self.schema.entity(parent).ancestry if link.collection else ()
        wheres = "".join(f'.where("{o.foreign_key}", {var}.{o.foreign_key})' for o in outer)
        example = f'{child}{wheres}.where("{fk}", {var}.id).{"first" if single else "get"}()'
        if link.collection:
            return self._collection_children(entity, link, title, example)
        if not link.index:
            note = NOTES["no_index"].format(child=child, relation=link.relation, fk=fk)
            spec = _Spec(child, title, "Scan", note, f"{example}  # Scan", (fk,), None, (child,))
            return [self.pattern(spec, lambda v: Plan(filter_equals=((fk, str(v[fk])),)))]
        path = entity.path("parent", link.relation)
        assert path is not None
        note = NOTES["parent"].format(index=self.design.gsi_name(path.slot), parent=parent)
        note += f", sorted by {link.sort_by}" if link.sort_by else ""
        if link.shards > 1:
            note += f"; write-sharded: {link.shards} parallel Queries merged in order"
        # The entity type keeps apart items that share an index key shape (a belongs_to path
        # and a many-to-many edge between the same two models).
        spec = _Spec(child, title, "Query", note, example, (fk,), "begins_with", (child,))
        return [self.pattern(spec, lambda v: Plan(key_query=self.keys.children_query(link, v[fk])))]

    def _collection_children(
        self, entity: EntityScheme, link: ParentLink, title: str, example: str
    ) -> list[AccessPattern]:
        child, parent = entity.name, self.schema.entity(link.parent)
        nested = self.descendants(entity)
        note = NOTES["collection"].format(parent=parent.name)
        if nested:
            note += f"; the entity-type filter drops the nested {', '.join(nested)} items"
        inputs = self.key_inputs(parent, link.foreign_key)
        spec = _Spec(
            child, title, "Query", note, example, inputs, "begins_with", (child,) if nested else ()
        )
        patterns = [self.pattern(spec, self._children_planner(parent, link))]
        if entity.lsi_paths and not parent.ancestry:
            patterns.append(self._sorted_children(entity, link, title, example))
        return patterns

    def _children_planner(self, parent: EntityScheme, link: ParentLink) -> Planner:
        if not parent.ancestry:
            return lambda v: Plan(key_query=self.keys.children_query(link, v[link.foreign_key]))

        def plan(v: Mapping[str, Any]) -> Plan:
            query = self.partition_query(parent, v, link.foreign_key)
            prefix = query.sort_prefix + self.keys.delimiter + self.keys.sk_token(link.child)
            return Plan(key_query=replace(query, sort_prefix=prefix))

        return plan

    def _sorted_children(
        self, entity: EntityScheme, link: ParentLink, title: str, example: str
    ) -> AccessPattern:
        lsi, fk = entity.lsi_paths[0], link.foreign_key
        index, sort_key = self.design.lsi_name(lsi.slot), self.design.lsi_sk(lsi.slot)
        note = NOTES["sorted"].format(index=index, sort=lsi.sort_by)
        example = example.replace(".get()", f'.order_by("{lsi.sort_by}").get()')
        spec = _Spec(
            entity.name,
            f"{title} sorted by {lsi.sort_by}",
            "Query",
            note,
            example,
            (fk,),
            "begins_with",
            (entity.name,),
        )

        def plan(v: Mapping[str, Any]) -> Plan:
            base = self.keys.children_query(link, v[fk])
            return Plan(key_query=replace(base, index=index, sort_attribute=sort_key))

        return self.pattern(spec, plan)

    def parent_of(self, entity: EntityScheme, link: ParentLink) -> AccessPattern:
        parent, child, fk = entity.name, link.child, link.foreign_key
        title = f"Get {parent} of {child}{self.suffix(entity.children, link)}"
        example = f"{parent}.find({snake(child)}.{fk})"
        if not entity.ancestry or link.collection:
            note = NOTES["parent_of"].format(child=child, fk=fk, children=plural(child))
            spec = _Spec(parent, title, "GetItem", note, example, self.key_inputs(entity, fk))
            return self.pattern(
                spec,
                lambda v: Plan(key=self.keys.primary_key(parent, self.key_values(entity, fk, v))),
            )
        note = NOTES["parent_of_nested"].format(child=child, fk=fk, parent=parent)
        spec = _Spec(parent, title, "Query", note, example, (fk,), "=")
        return self.pattern(spec, lambda v: Plan(key_query=self.keys.id_query(parent, v[fk])))

    def collection(self, entity: EntityScheme) -> AccessPattern:
        name, pk = entity.name, entity.model.primary_key
        links = [link for link in entity.children if link.collection]
        title = (
            f"Get {name} with its {' and '.join(plural(link.child) for link in links)} (collection)"
        )
        relations = ", ".join(f'"{link.inverse or plural(snake(link.child))}"' for link in links)
        members = (name, *self.descendants(entity))
        note = NOTES["fetch"].format(name=name, members=", ".join(members[1:]))
        inputs = self.key_inputs(entity, pk)
        example = f"{name}.with_({relations}).find({pk})"
        if entity.ancestry:
            note += NOTES["fetch_nested"].format(name=name)
            spec = _Spec(name, title, "Query", note, example, inputs, "between")
        else:
            owns_edges = any(p.owner == name for p in entity.pivots)
            spec = _Spec(
                name, title, "Query", note, example, inputs, None, members if owns_edges else ()
            )

        def plan(v: Mapping[str, Any]) -> Plan:
            query = self.partition_query(entity, v, pk)
            return Plan(key_query=query if entity.ancestry else replace(query, sort_prefix=""))

        return self.pattern(spec, plan)

    def many_to_many(self, entity: EntityScheme, pivot: PivotScheme) -> AccessPattern:
        """``List Roles of User`` (owner side, on the table) or ``List Users of Role`` (GSI)."""
        on_owner = entity.name == pivot.other
        side = pivot.owner if on_owner else pivot.other
        side_key = pivot.owner_key if on_owner else pivot.other_key
        relation = pivot.owner_relation if on_owner else pivot.other_relation
        var, names = snake(side), plural(entity.name)
        example = f"{var}.{relation}.get()"
        if relation is None:
            example = f'# declare BelongsToMany("{entity.name}") on {side} to read {var}.'
            example += plural(snake(entity.name))
        where = "the table" if on_owner else self.design.gsi_name(pivot.slot)
        note = NOTES["edges"].format(pivot=pivot.name, where=where, names=names)
        spec = _Spec(
            entity.name,
            f"List {names} of {side}",
            "Query",
            note,
            example,
            (side_key,),
            "begins_with",
            (pivot.name,),
            then="BatchGetItem",
        )
        return self.pattern(
            spec,
            lambda v: Plan(key_query=self.keys.edges_query(pivot, side, v[side_key])),
            self._edge_follower(entity, pivot, on_owner),
        )

    def _edge_follower(
        self, entity: EntityScheme, pivot: PivotScheme, on_owner: bool
    ) -> Follower | None:
        if entity.ancestry:
            return None  # a collection child's key needs its ancestors' ids: read it by id
        attribute = self.design.sort_key_name if on_owner else self.design.gsi_sk(pivot.slot)
        token, pk = self.keys.sk_token(entity.name), entity.model.primary_key

        def follow(edge: Mapping[str, Any]) -> dict[str, str]:
            return self.keys.primary_key(entity.name, {pk: str(edge[attribute])[len(token) :]})

        return follow
