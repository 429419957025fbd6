"""Relations between models, one small class each behind one protocol
(:mod:`~dynamodb_tooling.orm.relations.base`): ``HasOne``, ``HasMany``, ``BelongsTo``,
``BelongsToMany``; eager loading (:mod:`.eager`), lazy loading and its strict mode
(:mod:`.lazy`), and the bound relation queries ``user.posts`` gives (:mod:`.related`).

Declaring one side is enough (``team.users`` is derived from ``User.team``). Targets may be
classes or names of models defined later.
"""

from dynamodb_tooling.orm.relations.base import (
    LazyLoadingViolationError,
    Relation,
    RelationNotLoadedError,
)
from dynamodb_tooling.orm.relations.belongs_to import BelongsTo
from dynamodb_tooling.orm.relations.belongs_to_many import BelongsToMany
from dynamodb_tooling.orm.relations.has_many import HasMany
from dynamodb_tooling.orm.relations.has_many_through import HasManyThrough
from dynamodb_tooling.orm.relations.has_one import HasOne
from dynamodb_tooling.orm.relations.lazy import lazy_loading_prevented, prevent_lazy_loading
from dynamodb_tooling.orm.relations.morph_many import MorphMany
from dynamodb_tooling.orm.relations.morph_one import MorphOne
from dynamodb_tooling.orm.relations.morph_to import MorphTo
from dynamodb_tooling.orm.relations.morph_to_many import MorphToMany
from dynamodb_tooling.orm.relations.morphed_by_many import MorphedByMany
from dynamodb_tooling.orm.relations.pivot import Pivot

__all__ = [
    "BelongsTo",
    "BelongsToMany",
    "HasMany",
    "HasManyThrough",
    "HasOne",
    "LazyLoadingViolationError",
    "MorphMany",
    "MorphOne",
    "MorphTo",
    "MorphToMany",
    "MorphedByMany",
    "Pivot",
    "Relation",
    "RelationNotLoadedError",
    "lazy_loading_prevented",
    "prevent_lazy_loading",
]
