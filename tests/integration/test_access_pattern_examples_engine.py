"""Every example the access-pattern generator prints runs against the engine and returns
exactly the items its pattern's own request returns.

A registry covering every kind of pattern (plain models, belongs-to with and without
``sort_by``, has-one, a nested item collection sorted by an LSI, many-to-many from both sides,
an indexed attribute, a unique attribute, an expiry index, morph one / many / to / to-many from
both sides, a tree) gets a table and seeded data. Then, for EVERY generated pattern, its
``example`` is evaluated in a namespace holding the model classes and the names the example
uses (the generator's placeholder convention, :mod:`dynamodb_tooling.schema.access_patterns`:
an instance by its model's snake_case name, a value by the pattern's input name), and what it
returns — models, with the relations it loaded — is compared by id with what the pattern's
request (bound to the same values, run with the raw client) returns; a list read by one Query
in the same order. The example must also send its pattern's requests (recorded at the wire),
but for the few listed in ``OTHER_REQUESTS`` with the reason.
"""

from __future__ import annotations

import ast
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.orm import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    HasOne,
    Model,
    MorphedByMany,
    MorphMany,
    MorphOne,
    MorphTo,
    MorphToMany,
    attribute,
)
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.access_patterns import AccessPattern
from dynamodb_tooling.schema.naming import snake
from tests.integration.test_access_patterns_engine import identity, run

pytestmark = pytest.mark.integration

Identity = tuple[str, str]


@dataclass(frozen=True)
class Ref:
    """A seeded model instance (read fresh for each example)."""

    model: str
    id: str


@dataclass(frozen=True)
class App:
    registry: Registry
    models: dict[str, type[Model]]
    client: DynamoDBClient
    table: str


def declare(registry: Registry) -> dict[str, type[Model]]:
    """One model per kind of relation and index (see the module docstring)."""

    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry, soft_deletes=True):
        email: str = attribute(unique=True)
        name: str
        team = BelongsTo(Team)
        roles = BelongsToMany("Role", pivot_attributes=("level",))
        orders = HasMany("Order", collection=True, sort_by="created_at")
        profile = HasOne("Profile")

    class Profile(Model, registry=registry):
        bio: str

    class Event(Model, registry=registry):
        at: str
        user = BelongsTo(User, sort_by="at")

    class Order(Model, registry=registry, timestamps=True):
        total: int
        lines = HasMany("Line", collection=True)

    class Line(Model, registry=registry):
        sku: str

    class Role(Model, registry=registry):  # role.users is derived from User.roles
        name: str

    class Post(Model, registry=registry):
        title: str
        status: str | None = attribute(index=True)
        user = BelongsTo(User)
        comments = MorphMany("Comment", name="commentable")
        image = MorphOne("Image", name="imageable")
        tags = MorphToMany("Tag", name="taggable")

    class Video(Model, registry=registry):
        url: str
        comments = MorphMany("Comment", name="commentable")
        tags = MorphToMany("Tag", name="taggable")

    class Comment(Model, registry=registry):
        body: str
        commentable = MorphTo()

    class Image(Model, registry=registry):  # image.imageable is derived from Post.image
        url: str

    class Tag(Model, registry=registry):  # tag.videos is derived from Video.tags
        name: str
        posts = MorphedByMany("Post", name="taggable")

    class Category(Model, registry=registry):
        name: str
        children = HasMany("self")

    class Session(Model, registry=registry, ttl="expires_at", ttl_index=True):
        token: str

    made = (Team, User, Profile, Event, Order, Line, Role, Post, Video, Comment, Image, Tag)
    return {cls.__name__: cls for cls in (*made, Category, Session)}


