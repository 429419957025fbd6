"""What type checkers see on models and queries (checked by mypy, not run)."""

from typing import Any, assert_type

from dynamodb_tooling.orm import Field, Model, ModelQuery
from dynamodb_tooling.orm.query import ModelExplanation
from dynamodb_tooling.query.plan import Explanation
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.refs import AttributeRef
from dynamodb_tooling.query.results import Collection, Page


def check() -> None:
    class User(Model):
        age: Field[int]
        name: str

    assert_type(User.age, AttributeRef[int])
    assert_type(User.age > 30, Predicate)
    assert_type(User.age.between(1, 2), Predicate)
    _ = User.age > "thirty"  # type: ignore[operator]
    assert_type(User.where(User.age > 30), ModelQuery[User])
    assert_type(User.where("name", "Ada").order_by("age").limit(3), ModelQuery[User])
    assert_type(User.find("u1"), User | None)
    assert_type(User.find_or_fail("u1"), User)
    assert_type(User.query().get(), Collection[User])
    assert_type(User.query().first(), User | None)
    assert_type(User.query().paginate(10), Page[User])
    assert_type(User.query().count(), int)
    assert_type(User.query().pluck("name"), Collection[Any])
    assert_type(User.query().explain(), ModelExplanation)
    assert isinstance(User.query().explain(), Explanation)
    assert_type(User(name="x", age=1).age, int)


async def check_async() -> None:
    class User(Model):
        age: Field[int]
        name: str

    query = User.where("name", "Ada")
    assert_type(await User.afind("u1"), User | None)
    assert_type(await query.aget(), Collection[User])
    assert_type(await query.afirst(), User | None)
    assert_type(await query.acount(), int)
    assert_type(await query.apaginate(10), Page[User])
    assert_type(await query.ainsert({"name": "Bo"}), User)
    assert_type(await query.aupsert({"name": "Bo"}), User)
    assert_type(await query.ainsert_many([{"name": "Bo"}]), int)
    assert_type(await query.aupdate(age=3), int)
    assert_type(await query.adelete(), int)
    assert_type(await query.aforce_delete(), int)
    assert_type(await query.achunk(10, print), bool)
    assert_type(await query.adoesnt_exist(), bool)
