"""EntityTransformer: values ↔ items with keys, timestamps, versions and casts."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import ModelDefinition, Registry, Traits
from dynamodb_tooling.schema.casts import AttributeCastError, values_equal
from dynamodb_tooling.schema.naming import make_attribute as attr
from dynamodb_tooling.schema.transformer import EntityTransformer, changed_values, generate_id
from tests.schema import blog

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make(config_options: dict[str, object] | None = None) -> EntityTransformer:
    registry = Registry(validate_config(config_options or {}))
    for definition in blog.BLOG:
        registry.register(definition)
    registry.register(
        ModelDefinition(
            "Invoice",
            "INVOICE",
            attributes=(
                attr("amount", "decimal"),
                attr("issued", "date"),
                attr("paid_at", "datetime", nullable=True),
                attr("tags", "string_set", nullable=True),
                attr("lines", "list", nullable=True),
                attr("meta", "map", nullable=True),
                attr("blob", "binary", nullable=True),
            ),
            traits=Traits(versioning=True, ttl=True, ttl_attribute="expires_at"),
        )
    )
    return EntityTransformer(registry, clock=lambda: NOW)


def test_item_has_keys_entity_type_timestamps_and_values() -> None:
    item = make().to_item("Post", {"id": "p1", "user_id": "u1", "title": "Hi", "status": "draft"})
    assert item == {
        "pk": "POST#p1",
        "sk": "POST#p1",
        "_et": "Post",
        "gsi1pk": "USER#u1",
        "gsi1sk": "POST#p1",
        "gsi2pk": "POST#status#draft",
        "gsi2sk": "POST#p1",
        "id": "p1",
        "user_id": "u1",
        "title": "Hi",
        "status": "draft",
        "created_at": "2026-11-25T12:00:00+00:00",
        "updated_at": "2026-11-25T12:00:00+00:00",
    }


def test_created_at_is_kept_and_formats_follow_config() -> None:
    transformer = make({"query_builder": {"timestamp_format": "unix_ms"}})
    item = transformer.to_item(
        "Order",
        {
            "id": "o1",
            "user_id": "u1",
            "total": 5,
            "status": "open",
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
    )
    assert item["created_at"] == 1767225600000
    assert item["updated_at"] == int(NOW.timestamp() * 1000)
    assert item["lsi1sk"] == "ORDER#00000001767225600000#o1"


def test_casts_versions_and_round_trip() -> None:
    transformer = make()
    values = {
        "id": "i1",
        "amount": 12.5,
        "issued": date(2026, 3, 1),
        "paid_at": datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
        "tags": ["a", "b"],
        "lines": [1, {"x": 2}],
        "meta": {"k": "v"},
        "blob": b"\x00\x01",
        "expires_at": 1800000000,
    }
    item = transformer.to_item("Invoice", values)
    assert item["amount"] == Decimal("12.5")
    assert item["issued"] == "2026-03-01"
    assert item["paid_at"] == "2026-03-02T08:30:00+00:00"
    assert item["tags"] == {"a", "b"}
    assert item["_v"] == 1
    back = transformer.from_item(item)
    assert back == {**values, "amount": Decimal("12.5"), "tags": {"a", "b"}, "_v": 1}
    assert not set(back) & {"pk", "sk", "_et"}


def test_soft_deleted_items_leave_attribute_indexes() -> None:
    transformer = make()
    alive = transformer.to_item("User", {"id": "u1", "email": "a@x", "name": "A"})
    gone = transformer.to_item("User", {"id": "u1", "email": "a@x", "name": "A", "deleted_at": NOW})
    assert gone["deleted_at"] == "2026-11-25T12:00:00+00:00"
    assert alive["pk"] == gone["pk"]


@pytest.mark.parametrize(
    ("model", "values", "words"),
    [
        (
            "Post",
            {"id": "p", "user_id": "u", "titel": "x"},
            "Post has no attribute 'titel'; did you mean 'title'",
        ),
        (
            "Order",
            {"id": "o", "user_id": "u", "total": "many", "status": "x"},
            r"Order\.total must be an integer",
        ),
        ("Order", {"id": "o", "user_id": "u", "total": True, "status": "x"}, "must be an integer"),
        ("Post", {"id": "p", "user_id": "u", "title": None}, "Post needs title: required"),
        ("Order", {"id": "o", "user_id": "u"}, "Order needs total, status: required"),
        ("Invoice", {"id": "i", "amount": "1", "issued": "not-a-date"}, "ISO-8601 date"),
    ],
)
def test_bad_values_are_refused(model: str, values: dict[str, object], words: str) -> None:
    with pytest.raises(AttributeCastError, match=words):
        make().to_item(model, values)


def test_ids_are_time_ordered_or_uuid() -> None:
    ids = [generate_id(blog.USER) for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(len(i) == 26 for i in ids)
    uuid_model = ModelDefinition("U", "U", traits=Traits(id_strategy="uuid"))
    assert len(generate_id(uuid_model)) == 36


def test_deep_equality_and_changes() -> None:
    assert values_equal({"a": [1, {"b": Decimal("2")}]}, {"a": [1.0, {"b": 2}]})
    assert not values_equal(True, 1)
    assert values_equal({"x", "y"}, {"y", "x"})
    assert changed_values({"a": 1, "b": [1], "c": 3}, {"a": 1.0, "b": [1, 2]}) == {
        "b": [1, 2],
        "c": None,
    }


def test_edge_items_carry_declared_pivot_attributes() -> None:
    from dynamodb_tooling.schema import RelationDefinition

    registry = Registry(validate_config())
    registry.register(ModelDefinition("Role", "ROLE"))
    registry.register(
        ModelDefinition(
            "User",
            "USER",
            relations=(
                RelationDefinition(
                    "roles", "belongs_to_many", "Role", pivot_attributes=("granted_at",)
                ),
            ),
        )
    )
    transformer = EntityTransformer(registry)
    edge = transformer.edge_item(
        "RoleUser", owner_id="u1", other_id="r1", values={"granted_at": "2026-01-01"}
    )
    assert edge == {
        "pk": "USER#u1",
        "sk": "ROLE#r1",
        "gsi1pk": "ROLE#r1",
        "gsi1sk": "USER#u1",
        "_et": "RoleUser",
        "user_id": "u1",
        "role_id": "r1",
        "granted_at": "2026-01-01",
    }
    with pytest.raises(AttributeCastError, match="RoleUser edges have no attribute"):
        transformer.edge_item("RoleUser", owner_id="u1", other_id="r1", values={"level": 3})
    with pytest.raises(TypeError):
        transformer.edge_item("RoleUser", "u1", "r1")  # type: ignore[misc]


def test_timestamps_are_read_in_the_configured_unit() -> None:
    transformer = make({"query_builder": {"timestamp_format": "unix_ms"}})
    early = datetime(1971, 1, 1, tzinfo=UTC)
    item = transformer.to_item(
        "Post", {"id": "p", "user_id": "u", "title": "t", "created_at": early}
    )
    assert item["created_at"] == 31536000000
    assert transformer.from_item(item)["created_at"] == early
    again = transformer.to_item("Post", transformer.from_item(item))
    assert again["created_at"] == 31536000000


def test_datetimes_are_stored_in_utc_so_they_sort() -> None:
    from datetime import timedelta, timezone

    transformer = make()
    plus_two = timezone(timedelta(hours=2))
    item = transformer.to_item(
        "Invoice",
        {
            "id": "i",
            "amount": 1,
            "issued": date(2026, 1, 1),
            "paid_at": datetime(2026, 1, 1, 12, 0, tzinfo=plus_two),
        },
    )
    assert item["paid_at"] == "2026-01-01T10:00:00+00:00"
