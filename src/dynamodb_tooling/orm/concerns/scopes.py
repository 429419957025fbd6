"""Scopes: reusable query constraints (Eloquent's local and global scopes).

A **local scope** is a function of the query, declared in the model's class body with
:func:`scope`; it is called on the class or on any query of the model::

    class Post(Model):
        status: str
        kind: str

        @scope
        def published(query: ModelQuery[Post]) -> ModelQuery[Post]:
            return query.where("status", "live")

        @scope
        def of_type(query: ModelQuery[Post], kind: str) -> ModelQuery[Post]:
            return query.where("kind", kind)

    Post.published().get()                       # ModelQuery[Post] for type checkers
    Post.where("kind", "news").published().first()
    Post.of_type("news").published().count()

A **global scope** constrains every query of the model, applied when the query is planned
or run (not when it is built): ``Post.add_global_scope("live", lambda q: q.where(...))``,
usually from the model's ``booted()`` classmethod, which runs once, before the model's first
query. ``Post.without_global_scope("live")`` / ``without_global_scopes()`` lift them for one
query. Soft deletes are the global scope named ``"soft_deletes"``: ``with_trashed()`` is
``without_global_scope("soft_deletes")``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    TypeAlias,
    TypeVar,
    overload,
    runtime_checkable,
)

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.schema import ModelDefinition, SchemaError
from dynamodb_tooling.schema.traits import uses

if TYPE_CHECKING:
    from dynamodb_tooling.orm.query import ModelQuery

P = ParamSpec("P")
M = TypeVar("M")

#: The global scope soft-deleting models have (the planner's ``deleted_at`` filter).
SOFT_DELETES = "soft_deletes"


@runtime_checkable
class Scope(Protocol):
    """A global scope as a class (Eloquent's ``Scope`` interface): ``apply(query, model)``
    returns the constrained query. Registered under its class name unless named."""

    def apply(self, query: ModelQuery[Any], model: type[Any]) -> ModelQuery[Any]: ...


#: What ``add_global_scope`` takes: a function of the query, or a :class:`Scope` object.
GlobalScope: TypeAlias = Callable[["ModelQuery[Any]"], "ModelQuery[Any]"] | Scope


def _checked(result: Any, name: str, kind: str) -> ModelQuery[Any]:
    from dynamodb_tooling.query.builder import QueryBuilder

    if not isinstance(result, QueryBuilder):
        raise QueryError(
            f"{kind} scope {name!r} returned {type(result).__name__}, not the query; end it "
            f"with `return query.where(...)` (queries are immutable: each method returns a "
            "new one)"
        )
    return result  # type: ignore[return-value]


class scope(Generic[P]):  # noqa: N801 - a decorator, spelled like one
    """Declare a local scope (see the module docstring): the decorated function takes the
    query (and any parameters) and returns the constrained query.

    On the class, ``Post.published(...)`` starts a new query with the scope applied; on a
    query, ``query.published(...)`` applies it to that query. Type checkers see
    ``Post.published`` as taking the scope's parameters and returning ``ModelQuery[Post]``.
    """

    def __init__(self, function: Callable[Concatenate[Any, P], Any]) -> None:
        self.function = function
        self.name: str = getattr(function, "__name__", "scope")
        self.__doc__ = getattr(function, "__doc__", None)

    def __set_name__(self, owner: type[Any], name: str) -> None:
        from dynamodb_tooling.orm.query import ModelQuery

        self.name = name
        if hasattr(ModelQuery, name):
            raise SchemaError(
                f"{owner.__name__}.{name}: a local scope may not be named like a query method "
                f"(ModelQuery.{name} exists, so query.{name}() would not reach the scope); "
                "rename the scope"
            )

    def apply(self, query: ModelQuery[M], *args: P.args, **kwargs: P.kwargs) -> ModelQuery[M]:
        """Apply the scope to ``query`` (what ``query.published()`` does)."""
        return _checked(self.function(query, *args, **kwargs), self.name, "local")

    @overload
    def __get__(self, instance: None, owner: type[M]) -> Callable[P, ModelQuery[M]]: ...
    @overload
    def __get__(self, instance: M, owner: type[M]) -> Callable[P, ModelQuery[M]]: ...
    def __get__(self, instance: Any, owner: type[Any]) -> Callable[P, ModelQuery[Any]]:
        return BoundScope(self, owner)

    def __repr__(self) -> str:
        return f"<local scope {self.name!r}>"


class BoundScope(Generic[P, M]):
    """``Post.published``: calling it starts ``Post.query()`` with the scope applied."""

    def __init__(self, declared: scope[P], model: type[M]) -> None:
        self.scope = declared
        self.model = model
        self.__name__ = declared.name
        self.__doc__ = declared.__doc__

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> ModelQuery[M]:
        query: ModelQuery[M] = self.model.query()  # type: ignore[attr-defined]
        return self.scope.apply(query, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<local scope {self.model.__name__}.{self.scope.name}>"


def local_scope(model: type[Any], name: str) -> scope[Any] | None:
    """The local scope ``name`` declared on ``model`` or a base (``None`` when none is)."""
    for klass in model.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found if isinstance(found, scope) else None
    return None


def local_scope_names(model: type[Any]) -> list[str]:
    return sorted(
        {name for klass in model.__mro__ for name, v in vars(klass).items() if isinstance(v, scope)}
    )


def scope_name(given: str | object) -> str:
    """The name a global scope is known by: a string as is; a :class:`Scope` object or class
    by its class name; a function by its ``__name__`` (lambdas need a name)."""
    if isinstance(given, str):
        if not given:
            raise QueryError("a global scope name must not be empty")
        return given
    if isinstance(given, type):
        return given.__name__
    if isinstance(given, Scope):
        return type(given).__name__
    name = getattr(given, "__name__", None)
    if callable(given) and name and name != "<lambda>":
        return str(name)
    raise QueryError(
        f"cannot name the global scope {given!r}: pass a name with it, "
        "add_global_scope('active', lambda q: q.where('active', True)), or a named function "
        "or Scope object"
    )


_boot_lock = threading.RLock()
#: Bumped by every ``add_global_scope``: the per-class lists of scopes are cached against it
#: (a model query asks for them on every plan, ``find(id)`` included).
_generation = [0]


class HasGlobalScopes:
    """The model's global scopes (Eloquent's ``HasGlobalScopes``) and its ``booted()`` hook.

    Scopes are kept per class; a subclass has its bases' scopes too. They are applied by
    :class:`~dynamodb_tooling.orm.query.ModelQuery` when a query is planned or run.
    """

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]

    @classmethod
    def booted(cls) -> None:
        """Override to register global scopes (or anything else) once per model class,
        before its first query: ``cls.add_global_scope(...)`` (Eloquent's ``booted()``)."""

    @classmethod
    def _boot(cls) -> None:
        if "_scopes_booted" in cls.__dict__:
            return
        with _boot_lock:
            if "_scopes_booted" in cls.__dict__:
                return
            type.__setattr__(cls, "_scopes_booted", True)  # set first: booted() may query
            cls.booted()

    @classmethod
    def add_global_scope(cls, scope: str | GlobalScope, apply: GlobalScope | None = None) -> None:
        """Constrain every query of this model (and its subclasses):
        ``add_global_scope("active", lambda q: q.where("active", True))``, or a
        :class:`Scope` object (``add_global_scope(ActiveScope())``, named by its class), or a
        named function. Adding a scope under a name it already has replaces it."""
        if apply is None:
            if isinstance(scope, str):
                raise QueryError(
                    f"add_global_scope({scope!r}) needs the scope: "
                    f"add_global_scope({scope!r}, lambda query: query.where(...))"
                )
            name, apply = scope_name(scope), scope
        else:
            if not isinstance(scope, str):
                raise QueryError(
                    "add_global_scope(name, scope): the name comes first, as a string "
                    f"(got {scope!r})"
                )
            name = scope_name(scope)
        if not (isinstance(apply, Scope) or callable(apply)):
            raise QueryError(
                f"global scope {name!r} must be a function of the query or an object with "
                f"apply(query, model), not {type(apply).__name__}"
            )
        if name == SOFT_DELETES:
            raise QueryError(
                f"{cls.__name__}: the global scope name {SOFT_DELETES!r} belongs to the "
                "soft-deletes trait; give this scope another name"
            )
        with _boot_lock:
            own: dict[str, GlobalScope] = cls.__dict__.get("_own_global_scopes") or {}
            type.__setattr__(cls, "_own_global_scopes", {**own, name: apply})
            _generation[0] += 1

    @classmethod
    def global_scopes(cls) -> dict[str, GlobalScope | None]:
        """This model's global scopes by name, in the order they apply (soft-deleting models
        list ``"soft_deletes"`` first, with ``None``: the planner applies it)."""
        return dict(cls._global_scopes())

    @classmethod
    def _global_scopes(cls) -> Mapping[str, GlobalScope | None]:
        cached = cls.__dict__.get("_scopes_cache")
        if cached is not None and cached[0] == _generation[0]:
            found: dict[str, GlobalScope | None] = cached[1]
            return found
        cls._boot()
        generation = _generation[0]
        found = {}
        definition: ModelDefinition | None = getattr(cls, "__definition__", None)
        if definition is not None and uses(definition, SOFT_DELETES):
            found[SOFT_DELETES] = None  # the read scope the soft-deletes trait imposes
        for klass in reversed(cls.__mro__):
            if isinstance(klass, type) and issubclass(klass, HasGlobalScopes):
                klass._boot()
            own: Mapping[str, GlobalScope] = klass.__dict__.get("_own_global_scopes") or {}
            found.update(own)
        if generation == _generation[0]:
            type.__setattr__(cls, "_scopes_cache", (generation, found))
        return found

    @classmethod
    def has_global_scope(cls, scope: str | object) -> bool:
        return scope_name(scope) in cls._global_scopes()


def run_global_scope(
    apply: GlobalScope, query: ModelQuery[M], model: type[Any], name: str
) -> ModelQuery[M]:
    """Apply one global scope to ``query`` (checked to return a query)."""
    if isinstance(apply, Scope):
        result: Any = apply.apply(query, model)
    else:
        result = apply(query)
    return _checked(result, name, "global")
