"""Every access pattern of a registry: the request that serves it, its index, cost and an example.

A pattern is documentation *and* data: ``key`` (GetItem), ``key_query`` (Query) or the entity
filter (Scan) say exactly where the items live, built from placeholder values such as
``<user_id>``; :meth:`AccessPattern.bind` rebuilds them for real values.

>>> patterns = registry.access_patterns()  # doctest: +SKIP
>>> patterns.named("List Posts by User").key_condition  # doctest: +SKIP
'gsi1pk = "USER#<user_id>" AND begins_with(gsi1sk, "POST#")'

Naming: ``Get X by id``, ``List all Xs``, ``Get X by <unique attribute>``, ``List Xs by
<indexed attribute>``, ``List Xs by Parent`` (``Get X of Parent`` for has_one), ``Get Parent of
Child``, ``Get X with its Ys (collection)``, ``List Xs of Y`` (many-to-many); polymorphic ones
carry the morph name: ``List Comments by Post (commentable)``, ``Get Post of Comment
(commentable)``, ``List Tags of Post (taggable)``, ``List taggables of Tag (every type)``. A
pattern belongs to the entity whose items it returns (``Get User of Post`` is a User pattern).

Examples are code in the public API, runnable as printed once their names are bound
(``tests/integration/test_access_pattern_examples_engine.py`` runs every one against the
engine). The names they use are predictable:

- a model class by its name: ``User``, ``OrderLine``;
- a model instance by the model's snake_case name: ``user``, ``order_line`` — the parent for
  a pattern read through a relation (``user.posts.get()``, ``user.roles.get()``,
  ``user.profile``), the child for a to-one read (``post.user``, ``comment.commentable``);
- a value by the pattern's input name (:attr:`AccessPattern.inputs`): ``id``, ``email``,
  ``status``.

Relations are read through the instance's relation attribute as the ORM names them (declared,
or derived from the other side); a Scan says so with ``force_scan()`` (an explicit opt-in, so
the example also runs with ``allow_scan`` off).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema import traits
from dynamodb_tooling.schema._access_pattern_docs import (
    NOTES,
    SortCondition,
    render_filter,
    render_json,
    render_key,
    render_markdown,
    render_query,
)
from dynamodb_tooling.schema._morph_patterns import MorphPatterns
from dynamodb_tooling.schema._pattern_examples import children_example, collection_paths
from dynamodb_tooling.schema._pattern_parts import (
    Follower,
    FollowUp,
    Operation,
    PatternPlanner,
    Plan,
    Planner,
    Request,
)
from dynamodb_tooling.schema._pattern_parts import PatternSpec as _Spec
from dynamodb_tooling.schema.errors import KeyValueError, SchemaError
from dynamodb_tooling.schema.keys import KeyQuery, KeyScheme
from dynamodb_tooling.schema.naming import plural, snake
from dynamodb_tooling.schema.resolve import (
    CollectionIdPath,
    EntityScheme,
    ExpiryPath,
    IndexedAttributePath,
    ParentLink,
    ParentPath,
    PivotScheme,
    ResolvedSchema,
    path_source,
)
from dynamodb_tooling.schema.table import placeholder, schema_warnings
from dynamodb_tooling.schema.tables import tables_of

LOOKUP_NAMES = ("email", "slug", "status", "username")

__all__ = [
    "LOOKUP_NAMES",
    "AccessPattern",
    "AccessPatterns",
    "FollowUp",
    "Operation",
    "PatternPlanner",
    "Plan",
    "Request",
    "generate_access_patterns",
    "install_pattern_planner",
    "lookup_warnings",
]


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
    #: Model → the table it lives in, when models have their own (``table=``); else empty.
    tables: Mapping[str, str] = field(default_factory=dict)

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
        return render_json(self.patterns, self.warnings, self.tables)

    def to_markdown(self) -> str:
        """A readable document: the matrix, warnings, then each entity's patterns."""
        return render_markdown(self.patterns, self.warnings, self.tables)


