"""The example code an access pattern prints, in the public API.

Examples read relations through the instance's relation attribute as the ORM names it
(declared, or derived from the other side): ``user.posts.get()``, ``user.profile``,
``post.user``, ``User.with_("orders.lines").find(id)``. Their names follow one convention
(documented in :mod:`dynamodb_tooling.schema.access_patterns`): a class by its name, an
instance by its model's snake_case name, a value by the pattern's input name.
"""

from __future__ import annotations

from dynamodb_tooling.schema.naming import plural, snake
from dynamodb_tooling.schema.paths import MorphLink, ParentLink
from dynamodb_tooling.schema.resolve import EntityScheme, ResolvedSchema

SCAN = ".force_scan()", "  # Scan"


def children_relation(schema: ResolvedSchema, link: ParentLink) -> str | None:
    """The parent model's relation to the children of ``link`` as the ORM names it (declared,
    or derived); ``None`` when the derived name is taken by another relation (two relations
    from one child to one parent derive one name, given to the first)."""
    name = link.inverse_name
    if link.inverse is not None:
        return name
    parent = schema.entity(link.parent)
    if name in {other.relation for other in parent.parents}:
        return None
    first = next(other for other in parent.children if other.inverse_name == name)
    return name if first == link else None


def children_example(schema: ResolvedSchema, link: ParentLink, *, scan: bool = False) -> str:
    """``user.posts.get()`` / ``user.profile`` (has_one); the explicit query when the relation
    has no usable name (or for a Scan of a has_one)."""
    var, single = snake(link.parent), link.inverse_kind == "has_one"
    relation = children_relation(schema, link)
    forced, note = SCAN if scan else ("", "")
    if relation is not None and not single:
        return f"{var}.{relation}{forced}.get(){note}"
    if relation is not None and not scan:
        return f"{var}.{relation}"
    parent = schema.entity(link.parent)
    outer = parent.ancestry if link.collection else ()
    wheres = "".join(f'.where("{o.foreign_key}", {var}.{o.foreign_key})' for o in outer)
    wheres += f'.where("{link.foreign_key}", {var}.{parent.model.primary_key}){forced}'
    return f"{link.child}{wheres}.{'first' if single else 'get'}(){note}"


def collection_paths(schema: ResolvedSchema, entity: EntityScheme) -> list[str]:
    """The relation paths of ``entity``'s item collection, nested ones dotted
    (``orders.lines``): what ``with_`` loads from the one partition Query."""
    paths: list[str] = []
    for link in entity.children:
        if link.collection:
            name = children_relation(schema, link) or plural(snake(link.child))
            below = collection_paths(schema, schema.entity(link.child))
            paths += [f"{name}.{path}" for path in below] or [name]
    return paths


def morph_children_example(
    schema: ResolvedSchema, link: MorphLink, parent: str, single: bool, *, scan: bool
) -> str:
    """``post.comments.get()`` / ``post.image`` (morph_one); the explicit query when the parent
    type declares no relation (or for a Scan of a morph_one)."""
    var, relation = snake(parent), link.parent(parent)
    forced, note = SCAN if scan else ("", "")
    if relation is not None and not single:
        return f"{var}.{relation.relation}{forced}.get(){note}"
    if relation is not None and not scan:
        return f"{var}.{relation.relation}"
    pk = schema.entity(parent).model.primary_key
    return (
        f'{link.child}.where("{link.type_attribute}", "{parent}")'
        f'.where("{link.id_attribute}", {var}.{pk}){forced}'
        f".{'first' if single else 'get'}(){note}"
    )
