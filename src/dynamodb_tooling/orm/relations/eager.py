"""Eager loading: ``with_("posts", "posts.comments", "team")`` and ``load(...)``.

The names become a tree (:class:`EagerNode`): each relation of one level is loaded for all
the parents at once, the relations of a level side by side (one flow each, interleaved by
:func:`~dynamodb_tooling.requests._flow.gather`), each nested level once for all the models
the level above returned. So a load costs one round of requests per level, never one per
parent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Constraint, is_loaded
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.requests._flow import gather

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model

#: What ``with_`` accepts: names (dotted for nested), or a mapping name → constraint.
EagerSpec = str | Mapping[str, Constraint | None] | Sequence[str]


@dataclass
class EagerNode:
    """One relation to load, its constraint, and the relations to load under it."""

    name: str
    constraint: Constraint | None = None
    children: dict[str, EagerNode] = field(default_factory=dict)


def parse(model: type[Model], specs: Iterable[EagerSpec]) -> dict[str, EagerNode]:
    """``("posts.comments", {"team": fn})`` → the tree of nodes, each name checked against
    the model it belongs to (a typo is refused before any request, with a did-you-mean)."""
    tree: dict[str, EagerNode] = {}
    for spec in specs:
        items: Iterable[tuple[str, Constraint | None]]
        if isinstance(spec, str):
            items = [(spec, None)]
        elif isinstance(spec, Mapping):
            items = spec.items()
        elif isinstance(spec, list | tuple):
            merge(tree, parse(model, spec))
            continue
        else:
            raise QueryError(
                f"with_() takes relation names or a mapping of name to constraint, not "
                f"{type(spec).__name__}"
            )
        for path, constraint in items:
            if constraint is not None and not callable(constraint):
                raise QueryError(
                    f"the constraint for {path!r} must be a function of the query "
                    f"(lambda q: q.where(...)), not {type(constraint).__name__}"
                )
            _add(model, tree, path, constraint)
    return tree


def _add(model: type[Model], tree: dict[str, EagerNode], path: str, constraint: Any) -> None:
    from dynamodb_tooling.orm.relations.registry import relation_of

    if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
        raise QueryError(f"{path!r} is not a relation path (names joined by dots: 'posts.user')")
    from dynamodb_tooling.orm.relations.morph_to import MorphTo

    names = path.split(".")
    current_model: type[Model] | None = model
    level = tree
    for depth, name in enumerate(names):
        relation = relation_of(current_model, name) if current_model is not None else None
        node = level.get(name)
        if node is None:
            node = level[name] = EagerNode(name)
        if depth == len(names) - 1 and constraint is not None:
            if relation is not None:
                relation.check_constraint(constraint)
            node.constraint = constraint
        # Below a MorphTo the model depends on each parent's type: names are checked
        # against each type when it loads.
        if relation is None or isinstance(relation, MorphTo):
            current_model = None
        else:
            current_model = relation.related
        level = node.children


def merge(into: dict[str, EagerNode], other: Mapping[str, EagerNode]) -> None:
    for name, node in other.items():
        mine = into.get(name)
        if mine is None:
            into[name] = node
            continue
        if node.constraint is not None:
            mine.constraint = node.constraint
        merge(mine.children, node.children)


def load_flow(
    parents: Sequence[Model], tree: Mapping[str, EagerNode], *, missing_only: bool = False
) -> Flow[None]:
    """Load ``tree`` onto ``parents`` (models of one class): the relations of this level side
    by side; nested levels inside each relation's own query. With ``missing_only`` a relation
    already loaded on a parent is kept (``load_missing``)."""
    from dynamodb_tooling.orm.relations.registry import relation_of

    if not parents or not tree:
        return
    cls = type(parents[0])
    flows: list[Flow[None]] = []
    for name, node in tree.items():
        relation = relation_of(cls, name)
        targets = [p for p in parents if not is_loaded(p, name)] if missing_only else parents
        if targets:
            flows.append(relation.eager_flow(targets, node.constraint, node.children or None))
        if missing_only and node.children:
            chosen = {id(p) for p in targets}  # by identity: equal models are not the same
            loaded = [p for p in parents if id(p) not in chosen]
            # Below a MorphTo the loaded models are of several classes: one load per class.
            for group in by_class(_loaded_children(loaded, name)).values():
                flows.append(load_flow(group, node.children, missing_only=True))
    yield from _all(flows)


def _loaded_children(parents: Sequence[Model], name: str) -> list[Model]:
    """The models loaded as ``name`` on ``parents`` (a to-one value is one model: models
    are iterable too, as ``dict(model)``, so it is never iterated)."""
    found: list[Model] = []
    for parent in parents:
        value = parent.__dict__["_relations"][name]
        if value is None:
            continue
        found.extend(value if isinstance(value, Collection | list | tuple) else [value])
    return found


def count_flow(parents: Sequence[Model], counts: Mapping[str, Constraint | None]) -> Flow[None]:
    """``with_count``: ``<name>_count`` on every parent, the relations side by side."""
    from dynamodb_tooling.orm.relations.registry import relation_of

    if not parents or not counts:
        return
    cls = type(parents[0])
    yield from _all([relation_of(cls, n).count_flow(parents, c) for n, c in counts.items()])


def _all(flows: list[Flow[None]]) -> Flow[None]:
    if len(flows) == 1:
        yield from flows[0]
        return
    for outcome in (yield from gather(flows)):
        if isinstance(outcome, Exception):
            raise outcome


def by_class(models: Iterable[Model]) -> dict[type[Model], list[Model]]:
    """Models grouped by class (a collection may hold several models)."""
    groups: dict[type[Model], list[Model]] = {}
    for model in models:
        groups.setdefault(type(model), []).append(model)
    return groups


def models_flow(
    models: Iterable[Model],
    specs: Iterable[EagerSpec],
    *,
    missing_only: bool = False,
    parse_tree: Callable[[type[Model], Iterable[EagerSpec]], dict[str, EagerNode]] = parse,
) -> Flow[None]:
    """``load(...)`` on any models: per class, the tree parsed against that class."""
    specs = list(specs)
    flows = [
        load_flow(group, parse_tree(cls, specs), missing_only=missing_only)
        for cls, group in by_class(models).items()
    ]
    yield from _all(flows)
