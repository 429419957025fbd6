"""The ORM: ``Model`` classes with attributes and relations over the single-table schema."""

from dynamodb_tooling.errors import MassAssignmentError
from dynamodb_tooling.orm.accessors import accessor, mutator
from dynamodb_tooling.orm.casts import AsJson, Cast, CastsAttributes
from dynamodb_tooling.orm.concerns.scopes import Scope, scope
from dynamodb_tooling.orm.concerns.validation import validator
from dynamodb_tooling.orm.define import define_model
from dynamodb_tooling.orm.events import hook, without_events
from dynamodb_tooling.orm.fields import AttributeSpec, Field, attribute
from dynamodb_tooling.orm.loading import get_model, load_models
from dynamodb_tooling.orm.model import Model
from dynamodb_tooling.orm.query import ModelQuery
from dynamodb_tooling.orm.relations import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    HasManyThrough,
    HasOne,
    LazyLoadingViolationError,
    MorphedByMany,
    MorphMany,
    MorphOne,
    MorphTo,
    MorphToMany,
    Pivot,
    Relation,
    RelationNotLoadedError,
    prevent_lazy_loading,
)
from dynamodb_tooling.orm.traits.base import Trait
from dynamodb_tooling.orm.transaction import atransaction, transaction

__all__ = [
    "AsJson",
    "AttributeSpec",
    "BelongsTo",
    "BelongsToMany",
    "Cast",
    "CastsAttributes",
    "Field",
    "HasMany",
    "HasManyThrough",
    "HasOne",
    "LazyLoadingViolationError",
    "MassAssignmentError",
    "Model",
    "ModelQuery",
    "MorphMany",
    "MorphOne",
    "MorphTo",
    "MorphToMany",
    "MorphedByMany",
    "Pivot",
    "Relation",
    "RelationNotLoadedError",
    "Scope",
    "Trait",
    "accessor",
    "atransaction",
    "attribute",
    "define_model",
    "get_model",
    "hook",
    "load_models",
    "mutator",
    "prevent_lazy_loading",
    "scope",
    "transaction",
    "validator",
    "without_events",
]
