"""Mass-assignment protection (Eloquent's ``$guarded``/``$fillable``), shared by models and
the query builder's writes: values from outside must never set a guarded attribute."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping

from dynamodb_tooling.errors import MassAssignmentError
from dynamodb_tooling.schema import ModelDefinition

#: Per definition (by id, dropped with it): the names mass assignment must not set.
_PROTECTED: dict[int, frozenset[str]] = {}


def protected_names(definition: ModelDefinition) -> frozenset[str]:
    """The attributes of ``definition`` that are guarded or not fillable (computed once)."""
    key = id(definition)
    found = _PROTECTED.get(key)
    if found is None:
        found = frozenset(
            a.name
            for a in definition.attributes
            if (named := definition.attribute(a.name)) is not None
            and (named.guarded or not named.fillable)
        )
        _PROTECTED[key] = found
        weakref.finalize(definition, _PROTECTED.pop, key, None)
    return found


def refuse_guarded(definition: ModelDefinition, names: Iterable[str], *, via: str) -> None:
    """Raise :class:`MassAssignmentError` for the first of ``names`` that is guarded or not
    fillable; ``via`` names the calls that refuse it (for the message)."""
    protected = protected_names(definition)
    if not isinstance(names, Mapping | set | frozenset | list | tuple):
        names = list(names)  # read twice below
    if not protected or protected.isdisjoint(names):
        return
    for name in names:
        attribute = definition.attribute(name)
        if attribute is None or not (attribute.guarded or not attribute.fillable):
            continue
        why = "guarded=True" if attribute.guarded else "fillable=False"
        instance = definition.name.lower()
        raise MassAssignmentError(
            f"{definition.name}.{name} is protected from mass assignment ({why}), so {via} "
            f"refuse it; set it explicitly: {instance}.{name} = ... or use "
            f"force_fill({name}=...)",
            model=definition.name,
            attribute=name,
        )
