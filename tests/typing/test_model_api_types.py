"""What type checkers see of the class-level API, model queries and scopes (mypy, not run)."""

from __future__ import annotations

from typing import Any, assert_type

from dynamodb_tooling.orm import Field, Model, ModelQuery, scope
from dynamodb_tooling.orm.query import ModelExplanation
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.results import Collection, Page


class Post(Model):
    title: str
    status: str
    kind: str
    views: Field[int]

    @scope
    def published(query: ModelQuery[Post]) -> ModelQuery[Post]:
        return query.where("status", "live")

    @scope
    def of_type(query: ModelQuery[Post], kind: str) -> ModelQuery[Post]:
        return query.where("kind", kind)


def check_class_level() -> None:
    assert_type(Post.query(), ModelQuery[Post])
    assert_type(Post.where("title", "x"), ModelQuery[Post])
    assert_type(Post.where({"title": "x", "kind": "news"}), ModelQuery[Post])
    assert_type(Post.where_null("kind"), ModelQuery[Post])
    assert_type(Post.where_between("views", 1, 2).latest(), ModelQuery[Post])
    assert_type(Post.latest(), ModelQuery[Post])
    assert_type(Post.order_by("views", "desc").limit(3), ModelQuery[Post])
    assert_type(Post.count(), int)
    assert_type(Post.first(), Post | None)
    assert_type(Post.first_or_fail(), Post)
    assert_type(Post.get(), Collection[Post])
    assert_type(Post.pluck("title"), Collection[Any])
    assert_type(Post.paginate(10), Page[Post])
    assert_type(Post.explain(), ModelExplanation)
    assert_type(Post.plan(), Plan)
    assert_type(Post.as_dicts(), QueryBuilder[dict[str, Any]])
    assert_type(Post.with_trashed(), ModelQuery[Post])
    assert_type(Post.without_global_scope("live"), ModelQuery[Post])
    assert_type(Post.without_global_scopes(), ModelQuery[Post])
    assert_type(Post.first_or_create({"title": "x"}, {"kind": "news"}), Post)
    assert_type(Post.first_or_new({"title": "x"}), Post)
    assert_type(Post.update_or_create({"title": "x"}, {"kind": "a"}), Post)
    assert_type(Post.destroy("p1", "p2"), int)
    post = Post(title="x", status="draft", kind="news", views=1)
    assert_type(post.fresh(), Post | None)
    assert_type(post.is_(post), bool)
    assert_type(post.is_not(post), bool)
    Post.limit("three")  # type: ignore[arg-type]
    Post.counts()  # type: ignore[attr-defined]


def check_scopes() -> None:
    assert_type(Post.published(), ModelQuery[Post])
    assert_type(Post.of_type("news"), ModelQuery[Post])
    assert_type(Post.of_type("news").published(), ModelQuery[Post])
    assert_type(Post.where("title", "x").published().first(), Post | None)
    Post.of_type(3)  # type: ignore[arg-type]
    Post.published("extra")  # type: ignore[call-arg]


async def check_async() -> None:
    assert_type(await Post.acount(), int)
    assert_type(await Post.afirst(), Post | None)
    assert_type(await Post.aget(), Collection[Post])
    assert_type(await Post.apaginate(5), Page[Post])
    assert_type(await Post.aexists(), bool)
    assert_type(Post.exists(), bool)
    assert_type(await Post.afirst_or_create({"title": "x"}), Post)
    assert_type(await Post.afirst_or_new({"title": "x"}), Post)
    assert_type(await Post.aupdate_or_create({"title": "x"}, {"kind": "a"}), Post)
    assert_type(await Post.adestroy("p1"), int)
    post = Post(title="x", status="draft", kind="news", views=1)
    assert_type(await post.afresh(), Post | None)
    assert_type(await Post.published().acount(), int)
