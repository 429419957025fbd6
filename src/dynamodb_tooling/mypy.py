"""The mypy plugin of ``dynamodb_tooling``: model attributes typed as the library uses them.

Enable it in ``pyproject.toml`` (or the ``plugins`` line of ``mypy.ini``)::

    [tool.mypy]
    plugins = ["dynamodb_tooling.mypy"]

What it adds to what ``Model``'s ``typing.dataclass_transform`` already gives every checker
(a constructor typed from the annotations):

- **Class access is a typed reference.** With ``age: int | None = None``, ``User.age`` is an
  ``AttributeRef[int | None]``, so ``User.where(User.age > 30)`` type-checks and
  ``User.age > "thirty"`` is an error; ``user.age`` stays ``int | None``.
- **Managed attributes are declared**, so they are typed without a ``__getattr__``: ``id``
  (``str``; the ``primary_key=`` keyword and a declared ``id`` are honoured), ``created_at`` /
  ``updated_at`` (``datetime | None``) with ``timestamps=True``, ``deleted_at`` with soft
  deletes, the version attribute with ``versioning=True`` (``int | None``), the TTL attribute
  with ``ttl=`` (``int | None``), and what the relations declared in the class body store
  on the model (all ``str | None``): a ``BelongsTo``'s foreign key (``team = BelongsTo(Team)``
  → ``team_id``), a self link's ``parent_id`` (``children = HasMany("self")``), a
  ``MorphTo``'s ``<morph>_type`` and ``<morph>_id`` (``commentable = MorphTo()`` →
  ``commentable_type``, ``commentable_id``). Their names and the soft-delete default come from
  the project's configuration file (``dbtooling.toml`` or ``[tool.dbtooling]`` in
  ``pyproject.toml``, found from the directory mypy runs in).
- **The constructor accepts them too**: ``Post(title="Hi", user_id=u.id)``, ``User(id="01J…")``
  and the attributes of user traits (``class Post(Model, HasSlug)``); as at run time, a
  nullable attribute (``password: str | None = attribute(hidden=True)``) may be left out,
  a non-nullable one without a default may not. Relations are not constructor keywords
  (``User(posts=[...])`` is an error, as at run time).
- **Relations declared by name are typed as if declared with the class**: with
  ``posts = HasMany("Post")``, ``user.posts`` is ``HasManyQuery[Post]`` (without the plugin:
  ``HasManyQuery[Any]``); likewise ``HasOne``, ``BelongsTo``, ``BelongsToMany``,
  ``HasManyThrough`` and the polymorphic ``MorphOne``, ``MorphMany``, ``MorphToMany``,
  ``MorphedByMany``. ``"self"`` is the enclosing model class. Another name is looked up
  where the relation is declared, as the model registered under it (its ``name=`` class
  keyword, else its class name): among the models defined in the same function, then in the
  calling module's globals — defined there or imported, ``if TYPE_CHECKING:`` imports
  included, the way to name a model of another module without an import cycle. Other modules
  (even of the same package) are not searched. A name found nowhere, or twice, stays ``Any``
  without an error: at run time the registry names a target that is no model (a
  ``SchemaError``) when it resolves the relations.
  ``MorphTo()`` stays ``Any`` (its parent is one of several types).

Misspelled attributes and relations are errors with or without the plugin: the model's
runtime ``__getattr__`` is hidden from type checkers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_STAR2,
    MDEF,
    AssignmentStmt,
    CallExpr,
    Expression,
    FuncItem,
    Import,
    ImportAll,
    ImportFrom,
    LambdaExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    Statement,
    StrExpr,
    SymbolTableNode,
    TypeInfo,
    Var,
)
from mypy.plugin import (
    AttributeContext,
    CheckerPluginInterface,
    ClassDefContext,
    FunctionContext,
    FunctionSigContext,
    Plugin,
    SemanticAnalyzerPluginInterface,
)
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from dynamodb_tooling.schema.definitions import SELF
from dynamodb_tooling.schema.naming import (
    SELF_FOREIGN_KEY,
    foreign_key,
    morph_id_attribute,
    morph_type_attribute,
)

MODEL = "dynamodb_tooling.orm.model.Model"
TRAIT = "dynamodb_tooling.orm.traits.base.Trait"
REFERENCE = "dynamodb_tooling.query.refs.AttributeRef"
RELATION = "dynamodb_tooling.orm.relations.base.Relation"
BELONGS_TO = "dynamodb_tooling.orm.relations.belongs_to.BelongsTo"
HAS_ONE_OR_MANY = "dynamodb_tooling.orm.relations.has_one_or_many.HasOneOrMany"
MORPHS = "dynamodb_tooling.orm.relations.morph_one_or_many.MorphOneOrMany"
MORPH_TO = "dynamodb_tooling.orm.relations.morph_to.MorphTo"
FIELD = "dynamodb_tooling.orm.fields.Field"
#: ``TypeInfo.metadata`` key: the managed attributes the plugin declared on a model class.
METADATA = "dynamodb_tooling"


@dataclass(frozen=True)
class Names:
    """The managed attribute names and the soft-delete default (the configuration's)."""

    created_at: str = "created_at"
    updated_at: str = "updated_at"
    deleted_at: str = "deleted_at"
    version: str = "_v"
    ttl: str = "ttl"
    soft_deletes: bool = False


def configured_names() -> Names:
    """:class:`Names` from the project's configuration file; the defaults when there is none
    or it cannot be read (mypy must not fail because of the application's configuration)."""
    try:
        from dynamodb_tooling.config import load_config

        config = load_config(environ=dict(os.environ))
    except Exception:  # any unreadable configuration means "the defaults"
        return Names()
    query = config.query_builder
    return Names(
        created_at=query.created_at_attribute,
        updated_at=query.updated_at_attribute,
        deleted_at=query.soft_deletes.attribute,
        version=query.version_attribute,
        ttl=config.ttl.attribute_name,
        soft_deletes=query.soft_deletes.enabled,
    )


def _flag(expression: Expression | None) -> bool | None:
    """A class keyword's literal ``True``/``False`` (``None`` when absent or not a literal)."""
    if isinstance(expression, NameExpr) and expression.name in ("True", "False"):
        return expression.name == "True"
    return None


def _string(expression: Expression | None) -> str | None:
    return expression.value if isinstance(expression, StrExpr) else None


def _is_model(info: TypeInfo) -> bool:
    return info.fullname != MODEL and info.has_base(MODEL)


def _declares_attributes(info: TypeInfo) -> bool:
    """Whether annotations in ``info``'s body are model attributes (a model or a user trait)."""
    return _is_model(info) or (info.fullname != TRAIT and info.has_base(TRAIT))


def _attribute_var(info: TypeInfo, name: str) -> Var | None:
    """The ``Var`` of model attribute ``name`` as seen from ``info``: annotated (or declared
    by this plugin) in a model or trait class body, not a ClassVar, not private."""
    if name.startswith("_") and name not in _managed_names(info):
        return None
    node = info.get(name)
    if node is None or not isinstance(node.node, Var):
        return None
    var = node.node
    if var.is_classvar or var.is_inferred or var.type is None:
        return None
    if var.info is None or not _declares_attributes(var.info):
        return None
    return var


def _managed_names(info: TypeInfo) -> set[str]:
    names: set[str] = set()
    for klass in info.mro:
        names.update(klass.metadata.get(METADATA, {}).get("managed", ()))
    return names


def _is_descriptor(typ: Type) -> bool:
    """Whether ``typ`` already decides its own class access (``Field[int]``, a property...)."""
    proper = get_proper_type(typ)
    return isinstance(proper, Instance) and proper.type.get("__get__") is not None


class DynamoDBToolingPlugin(Plugin):
    """See the module docstring."""

    names: Names | None = None

    def _names(self) -> Names:
        if self.names is None:
            self.names = configured_names()
        return self.names

    # Every module using the library needs these two modules' types (datetime for timestamps,
    # AttributeRef for class access) even when it does not import them itself.
    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        imported: list[str] = []
        for imp in file.imports:
            if isinstance(imp, Import):
                imported += [module for module, _ in imp.ids]
            elif isinstance(imp, ImportFrom | ImportAll):
                imported.append(imp.id)
        uses_library = any(name.split(".")[0] == "dynamodb_tooling" for name in imported)
        if not uses_library or file.fullname.startswith("dynamodb_tooling."):
            return []
        return [(10, "datetime", -1), (10, "dynamodb_tooling.query.refs", -1)]

    # Semantic analysis: declare the managed attributes on every model class.
    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        symbol = self.lookup_fully_qualified(fullname)
        info = symbol.node if symbol is not None else None
        if isinstance(info, TypeInfo) and (info.fullname == MODEL or info.has_base(MODEL)):
            return self._declare_managed
        return None

    def _declare_managed(self, ctx: ClassDefContext) -> None:
        info = ctx.cls.info
        keywords = ctx.cls.keywords
        if _flag(keywords.get("abstract")):
            return
        api = ctx.api
        names = self._names()
        string = api.named_type("builtins.str")
        optional_int = UnionType.make_union([api.named_type("builtins.int"), NoneType()])
        moment = api.named_type_or_none("datetime.datetime")
        if moment is None:
            if not api.final_iteration:
                api.defer()
                return
            optional_moment: Type = AnyType(TypeOfAny.from_error)
        else:
            optional_moment = UnionType.make_union([moment, NoneType()])
        declared: dict[str, Type] = {}
        primary_key = _string(keywords.get("primary_key")) or "id"
        declared[primary_key] = string
        if _flag(keywords.get("timestamps")):
            declared[names.created_at] = optional_moment
            declared[names.updated_at] = optional_moment
        soft_deletes = _flag(keywords.get("soft_deletes"))
        if soft_deletes if soft_deletes is not None else names.soft_deletes:
            declared[names.deleted_at] = optional_moment
        if _flag(keywords.get("versioning")):
            declared[names.version] = optional_int
        ttl = keywords.get("ttl")
        if _flag(ttl) or _string(ttl):
            declared[_string(ttl) or names.ttl] = optional_int
        optional_string = UnionType.make_union([string, NoneType()])
        model = _string(keywords.get("name")) or info.name
        for key in _relation_attributes(ctx.cls.defs.body, model):
            declared[key] = optional_string
        managed = []
        for name, typ in declared.items():
            existing = info.get(name)
            if _user_declared(existing):
                continue  # declared by the user (or a base model): the declaration wins
            _add_var(api, info, name, typ)
            managed.append(name)
        info.metadata[METADATA] = {"managed": sorted(managed), "name": model}

    # Type checking: ``User.age`` is ``AttributeRef[<declared type>]``.
    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        class_name, _, name = fullname.rpartition(".")
        symbol = self.lookup_fully_qualified(class_name)
        if symbol is None or not isinstance(symbol.node, TypeInfo) or not _is_model(symbol.node):
            return None
        var = _attribute_var(symbol.node, name)
        if var is None or var.type is None or _is_descriptor(var.type):
            return None
        reference = self.lookup_fully_qualified(REFERENCE)
        if reference is None or not isinstance(reference.node, TypeInfo):
            return None  # the library's query package is not part of this build
        return partial(_reference, reference.node, var.type)

    # Type checking: the constructor accepts the managed attributes and traits' attributes.
    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol is not None and isinstance(symbol.node, TypeInfo) and _is_model(symbol.node):
            return partial(_constructor, symbol.node)
        return None

    # Type checking: ``HasMany("Post")`` is ``HasMany[Post]`` when ``Post`` is in reach.
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        info = symbol.node if symbol is not None else None
        if isinstance(info, TypeInfo) and info.has_base(RELATION) and not info.has_base(MORPH_TO):
            return _resolved_relation
        return None


def _resolved_relation(ctx: FunctionContext) -> Type:
    """A relation constructed with a model's name, typed as if with the class: ``HasMany("Post")``
    is ``HasMany[Post]``. Unchanged when the target is a class already, or a name the calling
    module does not define (``Any``: the runtime reports names that resolve to nothing)."""
    relation = get_proper_type(ctx.default_return_type)
    if not isinstance(relation, Instance) or len(relation.args) != 1:
        return ctx.default_return_type
    if not isinstance(get_proper_type(relation.args[0]), AnyType):
        return ctx.default_return_type
    name = _string_target(ctx)
    stack = _scope_stack(ctx.api)
    if name is None or stack is None:
        return ctx.default_return_type
    model = _named_model(name, stack, ctx.context.line)
    if model is None:
        return ctx.default_return_type
    return relation.copy_modified(args=[fill_typevars_with_any(model)])


def _string_target(ctx: FunctionContext) -> str | None:
    """The literal string given as the relation's ``target`` (its first parameter)."""
    names = ctx.callee_arg_names
    index = names.index("target") if "target" in names else 0
    actual = ctx.args[index] if index < len(ctx.args) else []
    return _string(actual[0]) if actual else None


def _scope_stack(api: CheckerPluginInterface) -> list[object] | None:
    """Where the call being checked is: the module, then the enclosing functions and classes
    (innermost last). mypy's plugin interface has no accessor for it; the type checker's
    ``scope`` holds it (``None`` if a mypy version stops doing so: names then stay ``Any``)."""
    stack = getattr(getattr(api, "scope", None), "stack", None)
    if isinstance(stack, list) and stack and isinstance(stack[0], MypyFile):
        return stack
    return None


def _named_model(name: str, stack: list[object], line: int) -> TypeInfo | None:
    """The model class a relation target names, seen from the call at ``line``: ``"self"`` is
    the enclosing class; another name a model of that name (its ``name=`` keyword, else its
    class name) defined in the function making the call or in the calling module's globals
    (imported there, possibly under ``if TYPE_CHECKING:``). ``None`` when there is none or
    several (the name is left ``Any``)."""
    if name == SELF:
        classes = [item for item in stack if isinstance(item, TypeInfo)]
        found = classes[-1] if classes else None
        return found if found is not None and _is_model(found) else None
    module = stack[0]
    assert isinstance(module, MypyFile)
    functions = [i for i in stack if isinstance(i, FuncItem) and not isinstance(i, LambdaExpr)]
    span = (functions[0].line, functions[0].end_line or line) if functions else None
    local: dict[str, TypeInfo] = {}
    module_level: dict[str, TypeInfo] = {}
    for key, symbol in module.names.items():
        info = symbol.node
        if not isinstance(info, TypeInfo) or not _is_registered(info) or _model_name(info) != name:
            continue
        if "@" not in key:
            module_level[info.fullname] = info
        elif span is not None and span[0] <= info.line <= span[1]:
            local[info.fullname] = info  # a class defined in this function (mypy: Name@line)
    for models in (local, module_level):
        if models:
            return next(iter(models.values())) if len(models) == 1 else None
    return None


def _is_registered(info: TypeInfo) -> bool:
    """Whether ``info`` is a concrete model (the plugin declared its attributes)."""
    return _is_model(info) and METADATA in info.metadata


def _model_name(info: TypeInfo) -> str:
    """The name a model is registered under: its ``name=`` class keyword, else its class name."""
    name = info.metadata.get(METADATA, {}).get("name")
    return name if isinstance(name, str) and name else info.name


def _relation_attributes(body: Sequence[Statement], model: str) -> list[str]:
    """The attributes the relations assigned in a class body put on the model ``model``
    (its model name): a ``BelongsTo``'s foreign key (``team_id``), a self link's
    ``parent_id`` (``children = HasMany("self")``), a ``MorphTo``'s ``<morph>_type`` and
    ``<morph>_id``."""
    names: list[str] = []
    for statement in body:
        found = _relation_call(statement)
        if found is not None:
            names += _declared_by(*found, model)
    return names


def _relation_call(statement: Statement) -> tuple[TypeInfo, CallExpr, str] | None:
    """``(relation class, call, attribute)`` of ``<attribute> = <Relation>(...)``."""
    if not isinstance(statement, AssignmentStmt) or len(statement.lvalues) != 1:
        return None
    target, call = statement.lvalues[0], statement.rvalue
    if not isinstance(target, NameExpr) or not isinstance(call, CallExpr):
        return None
    callee = call.callee.node if isinstance(call.callee, RefExpr) else None
    if isinstance(callee, TypeInfo) and callee.has_base(RELATION):
        return callee, call, target.name
    return None


def _declared_by(relation: TypeInfo, call: CallExpr, attribute: str, model: str) -> list[str]:
    """What ``<attribute> = <relation>(...)`` stores on ``model``, named as the schema names
    it (:mod:`dynamodb_tooling.schema.naming`)."""
    if relation.has_base(MORPH_TO):
        morph = _string(_arguments(call, "name").get("name")) or attribute
        return [morph_type_attribute(morph), morph_id_attribute(morph)]
    arguments = _arguments(call, "target")
    target = _target_of(arguments.get("target"))
    explicit = _string(arguments.get("foreign_key"))
    self_link = target in (SELF, model)
    if relation.has_base(BELONGS_TO):
        if explicit:
            return [explicit]
        if target:
            return [SELF_FOREIGN_KEY if self_link else foreign_key(target)]
    elif self_link and relation.has_base(HAS_ONE_OR_MANY) and not relation.has_base(MORPHS):
        return [explicit or SELF_FOREIGN_KEY]  # a tree: the children are this model
    return []


def _arguments(call: CallExpr, first: str) -> dict[str, Expression]:
    """A relation call's arguments by name; the first positional one is ``first``."""
    found: dict[str, Expression] = {}
    for argument, name in zip(call.args, call.arg_names, strict=True):
        key = name or (first if first not in found else None)
        if key is not None:
            found.setdefault(key, argument)
    return found


def _target_of(argument: Expression | None) -> str | None:
    """The model a relation's target argument names: a string, or a class's name."""
    if isinstance(argument, StrExpr):
        return argument.value
    if isinstance(argument, NameExpr | MemberExpr):
        return argument.node.name if isinstance(argument.node, TypeInfo) else argument.name
    return None


def _user_declared(existing: SymbolTableNode | None) -> bool:
    """Whether a name is already declared by a model (not by this plugin, not ``Model``'s
    own untyped ``id``)."""
    if existing is None or existing.plugin_generated:
        return False
    node = existing.node
    return not (isinstance(node, Var) and node.info is not None and node.info.fullname == MODEL)


def _add_var(api: SemanticAnalyzerPluginInterface, info: TypeInfo, name: str, typ: Type) -> None:
    var = Var(name, typ)
    var.info = info
    var._fullname = f"{info.fullname}.{name}"
    var.is_inferred = False
    var.is_ready = True
    info.names[name] = SymbolTableNode(MDEF, var, plugin_generated=True)


def _reference(reference: TypeInfo, declared: Type, ctx: AttributeContext) -> Type:
    if ctx.is_lvalue:
        return ctx.default_attr_type
    return Instance(reference, [declared])


def _constructor(info: TypeInfo, ctx: FunctionSigContext) -> FunctionLike:
    signature = ctx.default_signature
    if ARG_STAR2 in signature.arg_kinds:
        return signature  # a constructor taking **values accepts the names already
    taken = set(signature.arg_names)
    extra: list[tuple[str, Type]] = []
    for klass in reversed(info.mro):
        if not _declares_attributes(klass):
            continue
        candidates = [*klass.metadata.get(METADATA, {}).get("managed", ()), *klass.names]
        for name in candidates:
            if name in taken:
                continue
            var = _attribute_var(info, name)
            if var is None or var.type is None:
                continue
            taken.add(name)
            extra.append((name, _init_type(var.type)))
    return _extended(_nullable_optional(signature), extra)


def _nullable_optional(signature: CallableType) -> CallableType:
    """Keyword parameters whose type admits ``None`` become optional, as at run time: an
    unset nullable attribute is ``None`` (``password: str | None = attribute(hidden=True)``
    needs no value), while a non-nullable one without a default stays required (validation
    refuses to save it unset)."""
    kinds = [
        ARG_NAMED_OPT if kind == ARG_NAMED and _admits_none(typ) else kind
        for kind, typ in zip(signature.arg_kinds, signature.arg_types, strict=True)
    ]
    return signature.copy_modified(arg_kinds=kinds)


def _admits_none(typ: Type) -> bool:
    proper = get_proper_type(typ)
    if isinstance(proper, NoneType):
        return True
    return isinstance(proper, UnionType) and any(_admits_none(item) for item in proper.items)


def _init_type(declared: Type) -> Type:
    """What the constructor accepts for an attribute declared as ``declared``: a descriptor's
    ``__set__`` value type (``Field[int]`` → ``int``), else the declared type."""
    proper = get_proper_type(declared)
    if isinstance(proper, Instance) and proper.type.fullname == FIELD and proper.args:
        return proper.args[0]
    return declared


def _extended(signature: CallableType, extra: list[tuple[str, Type]]) -> CallableType:
    return signature.copy_modified(
        arg_types=[*signature.arg_types, *(typ for _, typ in extra)],
        arg_kinds=[*signature.arg_kinds, *(ARG_NAMED_OPT for _ in extra)],
        arg_names=[*signature.arg_names, *(name for name, _ in extra)],
    )


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point (``plugins = ["dynamodb_tooling.mypy"]``)."""
    return DynamoDBToolingPlugin
