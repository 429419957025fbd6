"""Traits against the engine: versioned increments never conflict with each other but keep
stale saves honest; ``check_version=True`` opts in to strictness; ``touch()`` bumps
``updated_at`` only (read back from the table)."""

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import QueryError, VersionConflictError
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"trt-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Page(Model, registry=registry, versioning=True, timestamps=True):
        title: str
        views: int = 0

    class Tag(Model, registry=registry):
        name: str

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Page": Page, "Tag": Tag}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_versioned_increments_from_stale_copies_all_land(app: dict[str, Any]) -> None:
    Page = app["Page"]
    page = Page.create(title="Home")
    copies = [Page.find(page.id) for _ in range(8)]  # all read at version 1

    def bump(copy: Any) -> None:
        for _ in range(5):
            copy.increment("views")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(bump, copies))
    fresh = Page.find(page.id)
    assert fresh.views == 40  # no increment conflicted, none was lost
    assert fresh._v == 41  # every increment bumped the version
    page.title = "Stale"
    with pytest.raises(VersionConflictError):
        page.save()  # a stale save still conflicts
    assert Page.find(page.id).title == "Home"


def test_check_version_makes_an_increment_strict(app: dict[str, Any]) -> None:
    Page = app["Page"]
    page = Page.create(title="Docs")
    other = Page.find(page.id)
    other.update(title="Docs v2")
    with pytest.raises(VersionConflictError):
        page.increment("views", check_version=True)
    assert Page.find(page.id).views == 0
    page.refresh().increment("views", 2, check_version=True)
    assert Page.find(page.id).views == 2
    page.update(title="After")  # its own bump was counted: no false conflict
    assert Page.find(page.id).title == "After"


def test_touch_bumps_updated_at_only(app: dict[str, Any]) -> None:
    Page, Tag = app["Page"], app["Tag"]
    page = Page.create(title="Touch me")
    before = Page.find(page.id).updated_at
    time.sleep(0.01)
    page.title = "unsaved"
    page.touch()
    stored = Page.find(page.id)
    assert stored.updated_at > before
    assert stored.title == "Touch me"  # the unsaved change was not sent
    assert page.is_dirty("title")
    assert page.updated_at == stored.updated_at
    tag = Tag.create(name="x")
    with pytest.raises(QueryError, match="has no timestamps to touch"):
        tag.touch()