def seed(models: dict[str, type[Model]]) -> None:
    m = models
    for ident, name in (("t1", "Core"), ("t2", "Web")):
        m["Team"].create(id=ident, name=name)
    users = {
        "u1": ("ada@example.com", "t1"),
        "u2": ("bob@example.com", "t1"),
        "u3": ("cy@example.com", "t2"),
    }
    for ident, (email, team) in users.items():
        m["User"].create(id=ident, email=email, name=ident, team_id=team)
    m["Profile"].create(id="pr1", bio="hi", user_id="u1")
    for ident, user, at in (("e1", "u1", "2026-01-02"), ("e2", "u1", "2026-01-01")):
        m["Event"].create(id=ident, user_id=user, at=at)
    m["Event"].create(id="e3", user_id="u2", at="2026-01-03")
    for ident, user in (("o1", "u1"), ("o2", "u1"), ("o3", "u2")):
        m["Order"].create(id=ident, user_id=user, total=10)
    for ident, order in (("l1", "o1"), ("l2", "o1"), ("l3", "o2"), ("l4", "o3")):
        m["Order"].find(order).lines.create(id=ident, sku=ident)
    for ident in ("r1", "r2", "r3"):
        m["Role"].create(id=ident, name=ident)
    ada, bob = m["User"].find("u1"), m["User"].find("u2")
    ada.roles.attach({"r1": {"level": 1}, "r2": {"level": 2}})
    bob.roles.attach("r1")
    posts = {"p1": ("u1", "published"), "p2": ("u1", "draft"), "p3": ("u2", "published")}
    for ident, (user, status) in posts.items():
        m["Post"].create(id=ident, title=ident, user_id=user, status=status)
    m["Post"].create(id="p4", title="p4", user_id="u1")  # no status: not in the sparse index
    for ident in ("v1", "v2"):
        m["Video"].create(id=ident, url=f"https://v/{ident}")
    for ident, (kind, parent) in {
        "c1": ("Post", "p1"),
        "c2": ("Post", "p1"),
        "c3": ("Post", "p2"),
        "c4": ("Video", "v1"),
    }.items():
        m[kind].find(parent).comments.create(id=ident, body=ident)
    m["Comment"].create(id="c9", body="orphan")
    m["Image"].create(id="i1", url="x", imageable_type="Post", imageable_id="p3")
    for ident in ("g1", "g2"):
        m["Tag"].create(id=ident, name=ident)
    m["Post"].find("p1").tags.attach(["g1", "g2"])
    m["Post"].find("p2").tags.attach("g1")
    m["Video"].find("v1").tags.attach("g1")
    m["Category"].create(id="root", name="root")
    for ident, parent in (("a", "root"), ("b", "root"), ("a1", "a")):
        m["Category"].create(id=ident, name=ident, parent_id=parent)
    for ident, expires in (("s1", 1900000300), ("s2", 1900000100)):
        m["Session"].create(id=ident, token="t", expires_at=expires)
    m["Session"].create(id="s3", token="t")  # no TTL: not in the expiry index


@pytest.fixture(scope="module")
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[App]:
    table = f"examples-{uuid.uuid4().hex[:10]}"
    config = validate_config(dynamodb_config, default_table_name=table)
    set_config(config)
    try:
        registry = Registry(config)
        models = declare(registry)
        dynamodb_client.create_table(registry.table_definition())
        try:
            dynamodb_client.wait_for_table_active(table, interval=0.1)
            seed(models)
            yield App(registry, models, dynamodb_client, table)
        finally:
            dynamodb_client.delete_table(table)
    finally:
        reset_config()


@pytest.fixture
def configured(app: App) -> Iterator[App]:
    """The module's configuration for one test (other tests may have reset it)."""
    set_config(validate_config(app.registry.config))
    yield app
    reset_config()


