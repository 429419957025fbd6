"""Trees of one model (``children = HasMany("self")``): ancestors, descendants, whole trees.

A self-referential relation stores each node's parent id (``parent_id``); the children of a
node are one Query on its index slot. So, in round trips:

- ``node.ancestors()`` — one GetItem per level up (each parent id is only known once its
  child is read): the node's depth.
- ``node.descendants()`` — one round per level down: the children of every node of a level
  are read side by side (one Query per node, concurrently).
- ``Model.get_tree()`` — the roots (a Scan for items without a parent, unless roots are
  given), then one round per level.

Loaded nodes keep what was read: after ``descendants()`` every node's ``children`` is
loaded (so the tree can be walked or serialised without more requests); after
``ancestors()`` every node's ``parent`` is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import loaded_value
from dynamodb_tooling.orm.relations.belongs_to import BelongsTo
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
from dynamodb_tooling.requests import Flow

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model


def tree_relations(
    model: type[Model], parent: str | None = None
) -> tuple[BelongsTo[Any], HasOneOrMany[Any]]:
    """The (parent, children) relations of ``model``'s tree; ``parent`` names the parent
    relation when the model has several trees."""
    from dynamodb_tooling.orm.relations.registry import relations_of

    relations = relations_of(model)
    ups = {
        n: r
        for n, r in relations.items()
        if isinstance(r, BelongsTo) and r.link is not None and r.link.is_self
    }
    if parent is not None:
        up = ups.get(parent)
    elif len(ups) == 1:
        up = next(iter(ups.values()))
    else:
        up = None
    if up is None:
        have = ", ".join(ups) or "none"
        hint = "declare one: children = HasMany('self')" if not ups else "name it: relation='...'"
        raise QueryError(
            f"{model.__name__} needs one self-referential relation for a tree (found: {have}); "
            f"{hint}"
        )
    down = next(
        r
        for r in relations.values()
        if isinstance(r, HasOneOrMany) and r.link is not None and r.link == up.link
    )
    return up, down


def ancestors_flow(node: Model, relation: str | None = None) -> Flow[list[Model]]:
    """The node's parent, its parent, ... up to the root (nearest first)."""
    up, _ = tree_relations(type(node), relation)
    found: list[Model] = []
    seen = {str(node.get_key())}
    current = node
    while getattr(current, up.key_name) is not None:
        yield from up.eager_flow([current], None, None)
        parent = loaded_value(current, up.name)
        if parent is None:  # a dangling parent id: the chain ends here
            break
        if str(parent.get_key()) in seen:
            raise QueryError(
                f"{type(node).__name__} {node.get_key()!r}: its ancestors form a cycle "
                f"through {parent.get_key()!r}; fix {up.key_name} there"
            )
        seen.add(str(parent.get_key()))
        found.append(parent)
        current = parent
    return found


def descendants_flow(
    nodes: Sequence[Model], relation: str | None = None, depth: int | None = None
) -> Flow[list[Model]]:
    """Every node below ``nodes``, level by level (one round per level), with each node's
    children loaded. ``depth`` limits the levels read (1: the children only)."""
    if depth is not None and depth < 0:
        raise QueryError(f"depth must be at least 0 (got {depth})")
    if not nodes:
        return []
    _, down = tree_relations(type(nodes[0]), relation)
    found: list[Model] = []
    seen = {str(n.get_key()) for n in nodes}
    level = list(nodes)
    reached = 0
    while level and (depth is None or reached < depth):
        yield from down.eager_flow(level, None, None)
        below = []
        for parent in level:
            value = loaded_value(parent, down.name)
            children = value if down.many else [value] if value is not None else []
            for child in children:
                if str(child.get_key()) in seen:
                    raise QueryError(
                        f"{type(child).__name__} {child.get_key()!r} appears twice in the "
                        f"tree (a cycle through {down.key_name}); fix its {down.key_name}"
                    )
                seen.add(str(child.get_key()))
                below.append(child)
        found += below
        level = below
        reached += 1
    return found
