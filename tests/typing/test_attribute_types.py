"""Model attributes for type checkers: ``dataclass_transform`` constructors and the
``dynamodb_tooling.mypy`` plugin (typed class access, managed attributes, no ``Any`` for
misspellings). Checked by ``mypy --strict src tests/typing``, not run; every
``# type: ignore[code]`` is a negative check (``warn_unused_ignores`` fails it if it passes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, assert_type

from dynamodb_tooling.orm import BelongsTo, Field, HasMany, Model, ModelQuery, Trait, attribute
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.refs import AttributeRef
from dynamodb_tooling.schema import Registry

#: Its own registry: pytest imports this module beside other typing checks.
REGISTRY = Registry()


class Team(Model, registry=REGISTRY):
    name: str
    users = HasMany("User")


class User(Model, registry=REGISTRY, timestamps=True, soft_deletes=True):
    email: str = attribute(unique=True)
    name: str
    age: int | None = None
    score: float = 0.0
    tags: list[str] = attribute(default_factory=list)
    password: str | None = attribute(hidden=True)  # nullable: optional in the constructor
    team = BelongsTo(Team)


class Account(Model, registry=REGISTRY, primary_key="handle", versioning=True, ttl="expires_at"):
    handle: str
    balance: int = 0


class Ticket(Model, registry=REGISTRY):
    id: int
    title: str
    owner = BelongsTo("User", foreign_key="opened_by")


class HasSlug(Trait):
    slug: str | None = None


class Post(Model, HasSlug, registry=REGISTRY):
    title: str
    views: Field[int] = attribute(default=0)


def class_access_is_a_typed_reference() -> None:
    assert_type(User.age, AttributeRef[int | None])
    assert_type(User.age > 30, Predicate)
    assert_type(User.name, AttributeRef[str])
    assert_type(User.name.begins_with("A"), Predicate)
    assert_type(User.tags, AttributeRef[list[str]])
    assert_type(User.where(User.age > 30), ModelQuery[User])
    assert_type(User.where(User.age.between(18, 65)).first(), User | None)
    assert_type(Post.slug, AttributeRef[str | None])  # a trait's attribute
    assert_type(Post.views, AttributeRef[int])  # Field[T] keeps working
    _ = User.age > "thirty"  # type: ignore[operator]
    _ = User.age.between("a", "z")  # type: ignore[arg-type]


def instance_access_is_the_value_type(user: User, post: Post, account: Account) -> None:
    assert_type(user.age, int | None)
    assert_type(user.name, str)
    assert_type(user.tags, list[str])
    assert_type(post.views, int)
    assert_type(post.slug, str | None)
    assert_type(account.balance, int)
    user.age = 31
    user.age = None
    post.views = 3
    user.age = "old"  # type: ignore[assignment]
    post.views = "many"  # type: ignore[assignment]


def managed_attributes_are_typed(user: User, account: Account, ticket: Ticket) -> None:
    assert_type(user.id, str)
    assert_type(user.created_at, datetime | None)
    assert_type(user.updated_at, datetime | None)
    assert_type(user.deleted_at, datetime | None)
    assert_type(user.team_id, str | None)
    assert_type(User.id, AttributeRef[str])
    assert_type(User.team_id, AttributeRef[str | None])
    assert_type(User.created_at, AttributeRef[datetime | None])
    assert_type(User.where(User.team_id == "t1").latest(), ModelQuery[User])
    assert_type(account.handle, str)  # primary_key="handle": no id declared for it
    assert_type(account._v, int | None)
    assert_type(account.expires_at, int | None)
    assert_type(ticket.id, int)  # a declared id wins
    assert_type(ticket.opened_by, str | None)  # BelongsTo(..., foreign_key=...)
    assert_type(Ticket.id, AttributeRef[int])


def misspellings_are_errors(user: User, account: Account, team: Team) -> None:
    _ = user.nmae  # type: ignore[attr-defined]
    user.nmae = "Ada"  # type: ignore[attr-defined]
    _ = User.nmae  # type: ignore[attr-defined]
    _ = user.created  # type: ignore[attr-defined]
    _ = team.created_at  # type: ignore[attr-defined]
    _ = team.deleted_at  # type: ignore[attr-defined]
    _ = account.created_at  # type: ignore[attr-defined]


def constructors_are_typed_from_annotations(team: Team) -> None:
    assert_type(User(email="a@b.c", name="Ada"), User)
    User(email="a@b.c", name="Ada", age=36, team_id=team.id, id="01J")
    User(email="a@b.c", name="Ada", created_at=datetime(2026, 1, 1))
    Post(title="Hi", slug="hi", views=2)
    Account(handle="ada", expires_at=1_900_000_000)
    Ticket(id=1, title="Broken", opened_by="u1")
    User(email="a@b.c", name=1)  # type: ignore[arg-type]
    User(email="a@b.c", name="Ada", nmae="x")  # type: ignore[call-arg]
    User(name="Ada")  # type: ignore[call-arg]
    User("a@b.c", "Ada")  # type: ignore[call-arg]
    Post(title="Hi", views="two")  # type: ignore[arg-type]
    Ticket(id="one", title="x")  # type: ignore[arg-type]


def generic_model_code(model: Model, models: list[type[Model]]) -> Any:
    return model.id, [m.count() for m in models]