# Pattern name → (the values its request is bound to, the names its example uses).
# "Get X by id" and "List all Xs" are filled in by `case` below.
CASES: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "List child Categories of Category": (
        {"parent_id": "root"},
        {"category": Ref("Category", "root")},
    ),
    "Get parent Category of Category": ({"parent_id": "a"}, {"category": Ref("Category", "a1")}),
    "List Comments by Post (commentable)": ({"commentable_id": "p1"}, {"post": Ref("Post", "p1")}),
    "List Comments by Video (commentable)": (
        {"commentable_id": "v1"},
        {"video": Ref("Video", "v1")},
    ),
    "List Events by User": ({"user_id": "u1"}, {"user": Ref("User", "u1")}),
    "Get Image of Post (imageable)": ({"imageable_id": "p3"}, {"post": Ref("Post", "p3")}),
    "List Lines by Order": ({"user_id": "u1", "order_id": "o1"}, {"order": Ref("Order", "o1")}),
    "List Orders by User": ({"user_id": "u1"}, {"user": Ref("User", "u1")}),
    "List Orders by User sorted by created_at": ({"user_id": "u1"}, {"user": Ref("User", "u1")}),
    "Get Order of Line": ({"user_id": "u1", "order_id": "o2"}, {"line": Ref("Line", "l3")}),
    "Get Order with its Lines (collection)": ({"user_id": "u1", "id": "o1"}, {"id": "o1"}),
    "List Posts by status": ({"status": "published"}, {"status": "published"}),
    "List Posts by User": ({"user_id": "u1"}, {"user": Ref("User", "u1")}),
    "Get Post of Comment (commentable)": (
        {"commentable_id": "p2"},
        {"comment": Ref("Comment", "c3")},
    ),
    "Get Post of Image (imageable)": ({"imageable_id": "p3"}, {"image": Ref("Image", "i1")}),
    "List Posts of Tag (taggable)": ({"tag_id": "g1"}, {"tag": Ref("Tag", "g1")}),
    "Get Profile of User": ({"user_id": "u1"}, {"user": Ref("User", "u1")}),
    "List Roles of User": ({"user_id": "u1"}, {"user": Ref("User", "u1")}),
    "List Sessions by expiry": ({}, {}),
    "List Tags of Post (taggable)": ({"taggable_id": "p1"}, {"post": Ref("Post", "p1")}),
    "List Tags of Video (taggable)": ({"taggable_id": "v1"}, {"video": Ref("Video", "v1")}),
    "List taggables of Tag (every type)": ({"tag_id": "g1"}, {"tag": Ref("Tag", "g1")}),
    "Get Team of User": ({"team_id": "t1"}, {"user": Ref("User", "u2")}),
    "Get User by email": ({"email": "bob@example.com"}, {"email": "bob@example.com"}),
    "List Users by Team": ({"team_id": "t1"}, {"team": Ref("Team", "t1")}),
    "Get User of Event": ({"user_id": "u2"}, {"event": Ref("Event", "e3")}),
    "Get User of Post": ({"user_id": "u2"}, {"post": Ref("Post", "p3")}),
    "Get User of Profile": ({"user_id": "u1"}, {"profile": Ref("Profile", "pr1")}),
    "Get User of Order": ({"user_id": "u2"}, {"order": Ref("Order", "o3")}),
    "Get User with its Orders (collection)": ({"id": "u1"}, {"id": "u1"}),
    "List Users of Role": ({"role_id": "r1"}, {"role": Ref("Role", "r1")}),
    "Get Video of Comment (commentable)": (
        {"commentable_id": "v1"},
        {"comment": Ref("Comment", "c4")},
    ),
    "List Videos of Tag (taggable)": ({"tag_id": "g1"}, {"tag": Ref("Tag", "g1")}),
}
#: A seeded id of each model, for "Get X by id".
SOME_ID = {
    "Category": "a",
    "Comment": "c2",
    "Event": "e2",
    "Image": "i1",
    "Line": "l4",
    "Order": "o3",
    "Post": "p2",
    "Profile": "pr1",
    "Role": "r2",
    "Session": "s3",
    "Tag": "g2",
    "Team": "t2",
    "User": "u3",
    "Video": "v2",
}


