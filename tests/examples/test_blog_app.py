"""The shipped blog app (``dynamodb_tooling.examples.blog``): its models in their own registry,
its factories and seeders, against the engine."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.examples.blog import (
    BLOG,
    SHOWCASE_EMAIL,
    BlogSeeder,
    Comment,
    Order,
    OrderFactory,
    Post,
    PostFactory,
    Role,
    RoleSeeder,
    Team,
    User,
    UserFactory,
)
from dynamodb_tooling.examples.blog.showcase import load_showcase
from dynamodb_tooling.factories import Factory
from dynamodb_tooling.schema import Registry, get_registry
from dynamodb_tooling.seeders import registered_seeders, run_seeders

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "dynamodb_tooling" / "examples"


@pytest.fixture
def dynamodb_registry() -> Registry:
    return BLOG


def test_the_blog_lives_in_its_own_registry() -> None:
    assert {m.name for m in BLOG.models} == {
        "Comment", "Order", "OrderLine", "Post", "Role", "Team", "User",
    }  # fmt: skip
    assert not any(User.__definition__ is m for m in get_registry().models)
    assert BLOG.config is get_registry().config  # follows the active configuration


def test_its_seeders_are_not_registered_by_name() -> None:
    """Importing the example never adds to (or replaces) an app's ``dbtooling seed``."""
    assert not {"BlogSeeder", "UserSeeder", "RoleSeeder"} & set(registered_seeders())


def test_comments_and_order_lines_live_in_their_parents_partition() -> None:
    keys = BLOG.keys
    comment = keys.item_keys("Comment", {"id": "c1", "post_id": "p1", "user_id": "u1"})
    assert (comment["pk"], comment["sk"]) == ("POST#p1", "COMMENT#c1")
    line = keys.item_keys("OrderLine", {"id": "l1", "order_id": "o1"})
    assert (line["pk"], line["sk"]) == ("ORDER#o1", "ORDERLINE#l1")


def test_the_example_imports_no_cli_testing_or_migrations() -> None:
    for path in EXAMPLES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for layer in ("cli", "testing", "migrations"):
                    assert not node.module.startswith(f"dynamodb_tooling.{layer}"), path


@pytest.mark.integration
@pytest.mark.usefixtures("dynamodb_table")
class TestOnTheEngine:
    def test_post_states_and_the_sparse_status_index(self) -> None:
        author = UserFactory().create()
        PostFactory().published().count(2).for_(author).create()
        PostFactory().draft().for_(author).create()
        unlisted = PostFactory().unlisted().for_(author).create()
        assert sorted(p.status or "" for p in author.posts.get()) == [
            "", "draft", "published", "published",
        ]  # fmt: skip
        assert len(Post.where("status", "published").get()) == 2
        assert unlisted.id not in {p.id for p in Post.where("status", "draft").get()}

    def test_an_order_with_lines_is_one_query_and_totals_its_lines(self) -> None:
        buyer = UserFactory().create()
        order = OrderFactory().for_(buyer).with_lines(3).create()
        with record_requests() as sent:
            found = Order.with_("lines").find(order.id)
        assert sent.operations == ["Query"]
        assert found is not None
        lines = found.get_relation("lines")
        assert len(lines) == 3
        assert found.total == sum(line.quantity * line.price for line in lines) > 0

    def test_roles_carry_granted_at_on_the_edge(self) -> None:
        run_seeders([RoleSeeder])
        admin = Role.where("name", "admin").first()
        assert admin is not None
        user = UserFactory().with_roles(admin).create()
        (granted,) = user.roles.get()
        role: Any = granted  # the edge's values ride on the result: role.pivot
        assert role.name == "admin"
        assert role.pivot.granted_at.startswith("20")

    def test_the_blog_seeder_writes_a_few_hundred_items_in_order(self) -> None:
        Factory.seed(1815)
        results = run_seeders([BlogSeeder], discover=False)
        names = [r.name for r in results]
        assert names.index("RoleSeeder") < names.index("ShowcaseSeeder")
        assert names.index("UserSeeder") < names.index("PostSeeder")
        assert names[-1] == "BlogSeeder"
        written = sum(r.items for r in results)
        assert 300 <= written <= 600
        assert len(Team.query().force_scan().get()) == 5
        assert len(User.query().force_scan().get()) == 43
        showcase = load_showcase()
        assert showcase.user.email == SHOWCASE_EMAIL
        assert showcase.team.name == "Analytical Engines"
        assert sorted(r.name for r in showcase.user.roles.get()) == ["admin", "author"]
        assert len(showcase.post.comments.get()) == 3
        assert isinstance(showcase.comment, Comment)
        assert showcase.comment.to_dict()["post_id"] == showcase.post.id
        assert showcase.order.total > 0