PlannerFactory = Callable[[ResolvedSchema, KeyScheme, Config], PatternPlanner]
_default_planner: PlannerFactory | None = None


def install_pattern_planner(factory: PlannerFactory) -> None:
    """Set the planner access patterns are planned with. The package root installs the query
    layer's (:class:`dynamodb_tooling.query.rules.patterns.PatternPlanner`), so the documents
    say what execution does while this layer imports nothing from the query layer."""
    global _default_planner
    _default_planner = factory


def generate_access_patterns(
    schema: ResolvedSchema,
    keys: KeyScheme,
    config: Config,
    planner: PatternPlanner | None = None,
) -> AccessPatterns:
    """Every access pattern of ``schema`` with the index, key condition and cost class.

    Each pattern a model query serves is planned by the query planner (``planner``; by default
    :class:`dynamodb_tooling.query.rules.patterns.PatternPlanner`), so the documents say what
    execution does. Loading a collection with its items and many-to-many edges are relation
    reads the query planner does not plan; their requests come from the key scheme.
    """
    if planner is None:
        if _default_planner is None:
            raise SchemaError(
                "no query planner is installed to plan access patterns: import "
                "dynamodb_tooling (it installs one), or pass planner=..."
            )
        planner = _default_planner(schema, keys, config)
    generator = _Generator(schema, keys, planner)
    patterns = [p for entity in schema.entities for p in generator.entity_patterns(entity)]
    warnings = schema_warnings(schema, config) + lookup_warnings(schema)
    tables = tables_of(schema, config)
    placed = {m: name for name, models in tables.items() for m in models} if len(tables) > 1 else {}
    return AccessPatterns(_unique_names(patterns), tuple(warnings), placed)


