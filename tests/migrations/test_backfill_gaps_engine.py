"""Backfills the key scheme alone does not cover, against the engine: an attribute that became
unique gets its sentinels (a duplicate is reported, never overwritten), and many-to-many edges,
polymorphic ones included, follow a changed key prefix."""

from __future__ import annotations

from typing import Any

import pytest

from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations import MigrationStepError, RunOptions, backfill, migrate, status
from dynamodb_tooling.requests.items import query
from dynamodb_tooling.schema import ModelDefinition, Registry, RelationDefinition
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.schema.transformer import EntityTransformer
from tests.migrations._engine import MigrationEnv, RecordingClient, registry_of

pytestmark = pytest.mark.integration

FAST = RunOptions(poll_interval=0.05, segments=2)
MEMBER: dict[str, Any] = {
    "name": "Member",
    "attributes": {"email": {"nullable": True}, "name": {}},
}
UNIQUE_MEMBER: dict[str, Any] = {
    "name": "Member",
    "attributes": {"email": {"unique": True, "nullable": True}, "name": {}},
}


def _write(
    client: RecordingClient, table: str, registry: Registry, rows: list[dict[str, Any]]
) -> None:
    transformer = EntityTransformer(registry)
    for row in rows:
        client.put_item(table, transformer.to_item("Member", row))


def _sentinel(client: RecordingClient, table: str, email: str) -> dict[str, Any] | None:
    token = f"_UNIQUE#MEMBER#email#{email}"
    found = client.get_item(table, {"pk": token, "sk": token}, consistent_read=True)
    return unmarshall_item(found["Item"]) if "Item" in found else None


def test_an_attribute_that_becomes_unique_gets_sentinels_for_existing_items(
    env: MigrationEnv,
) -> None:
    with env.configure() as client:
        before = registry_of(MEMBER)
        migrate(before, client=client, options=FAST)
        rows = [{"id": f"m{n}", "email": f"m{n}@example.com", "name": f"m {n}"} for n in range(7)]
        rows.append({"id": "m9", "name": "no email"})
        _write(client, env.table, before, rows)

        after = registry_of(UNIQUE_MEMBER)
        plan = status(after, client=client).plan
        assert plan.backfill is not None
        assert plan.backfill.params["unique"] == ["Member.email"]
        result = migrate(after, client=client, options=FAST)

        assert result.backfill is not None
        assert result.backfill.sentinels == 7
        assert result.backfill.failed == 0
        for n in range(7):
            sentinel = _sentinel(client, env.table, f"m{n}@example.com")
            assert sentinel is not None
            assert sentinel["owner"] == {"pk": f"MEMBER#m{n}", "sk": f"MEMBER#m{n}"}
        assert status(after, client=client).up_to_date

        # Running it again finds every sentinel its own: nothing fails, nothing doubles.
        again = backfill(client, after, unique=["Member.email"], run_id="again", segments=2)
        assert (again.sentinels, again.failed) == (7, 0)


def test_a_duplicate_value_among_existing_items_is_reported_not_skipped(
    env: MigrationEnv,
) -> None:
    with env.configure() as client:
        before = registry_of(MEMBER)
        migrate(before, client=client, options=FAST)
        rows = [
            {"id": "a1", "email": "same@example.com", "name": "first"},
            {"id": "a2", "email": "same@example.com", "name": "second"},
            {"id": "a3", "email": "other@example.com", "name": "third"},
        ]
        _write(client, env.table, before, rows)
        after = registry_of(UNIQUE_MEMBER)

        with pytest.raises(MigrationStepError) as failed:
            migrate(after, client=client, options=FAST)

        message = str(failed.value)
        assert "duplicate value 'same@example.com' of unique Member.email" in message
        assert "make the values unique" in message
        sentinel = _sentinel(client, env.table, "same@example.com")
        assert sentinel is not None
        assert sentinel["owner"]["pk"] in ("MEMBER#a1", "MEMBER#a2")  # the first one kept it
        assert _sentinel(client, env.table, "other@example.com") is not None
        assert not status(after, client=client).up_to_date

        loser = "a2" if sentinel["owner"]["pk"] == "MEMBER#a1" else "a1"
        client.update_item(
            env.table,
            {"pk": f"MEMBER#{loser}", "sk": f"MEMBER#{loser}"},
            _set_email("fixed@example.com"),
        )
        migrate(after, client=client, options=FAST)
        assert _sentinel(client, env.table, "fixed@example.com") is not None
        assert status(after, client=client).up_to_date


def _set_email(value: str) -> Any:
    from dynamodb_tooling.expressions import Path, Update

    return Update().set(Path.of("email"), value)


def _media(post_prefix: str) -> Registry:
    def rel(name: str, kind: Any, target: str = "", **options: Any) -> RelationDefinition:
        return RelationDefinition(name, kind, target, **options)

    post = ModelDefinition(
        "Post",
        post_prefix,
        attributes=(make_attribute("title", "string"),),
        relations=(rel("tags", "morph_to_many", "Tag", morph_name="taggable"),),
    )
    video = ModelDefinition(
        "Video",
        "VIDEO",
        attributes=(make_attribute("url", "string"),),
        relations=(rel("tags", "morph_to_many", "Tag", morph_name="taggable"),),
    )
    tag = ModelDefinition(
        "Tag",
        "TAG",
        attributes=(make_attribute("name", "string"),),
        relations=(rel("posts", "morphed_by_many", "Post", morph_name="taggable"),),
    )
    registry = Registry()
    for definition in (post, video, tag):
        registry.register(definition)
    return registry


def test_morph_edges_follow_a_changed_key_prefix(env: MigrationEnv) -> None:
    with env.configure() as client:
        before = _media("POST")
        migrate(before, client=client, options=FAST)
        transformer = EntityTransformer(before)
        client.put_item(env.table, transformer.to_item("Post", {"id": "p1", "title": "a"}))
        client.put_item(env.table, transformer.to_item("Tag", {"id": "t1", "name": "x"}))
        for kind, ident in (("Post", "p1"), ("Video", "v1")):
            edge = transformer.morph_edge_item(
                "Taggable", morph_type=kind, morph_id=ident, target_id="t1"
            )
            client.put_item(env.table, edge)

        after = _media("ARTICLE")
        plan = status(after, client=client).plan
        assert plan.backfill is not None
        assert plan.backfill.params["models"] == ["Post", "Taggable"]
        result = migrate(after, client=client, options=FAST)

        assert result.backfill is not None
        assert result.backfill.rekeyed == 2  # the post and its edge; the video's edge stays
        pivot = after.schema.morph_pivot("Taggable")
        gsi = f"GSI{pivot.slot}"
        response = client.execute(
            query(env.table, key(f"gsi{pivot.slot}pk") == "TAG#t1", index=gsi)
        )
        sides = sorted(unmarshall_item(i)[f"gsi{pivot.slot}sk"] for i in response["Items"])
        assert sides == ["ARTICLE#p1", "VIDEO#v1"]
        edge = client.get_item(env.table, {"pk": "ARTICLE#p1", "sk": "TAG#t1"})
        assert unmarshall_item(edge["Item"])["taggable_id"] == "p1"
        assert "Item" not in client.get_item(env.table, {"pk": "POST#p1", "sk": "TAG#t1"})
        assert status(after, client=client).up_to_date
