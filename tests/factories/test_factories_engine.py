"""Factories against the engine: create() writes exactly the items made (scan-checked), by
batched and concurrent requests (counted at the wire), and relations come out consistent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dynamodb_tooling import get_config, record_requests
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from tests.factories.conftest import Article, ArticleFactory, Author, AuthorFactory, Tag, Team

pytestmark = pytest.mark.integration


def scan(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    return [unmarshall_item(i) for i in client.scan_all(table).items]


def of_type(items: list[dict[str, Any]], entity: str) -> list[dict[str, Any]]:
    return [i for i in items if i.get("_et") == entity]


def test_500_creates_are_batched_and_concurrent(
    dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    with record_requests() as sent:
        articles = ArticleFactory().count(500).create()
    assert sent.by_operation() == {"BatchWriteItem": 20}
    assert sent.max_in_flight > 1
    stored = of_type(scan(dynamodb_client, dynamodb_table), "Article")
    assert sorted(i["id"] for i in stored) == sorted(a.id for a in articles)
    found = Article.find(articles[137].id)
    assert found is not None
    assert found.to_dict() == articles[137].to_dict()


def test_models_with_a_unique_attribute_each_reserve_their_value_concurrently(
    dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    with record_requests() as sent:
        authors = AuthorFactory().count(150).create()
    # One transaction per model (item + email sentinel), 100 side by side per round; 150,
    # not 500: a moto transaction is slow and the batch path above already writes 500.
    assert sent.by_operation() == {"TransactWriteItems": 150}
    assert sent.max_in_flight > 1  # side by side (the rounds of 100: see test_factory.py)
    items = scan(dynamodb_client, dynamodb_table)
    assert len(of_type(items, "Author")) == 150
    sentinels = [i for i in items if str(i["pk"]).startswith("_UNIQUE#AUTHOR#email#")]
    assert {s["pk"].split("#", 3)[3] for s in sentinels} == {a.email for a in authors}
    one = authors[42]
    assert Author.where("email", one.email).first() == one


def test_for_has_and_has_attached_write_consistent_relations(
    dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    tags = Tag.factory().count(2).create()
    team = Team.factory().create(name="Blue")
    authors = (
        AuthorFactory()
        .count(3)
        .for_(team)
        .has(ArticleFactory().count(2).published())
        .has_attached(tags, pivot={"weight": 5})
        .create()
    )
    items = scan(dynamodb_client, dynamodb_table)
    assert {a["team_id"] for a in of_type(items, "Author")} == {team.id}
    articles = of_type(items, "Article")
    assert sorted(a["author_id"] for a in articles) == sorted([a.id for a in authors] * 2)
    edges = {(e["author_id"], e["tag_id"], e["weight"]) for e in of_type(items, "AuthorTag")}
    assert edges == {(a.id, t.id, 5) for a in authors for t in tags}
    # Read back through the relations: the same models.
    assert sorted(a.id for a in team.authors.get()) == sorted(a.id for a in authors)
    for author in authors:
        assert {a.id for a in author.articles.get()} == {
            a.id for a in author.get_relation("articles")
        }
        assert {t.id for t in author.tags.get()} == {t.id for t in tags}


def test_for_a_parent_factory_creates_one_parent(
    dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    articles = ArticleFactory().count(4).for_(AuthorFactory().editor()).create()
    items = scan(dynamodb_client, dynamodb_table)
    authors = of_type(items, "Author")
    assert len(authors) == 1
    assert authors[0]["role"] == "editor"
    assert {a.author_id for a in articles} == {authors[0]["id"]}


def test_acreate_writes_the_same_items(
    dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    async def scenario() -> Any:
        return await AuthorFactory().count(3).has(ArticleFactory().count(2)).acreate()

    authors = asyncio.run(scenario())
    items = scan(dynamodb_client, dynamodb_table)
    assert len(of_type(items, "Author")) == 3
    assert sorted(a["author_id"] for a in of_type(items, "Article")) == sorted(
        [a.id for a in authors] * 2
    )
    assert get_config().default_table_name == dynamodb_table