def lookup_warnings(schema: ResolvedSchema) -> list[str]:
    """Attributes that look like lookups (``*_id``, email, slug, status) without an index."""
    found = []
    for entity in schema.entities:
        model = entity.model
        served = {link.foreign_key for link in (*entity.parents, *entity.ancestry)}
        served |= {source for p in entity.gsi_paths if (source := path_source(p))}
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
        sort = plan.sort_condition if plan.planned else spec.sort_condition
        condition = render_query(plan.key_query, sort)
    if plan.planned:
        assert plan.operation is not None
        spec = replace(
            spec,
            operation=plan.operation,
            sort_condition=plan.sort_condition,
            entity_types=plan.entity_types,
            then=plan.then,
        )
        filter_text = plan.filter
    else:
        filter_text = render_filter(et, spec.entity_types, plan.filter_equals)

    def bind(given: Mapping[str, Any]) -> AccessPattern:
        return _assemble(spec, planner, follow, et, given)

    return AccessPattern(
        entity=spec.entity,
        name=spec.name,
        operation=spec.operation,
        index=plan.key_query.index if plan.key_query else None,
        key_condition=condition,
        filter=filter_text,
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


class _Generator(MorphPatterns):
    """Builds the patterns of one entity at a time from the resolved schema and key scheme."""

    def __init__(self, schema: ResolvedSchema, keys: KeyScheme, planner: PatternPlanner) -> None:
        self.schema = schema
        self.keys = keys
        self.design = keys.design
        self.planner = planner

    def ask(
        self,
        model: str,
        equal: Callable[[Mapping[str, Any]], Mapping[str, Any]],
        *,
        order: str | None = None,
        present: str | None = None,
    ) -> Planner:
        """The planner's request for ``model.where(...)`` with the equalities ``equal`` builds
        from a pattern's input values."""
        return lambda v: self.planner.request(model, equal(v), order=order, present=present)

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
        patterns += self.morph_patterns(entity)
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

    # Patterns a model query serves: planned by the query planner.
    def by_id(self, entity: EntityScheme) -> AccessPattern:
        name, pk = entity.name, entity.model.primary_key
        title, example = f"Get {name} by id", f"{name}.find({pk})"
        ask = self.ask(name, lambda v: {pk: v[pk]})
        if not entity.ancestry:
            return self.pattern(_Spec(name, title, "GetItem", NOTES["id"], example, (pk,)), ask)
        path = entity.paths(CollectionIdPath)[0]
        root, index = entity.ancestry[0].parent, self.design.gsi_name(path.slot)
        note = NOTES["collection_id"].format(name=name, root=root, index=index)
        return self.pattern(_Spec(name, title, "Query", note, example, (pk,)), ask)

    def list_all(self, entity: EntityScheme) -> AccessPattern:
        name = entity.name
        example = f"{name}.query().force_scan().get()  # Scan"
        spec = _Spec(name, f"List all {plural(name)}", "Scan", NOTES["all"], example)
        return self.pattern(spec, self.ask(name, lambda v: {}))

    def by_unique(self, entity: EntityScheme, attribute: str) -> AccessPattern:
        name = entity.name
        note = NOTES["unique"].format(attribute=attribute, name=name)
        example = f'{name}.where("{attribute}", {attribute}).first()'
        title = f"Get {name} by {attribute}"
        spec = _Spec(name, title, "GetItem", note, example, (attribute,), then="GetItem")
        return self.pattern(spec, self.ask(name, lambda v: {attribute: v[attribute]}))

    def by_attribute(self, entity: EntityScheme) -> list[AccessPattern]:
        name, names = entity.name, plural(entity.name)
        paths = {p.attribute: p for p in reversed(entity.paths(IndexedAttributePath))}
        patterns = []
        for attribute, path in reversed(paths.items()):
            index = self.design.gsi_name(path.slot)
            note = NOTES["attribute"].format(index=index, names=names, attribute=attribute)
            if traits.uses(entity.model, "soft_deletes"):
                note += f"; soft-deleted {names} drop out of it"
            title = f"List {names} by {attribute}"
            title += f" sorted by {path.sort_by}" if path.sort_by else ""
            example = f'{name}.where("{attribute}", {attribute})'
            example += f'.order_by("{path.sort_by}")' if path.sort_by else ""
            spec = _Spec(name, title, "Query", note, example + ".get()", (attribute,))
            ask = self.ask(name, self._equal_to(attribute), order=path.sort_by)
            patterns.append(self.pattern(spec, ask))
        return patterns

    @staticmethod
    def _equal_to(attribute: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        return lambda v: {attribute: v[attribute]}

    def by_expiry(self, entity: EntityScheme) -> list[AccessPattern]:
        """Items with a TTL, soonest expiry first (the sparse expiry index)."""
        path = next(iter(entity.paths(ExpiryPath)), None)
        if path is None:
            return []
        name, names, expires = entity.name, plural(entity.name), path.attribute
        index = self.design.gsi_name(path.slot)
        note = NOTES["expiry"].format(index=index, names=names, attribute=expires)
        example = f'{name}.where_not_null("{expires}").order_by("{expires}").limit(100).get()'
        spec = _Spec(name, f"List {names} by expiry", "Query", note, example)
        return [self.pattern(spec, self.ask(name, lambda v: {}, order=expires, present=expires))]

    def by_parent(self, entity: EntityScheme, link: ParentLink) -> list[AccessPattern]:
        child, parent, fk = link.child, link.parent, link.foreign_key
        single = link.inverse_kind == "has_one"
        title = f"Get {child} of {parent}" if single else f"List {plural(child)} by {parent}"
        if link.is_self:  # a tree: "List child Categories of Category"
            title = f"Get child {child} of {parent}" if single else f"List child {plural(child)}"
            title += f" of {parent}"
        title += self.suffix(entity.parents, link)
        scan = not link.index and not link.collection
        example = children_example(self.schema, link, scan=scan)
        if link.collection:
            return self._collection_children(entity, link, title, example)
        ask = self.ask(child, self._equal_to(fk))
        if not link.index:
            note = NOTES["no_index"].format(child=child, relation=link.relation, fk=fk)
            return [self.pattern(_Spec(child, title, "Scan", note, example, (fk,)), ask)]
        path = entity.path(ParentPath, link.relation)
        assert path is not None
        note = NOTES["parent"].format(index=self.design.gsi_name(path.slot), parent=parent)
        note += f", sorted by {link.sort_by}" if link.sort_by else ""
        if link.shards > 1:
            note += f"; write-sharded: {link.shards} parallel Queries merged in order"
        return [self.pattern(_Spec(child, title, "Query", note, example, (fk,)), ask)]

    def _collection_children(
        self, entity: EntityScheme, link: ParentLink, title: str, example: str
    ) -> list[AccessPattern]:
        child, parent = entity.name, self.schema.entity(link.parent)
        nested = self.descendants(entity)
        note = NOTES["collection"].format(parent=parent.name)
        if nested:
            note += f"; the entity-type filter drops the nested {', '.join(nested)} items"
        inputs = self.key_inputs(parent, link.foreign_key)
        ask = self.ask(child, lambda v: {name: v[name] for name in inputs})
        patterns = [self.pattern(_Spec(child, title, "Query", note, example, inputs), ask)]
        if entity.lsi_paths and not parent.ancestry:
            patterns.append(self._sorted_children(entity, link, title, example))
        return patterns

    def _sorted_children(
        self, entity: EntityScheme, link: ParentLink, title: str, example: str
    ) -> AccessPattern:
        lsi, fk = entity.lsi_paths[0], link.foreign_key
        index = self.design.lsi_name(lsi.slot)
        note = NOTES["sorted"].format(index=index, sort=lsi.sort_by)
        example = example.replace(".get()", f'.order_by("{lsi.sort_by}").get()')
        title = f"{title} sorted by {lsi.sort_by}"
        spec = _Spec(entity.name, title, "Query", note, example, (fk,))
        return self.pattern(spec, self.ask(entity.name, self._equal_to(fk), order=lsi.sort_by))

    def parent_of(self, entity: EntityScheme, link: ParentLink) -> AccessPattern:
        parent, child, fk = entity.name, link.child, link.foreign_key
        title = f"Get {'parent ' if link.is_self else ''}{parent} of {child}"
        title += self.suffix(entity.children, link)
        example = f"{snake(child)}.{link.relation}"
        if not entity.ancestry or link.collection:
            note = NOTES["parent_of"].format(child=child, fk=fk, children=plural(child))
            spec = _Spec(parent, title, "GetItem", note, example, self.key_inputs(entity, fk))
            return self.pattern(spec, self.ask(parent, lambda v: self.key_values(entity, fk, v)))
        note = NOTES["parent_of_nested"].format(child=child, fk=fk, parent=parent)
        spec = _Spec(parent, title, "Query", note, example, (fk,))
        return self.pattern(spec, self.ask(parent, lambda v: {entity.model.primary_key: v[fk]}))

    # Relation reads the query planner does not plan: requests from the key scheme.
    def collection(self, entity: EntityScheme) -> AccessPattern:
        name, pk = entity.name, entity.model.primary_key
        links = [link for link in entity.children if link.collection]
        title = (
            f"Get {name} with its {' and '.join(plural(link.child) for link in links)} (collection)"
        )
        relations = ", ".join(f'"{path}"' for path in collection_paths(self.schema, entity))
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

        def plan(v: Mapping[str, Any]) -> Request:
            query = self.partition_query(entity, v, pk)
            return Request(key_query=query if entity.ancestry else replace(query, sort_prefix=""))

        return self.pattern(spec, plan)

    def many_to_many(self, entity: EntityScheme, pivot: PivotScheme) -> AccessPattern:
        """``List Roles of User`` (owner side, on the table) or ``List Users of Role`` (GSI)."""
        on_owner = entity.name == pivot.other
        side = pivot.owner if on_owner else pivot.other
        side_key = pivot.owner_key if on_owner else pivot.other_key
        # The side that does not declare the relation gets it derived (``role.users``).
        relation = pivot.owner_relation if on_owner else pivot.other_relation
        var, names = snake(side), plural(entity.name)
        example = f"{var}.{relation or plural(snake(pivot.owner))}.get()"
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
            lambda v: Request(key_query=self.keys.edges_query(pivot, side, v[side_key])),
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
