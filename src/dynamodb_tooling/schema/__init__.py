"""The single-table schema engine: model definitions → registry → keys, indexes, access patterns.

Reads alone: nothing here imports the ORM. Both front ends (``orm.Model`` classes and Stacks
definitions) produce :class:`ModelDefinition` objects registered in a :class:`Registry`.
"""

from dynamodb_tooling.schema.definitions import (
    AttributeDefinition,
    AttributeType,
    IndexDefinition,
    ModelDefinition,
    RawCode,
    RelationDefinition,
    RelationKind,
    Traits,
)
from dynamodb_tooling.schema.errors import KeyValueError, SchemaError
from dynamodb_tooling.schema.keys import KeyQuery, KeyScheme, encode_int
from dynamodb_tooling.schema.registry import Registry, get_registry
from dynamodb_tooling.schema.resolve import (
    CollectionIdPath,
    EntityScheme,
    ExpiryPath,
    GsiPath,
    IndexedAttributePath,
    LsiPath,
    MorphLink,
    MorphParent,
    MorphPath,
    MorphPivotScheme,
    ParentLink,
    ParentPath,
    PivotScheme,
    ResolvedSchema,
    resolve,
)

__all__ = [
    "AttributeDefinition",
    "AttributeType",
    "CollectionIdPath",
    "EntityScheme",
    "ExpiryPath",
    "GsiPath",
    "IndexDefinition",
    "IndexedAttributePath",
    "KeyQuery",
    "KeyScheme",
    "KeyValueError",
    "LsiPath",
    "ModelDefinition",
    "MorphLink",
    "MorphParent",
    "MorphPath",
    "MorphPivotScheme",
    "ParentLink",
    "ParentPath",
    "PivotScheme",
    "RawCode",
    "Registry",
    "RelationDefinition",
    "RelationKind",
    "ResolvedSchema",
    "SchemaError",
    "Traits",
    "encode_int",
    "get_registry",
    "resolve",
]