def case(pattern: AccessPattern) -> tuple[dict[str, str], dict[str, Any]]:
    if pattern.name in CASES:
        return CASES[pattern.name]
    if re.fullmatch(r"Get \w+ by id", pattern.name):
        ident = SOME_ID[pattern.entity]
        return {"id": ident}, {"id": ident}
    if pattern.name.startswith("List all "):
        return {}, {}
    raise AssertionError(f"no case for the pattern {pattern.name!r}: add it to CASES")


def free_names(example: str) -> set[str]:
    tree = ast.parse(example, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def returned(value: Any) -> set[Identity]:
    """(model, id) of what an example returned, with every relation it loaded on them."""
    if value is None:
        return set()
    if isinstance(value, Model):
        found = {(type(value).__definition__.name, str(value.get_key()))}
        for loaded in value.get_relations().values():
            found |= returned(loaded)
        return found
    assert isinstance(value, Iterable), f"an example returned {type(value).__name__}"
    return set().union(*(returned(v) for v in value))


def namespace(app: App, names: dict[str, Any]) -> dict[str, Any]:
    bound: dict[str, Any] = dict(app.models)
    for name, value in names.items():
        if isinstance(value, Ref):
            value = app.models[value.model].find(value.id)
            assert value is not None
        bound[name] = value
    return bound


#: Examples that read their pattern's items with other requests than the pattern's, and why.
#: Every other example sends exactly its pattern's requests.
OTHER_REQUESTS = {
    # find() of a nested collection child: the Order by id, then its lines (the pattern's one
    # BETWEEN Query needs the user_id, which find(id) does not take).
    "Get Order with its Lines (collection)": ["Query", "Query"],
    # One relation per type: its edges Query and BatchGetItem each (the pattern reads the
    # edges of every type with one Query).
    "List taggables of Tag (every type)": ["Query", "BatchGetItem", "Query", "BatchGetItem"],
}


def generated() -> list[AccessPattern]:
    registry = Registry(validate_config())
    declare(registry)
    return list(registry.access_patterns())


NAMES = sorted(p.name for p in generated())


def test_every_pattern_has_a_case() -> None:
    """No pattern is skipped: each one generated for the registry is run below."""
    for pattern in generated():
        case(pattern)
    assert len(NAMES) == len(set(NAMES)) == 61
    assert set(CASES) | set(OTHER_REQUESTS) <= set(NAMES)  # no stale entries
    kinds = " ".join(NAMES)
    for kind in ("(collection)", "sorted by", "(every type)", "by expiry", "by email", "by status"):
        assert kind in kinds


def test_examples_use_only_placeholder_names(configured: App) -> None:
    """The documented convention: classes by name, instances by their model's snake_case
    name, values by the pattern's inputs."""
    classes = set(configured.models)
    instances = {snake(name) for name in classes}
    for pattern in configured.registry.access_patterns():
        names = free_names(pattern.example) - classes
        strays = {n for n in names if n not in instances and n not in pattern.inputs}
        assert not strays, f"{pattern.name}: {pattern.example} uses {strays}"
        assert names == set(case(pattern)[1]), pattern.name


@pytest.mark.parametrize("name", NAMES)
def test_example_returns_what_its_request_returns(configured: App, name: str) -> None:
    app = configured
    pattern = app.registry.access_patterns().named(name)
    values, names = case(pattern)
    scope = namespace(app, names)
    with record_requests() as sent:
        result = eval(compile(pattern.example, f"<example of {name}>", "eval"), scope)
    expected = {identity(item) for item in run(app.client, app.table, pattern.bind(values))}
    assert expected, f"{name}: the seeded data should give this pattern items"
    assert returned(result) == expected, f"{name}: {pattern.example}"
    if pattern.operation == "Query" and pattern.then is None and not isinstance(result, Model):
        read = [item["id"] for item in run(app.client, app.table, pattern.bind(values))]
        assert [model.get_key() for model in result] == read, "the index order is kept"
    requests = [pattern.operation, *([pattern.then] if pattern.then else [])]
    assert sent.operations == OTHER_REQUESTS.get(name, requests), pattern.example
