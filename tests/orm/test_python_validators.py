"""``@validator`` methods run with the rule strings before any request; their errors and the
rules' come together in one ModelValidationError per attribute; ``validate()`` writes nothing."""

from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import ModelValidationError
from dynamodb_tooling.orm import Model, attribute, validator
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    """The default configuration for each test (before the shared ``stub`` fixture)."""
    with use_config():
        yield


def define(registry: Registry) -> Any:
    class Account(Model, registry=registry):
        email: str = attribute(validation="required|email")
        handle: str
        age: int = 0

        @validator("handle")
        def no_spaces(self, name: str, value: Any) -> str | None:
            return f"{name} may not contain spaces" if " " in value else None

        @validator("age")
        def adult(self, name: str, value: Any) -> None:
            if value < 18:
                raise ValueError("must be 18 or older")

    return Account


def test_rule_and_python_errors_come_together_before_any_request(stub: StubExecutor) -> None:
    Account = define(Registry())
    with pytest.raises(ModelValidationError) as caught:
        Account.create(email="nope", handle="a b", age=12)
    assert set(caught.value.errors) == {"email", "handle", "age"}
    assert len(caught.value.errors["email"]) == 1  # the rule string's message
    assert caught.value.errors["handle"] == ["handle may not contain spaces"]
    assert caught.value.errors["age"] == ["must be 18 or older"]
    assert stub.requests == []
    account = Account.create(email="ada@example.com", handle="ada", age=36)
    assert len(stub.requests) == 1
    account.handle = "a d a"
    with pytest.raises(ModelValidationError, match="handle may not contain spaces"):
        account.save()  # only the changed attribute is checked on an update
    assert len(stub.requests) == 1


def test_validate_checks_without_writing(stub: StubExecutor) -> None:
    Account = define(Registry())
    with pytest.raises(ModelValidationError) as caught:
        Account(email="x@y.io", handle="with space", age=30).validate()
    assert caught.value.errors == {"handle": ["handle may not contain spaces"]}
    Account(email="x@y.io", handle="ok", age=30).validate()
    assert stub.requests == []


def test_a_validator_for_an_unknown_attribute_is_refused(stub: StubExecutor) -> None:
    class Thing(Model, registry=Registry()):
        name: str

        @validator("nmae")
        def check(self, name: str, value: Any) -> None: ...

    with pytest.raises(SchemaError, match="names 'nmae', which is not an attribute"):
        Thing.create(name="x")
