"""Mass-assignment protection (Eloquent's ``$guarded``/``$fillable``), shared by models and
the query builder's writes: values from outside must never set a guarded attribute."""

from __future__ import annotations

from collections.abc import Iterable

from dynamodb_tooling.errors import MassAssignmentError
from dynamodb_tooling.schema import ModelDefinition


def refuse_guarded(definition: ModelDefinition, names: Iterable[str], *, via: str) -> None:
    """Raise :class:`MassAssignmentError` for the first of ``names`` that is guarded or not
    fillable; ``via`` names the calls that refuse it (for the message)."""
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
