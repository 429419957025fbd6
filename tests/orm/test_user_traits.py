"""A user-written trait: its attributes join the model, ``boot`` runs once per model class,
``initialize`` for each new instance."""

from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.orm import Model
from dynamodb_tooling.orm.traits.base import Trait
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor

booted: list[str] = []


class HasSlug(Trait):
    slug: str | None = None

    @classmethod
    def boot(cls, model: type[Any]) -> None:
        booted.append(model.__name__)
        model.add_hook("saving", lambda item: item.fill_slug())

    def fill_slug(self: Any) -> None:
        if not self.slug:
            self.slug = self.title.lower().replace(" ", "-")


class Drafted(Trait):
    status: str | None = None

    def initialize(self: Any) -> None:
        if self.status is None:
            self.status = "draft"


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    """The default configuration for each test (before the shared ``stub`` fixture)."""
    with use_config():
        yield


def test_a_trait_adds_attributes_hooks_and_initial_values(stub: StubExecutor) -> None:
    registry = Registry()

    class Post(Model, HasSlug, Drafted, registry=registry):
        title: str

    class Page(Model, HasSlug, registry=registry):
        title: str

    assert booted[-2:] == ["Post", "Page"]
    assert {"slug", "status"} <= {a.name for a in Post.__definition__.attributes}
    post = Post(title="Hello World")
    assert post.status == "draft"
    post.save()
    (sent,) = stub.requests
    item = sent.params.get("Item") or sent.params["TransactItems"][0]["Put"]["Item"]
    assert item["slug"] == {"S": "hello-world"}
    assert item["status"] == {"S": "draft"}
    assert Post(title="x", status="live").status == "live"
