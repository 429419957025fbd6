"""``query_builder.soft_deletes.enabled`` is every model's default, for Python classes and
Stacks models alike; a model that says otherwise keeps its own choice."""

from dynamodb_tooling.config import use_config
from dynamodb_tooling.orm import Model, define_model
from dynamodb_tooling.schema import Registry


def test_the_configured_default_applies_unless_a_model_says_otherwise() -> None:
    with use_config(query_builder={"soft_deletes": {"enabled": True}}):
        registry = Registry()

        class Post(Model, registry=registry):
            title: str

        class Log(Model, registry=registry, soft_deletes=False):
            line: str

        Comment = define_model({"name": "Comment", "attributes": {"body": {}}}, registry=registry)
        Event = define_model(
            {"name": "Event", "traits": {"useSoftDeletes": False}}, registry=registry
        )
        assert Post.__definition__.traits.soft_deletes is True
        assert Log.__definition__.traits.soft_deletes is False
        assert Comment.__definition__.traits.soft_deletes is True
        assert Event.__definition__.traits.soft_deletes is False
        assert (
            "attribute_not_exists"
            in Post.where("title", "x").force_scan().to_params()["FilterExpression"]
        )  # soft-deleted posts are left out
    with use_config():
        registry = Registry()

        class Note(Model, registry=registry):
            body: str

        assert Note.__definition__.traits.soft_deletes is False
