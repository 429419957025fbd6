"""``Model``: the base class of Eloquent-style models.

Subclassing registers a definition in the registry — the same definition a Stacks dict
produces (see ``schema.naming`` for the shared rules):

>>> class User(Model, timestamps=True, soft_deletes=True):
...     email: str = attribute(unique=True)
...     name: str
...     team = BelongsTo("Team")

``table="Audit"`` puts a model in a DynamoDB table of its own (named with the configured
prefix and suffix; see ``schema.tables``); without it a model lives in the main table.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    dataclass_transform,
    get_origin,
    get_type_hints,
)

from dynamodb_tooling.orm._annotations import attribute_type, is_optional, python_type
from dynamodb_tooling.orm.accessors import Accessor, AttributeAccessor, Mutator
from dynamodb_tooling.orm.casts import CastsAttributes, resolve_cast
from dynamodb_tooling.orm.concerns.attributes import HasAttributes
from dynamodb_tooling.orm.concerns.change_tracking import TracksChanges
from dynamodb_tooling.orm.concerns.events import HasEvents
from dynamodb_tooling.orm.concerns.factories import HasFactory
from dynamodb_tooling.orm.concerns.guarding import GuardsAttributes
from dynamodb_tooling.orm.concerns.persistence import Persistence
from dynamodb_tooling.orm.concerns.querying import Querying
from dynamodb_tooling.orm.concerns.relationships import HasRelationships
from dynamodb_tooling.orm.concerns.serialization import SerializesAttributes
from dynamodb_tooling.orm.concerns.validation import ValidatesAttributes
from dynamodb_tooling.orm.fields import AttributeSpec, Field, attribute
from dynamodb_tooling.orm.relations import Relation
from dynamodb_tooling.orm.traits.base import boot_traits
from dynamodb_tooling.orm.traits.soft_deletes import SoftDeletes
from dynamodb_tooling.schema import ModelDefinition, Registry, SchemaError, Traits, get_registry
from dynamodb_tooling.schema.definitions import AttributeDefinition, IdStrategy
from dynamodb_tooling.schema.ids import uuid_strategy
from dynamodb_tooling.schema.naming import default_prefix, make_attribute
from dynamodb_tooling.schema.tables import check_table_name

_RESERVED = {"query", "where", "find", "create", "save", "delete", "update", "to_item"}


def _definition_attribute(
    cls: type,
    name: str,
    annotation: Any,
    spec: AttributeSpec | None,
    default: Any,
    casts: dict[str, CastsAttributes] | None = None,
) -> AttributeDefinition:
    """The definition of one annotated attribute; a custom cast object given with
    ``attribute(cast=...)`` is put in ``casts`` (the model applies it, not the schema)."""
    where = f"{cls.__name__}.{name}"
    custom: CastsAttributes | None = None
    named: Any = None
    if spec is not None and spec.cast is not None:
        named, custom = resolve_cast(spec.cast, where)
    if custom is None:
        kind, nullable = attribute_type(annotation, where)
        kind = named or kind
        read_as = python_type(annotation)
    else:
        # The annotation is the cast's value type (often not storable): the stored type is
        # the cast's stored_as, else the annotation's when storable, else "any".
        nullable = is_optional(annotation)
        try:
            kind = named or attribute_type(annotation, where)[0]
        except SchemaError:
            kind = "any"
        read_as = None
        if casts is not None:
            casts[name] = custom
    options: dict[str, Any] = {}
    has_default = False
    if spec is not None:
        kind = spec.type or kind
        has_default = spec.has_default
        default = spec.default if spec.default_factory is None else None
        options = {
            "unique": spec.unique,
            "index": spec.index,
            "index_sort": spec.index_sort,
            "hidden": spec.hidden,
            "fillable": spec.fillable,
            "guarded": spec.guarded,
            "validation": spec.validation,
            "description": spec.description,
        }
        if custom is not None:
            options["cast"] = type(custom).__name__
    elif default is not _NO_DEFAULT:
        has_default = True
    options["python_type"] = read_as
    return make_attribute(
        name,
        kind,
        nullable=nullable,
        default=default if has_default else None,
        has_default=has_default,
        **options,
    )


_NO_DEFAULT = object()


def _id_strategy(uuid: object, model: str) -> IdStrategy:
    """``uuid=``: ``False`` ULIDs, ``True``/``"v4"`` random UUIDs, ``"v7"`` time-ordered."""
    strategy = uuid_strategy(uuid)
    if strategy is None:
        raise SchemaError(f"{model}: uuid={uuid!r} must be True, 'v4' or 'v7' (or False for ULIDs)")
    return strategy


@dataclass_transform(kw_only_default=True, field_specifiers=(attribute,))
class Model(
    Querying,
    HasFactory,
    HasRelationships,
    HasEvents,
    SoftDeletes,
    Persistence,
    ValidatesAttributes,
    SerializesAttributes,
    GuardsAttributes,
    HasAttributes,
    TracksChanges,
):
    """Base class of models; see the module docstring. A model is composed of concerns, each
    in its own module of :mod:`dynamodb_tooling.orm.concerns` (attributes, guarding,
    serialisation, change tracking, persistence, events, querying) and of traits in
    :mod:`dynamodb_tooling.orm.traits` (soft deletes).

    For type checkers, ``Model`` is a ``typing.dataclass_transform``: a model's constructor is
    typed from its annotations (keyword-only; ``attribute(default=...)`` and
    ``attribute(default_factory=...)`` are defaults), so ``User(name=1)`` and misspelled
    keywords are errors. The ``dynamodb_tooling.mypy`` plugin adds typed class access
    (``User.age`` → ``AttributeRef[...]``) and the managed attributes (``id``, timestamps,
    foreign keys); see that module. Nothing of this changes run time."""

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]
    __specs__: ClassVar[dict[str, AttributeSpec]]
    __attribute_specs__: ClassVar[dict[str, AttributeSpec]]
    __initializers__: ClassVar[tuple[Any, ...]] = ()

    if TYPE_CHECKING:
        #: The usual primary key, for code typed against ``Model`` itself. A model declares
        #: its own: an annotation (``id: int``), or, with the mypy plugin, ``id: str`` (or the
        #: ``primary_key=`` attribute) is declared for it. Not a constructor field here.
        id: Any

    def __init_subclass__(
        cls,
        *,
        abstract: bool = False,
        name: str | None = None,
        pk_prefix: str | None = None,
        primary_key: str = "id",
        table: str | None = None,
        timestamps: bool = False,
        soft_deletes: bool | None = None,
        uuid: bool | Literal["v4", "v7"] = False,
        ttl: bool | str = False,
        ttl_index: bool = False,
        versioning: bool = False,
        registry: Registry | None = None,
        definition: ModelDefinition | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls._take_specs()
        if abstract:
            return
        cls.__registry__ = registry or get_registry()
        cls.__attribute_specs__ = cls._inherited()[0]
        if definition is None:
            table = check_table_name(name or cls.__name__, table)
            if soft_deletes is None:  # the configuration's default for every model
                soft_deletes = cls.__registry__.config.query_builder.soft_deletes.enabled
            traits = Traits(
                timestamps=timestamps,
                soft_deletes=soft_deletes,
                id_strategy=_id_strategy(uuid, name or cls.__name__),
                ttl=bool(ttl),
                ttl_attribute=ttl if isinstance(ttl, str) else None,
                ttl_index=ttl_index,
                versioning=versioning,
            )
            definition = cls._build_definition(
                name or cls.__name__, pk_prefix, primary_key, table, traits
            )
        origin = f"{cls.__module__}.{cls.__qualname__}"
        cls.__definition__ = cls.__registry__.register(definition, origin=origin)
        for attribute_name in (definition.primary_key, *(a.name for a in definition.attributes)):
            # Class access gives a typed reference (User.age > 30); instances read their dict.
            setattr(cls, attribute_name, Field(attribute_name, definition.name))
        cls.__initializers__ = boot_traits(cls)

    def __init__(self, **values: Any) -> None:
        """A new, unsaved instance (see the attributes concern); user traits' ``initialize``
        then run."""
        super().__init__(**values)
        for initialize in type(self).__initializers__:
            initialize(self)

    @classmethod
    def _take_specs(cls) -> None:
        """Move this class's ``attribute(...)`` options off the class, into ``__specs__``, so
        an unset attribute never reads as its options object (for abstract bases too)."""
        own = {k: v for k, v in cls.__dict__.items() if isinstance(v, AttributeSpec)}
        for name in own:
            delattr(cls, name)
        cls.__specs__ = own

    @classmethod
    def _inherited(
        cls,
    ) -> tuple[dict[str, AttributeSpec], dict[str, Any], dict[str, Relation[Any]]]:
        """Options, plain defaults and relations declared on this class and its bases."""
        specs: dict[str, AttributeSpec] = {}
        defaults: dict[str, Any] = {}
        relations: dict[str, Relation[Any]] = {}
        for klass in reversed(cls.__mro__):
            specs.update(klass.__dict__.get("__specs__", {}))
            for key, value in klass.__dict__.items():
                if isinstance(value, Relation):
                    relations[key] = value
                elif not key.startswith("_"):
                    defaults[key] = value
        return specs, defaults, relations

    @classmethod
    def _build_definition(
        cls, name: str, pk_prefix: str | None, primary_key: str, table: str | None, traits: Traits
    ) -> ModelDefinition:
        try:
            hints = get_type_hints(cls)
        except NameError as exc:
            raise SchemaError(
                f"{name}: an annotation names an undefined type ({exc}); with `from __future__ "
                "import annotations`, annotations must name module-level types"
            ) from exc
        specs, defaults, inherited_relations = cls._inherited()
        attributes = []
        casts: dict[str, CastsAttributes] = {}
        for attr_name, annotation in hints.items():
            if attr_name.startswith("_") or attr_name in inherited_relations:
                continue
            if annotation is ClassVar or get_origin(annotation) is ClassVar:
                continue
            if attr_name == primary_key:
                continue
            if attr_name in _RESERVED or any(attr_name in vars(k) for k in Model.__mro__[:-1]):
                raise SchemaError(f"{name}.{attr_name}: this name is reserved by Model; rename it")
            spec = specs.get(attr_name)
            raw = defaults.get(attr_name, _NO_DEFAULT)
            if isinstance(raw, Accessor | AttributeAccessor | Mutator):
                raise SchemaError(
                    f"{name}.{attr_name}: an @accessor/@mutator method is named like the "
                    f"attribute it serves; give the method another name (e.g. _{attr_name}_get)"
                )
            attributes.append(_definition_attribute(cls, attr_name, annotation, spec, raw, casts))
        # The model applies custom casts (get/set) and accessors/mutators itself (the schema
        # stores their stored form): compiled once per class by the attributes concern.
        cls._install_hooks(casts)
        declared = (relation.to_definition() for relation in inherited_relations.values())
        relations = [found for found in declared if found is not None]
        return ModelDefinition(
            name=name,
            prefix=pk_prefix or default_prefix(name),
            primary_key=primary_key,
            attributes=tuple(attributes),
            relations=tuple(relations),
            traits=traits,
            table=table,
        )
