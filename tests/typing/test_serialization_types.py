"""Types users see when serialising models, collections and pages (checked by mypy, not run)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, assert_type

from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.concerns.serialization import (
    DecimalMode,
    SerializationError,
    SerializationMode,
)
from dynamodb_tooling.query.results import Collection, Page

if TYPE_CHECKING:  # checked by mypy; never registered in the global registry at run time

    class User(Model):
        email: str
        first: str
        password: str | None = attribute(hidden=True)
        visible = ["id", "email", "first", "full_name"]
        appends = ["full_name"]
        json_decimals = "number"

        @property
        def full_name(self) -> str:
            return self.first


def check_model(user: User) -> None:
    assert_type(user.to_dict(), dict[str, Any])
    assert_type(user.to_dict(mode="json", decimals="number"), dict[str, Any])
    assert_type(user.to_json_dict(), dict[str, Any])
    assert_type(user.to_json(indent=2, sort_keys=True), str)
    assert_type(user.only("email", "first"), dict[str, Any])
    assert_type(user.except_("email", mode="json"), dict[str, Any])
    assert_type(user.make_visible("password"), User)
    assert_type(user.make_hidden("email").make_visible("first"), User)
    assert_type(repr(user), str)
    user.to_dict(mode="yaml")  # type: ignore[arg-type]
    user.to_json(decimals="float")  # type: ignore[arg-type]
    user.to_json(2)  # type: ignore[call-arg, arg-type]


def check_results(users: Collection[User], page: Page[User]) -> None:
    assert_type(users.to_dict(), list[Any])
    assert_type(users.to_dict(mode="json", decimals="str"), list[Any])
    assert_type(users.to_json(indent=2), str)
    assert_type(page.to_dict(mode="json"), dict[str, Any])
    assert_type(page.to_json(), str)


def check_options(mode: SerializationMode, decimals: DecimalMode, user: User) -> None:
    assert_type(user.to_dict(mode=mode, decimals=decimals), dict[str, Any])
    error: Exception = SerializationError("x")
    assert isinstance(error, ValueError)
