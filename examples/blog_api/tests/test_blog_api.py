"""The blog API end to end: FastAPI's TestClient in front, the test engine behind."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from dynamodb_tooling import record_requests
from dynamodb_tooling.examples.blog import (
    CommentFactory,
    Post,
    PostFactory,
    Role,
    Team,
    User,
    UserFactory,
)
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted

pytestmark = pytest.mark.integration


def test_create_a_team_and_a_user(client: TestClient) -> None:
    team = client.post("/teams", json={"name": "Engines"}).json()
    body = {"email": "grace@example.com", "name": "Grace", "team_id": team["id"]}
    created = client.post("/users", json=body)
    assert created.status_code == 201
    assert created.json()["email"] == "grace@example.com"
    assert_inserted(User, email="grace@example.com", team_id=team["id"])
    listed = client.get(f"/teams/{team['id']}/users").json()
    assert [user["name"] for user in listed] == ["Grace"]


def test_a_taken_email_is_a_409_and_nothing_is_written(client: TestClient, ada: User) -> None:
    body = {"email": ada.email, "name": "Impostor", "team_id": ada.team_id}
    response = client.post("/users", json=body)
    assert response.status_code == 409
    assert response.json()["detail"] == "User.email 'ada@example.com' is already taken"
    assert_not_inserted(User, name="Impostor")


def test_values_failing_the_models_rules_are_a_422(client: TestClient, team: Team) -> None:
    body = {"email": "not-an-email", "name": "X", "team_id": team.id}
    response = client.post("/users", json=body)
    assert response.status_code == 422
    assert list(response.json()["detail"]) == ["email"]
    assert client.post("/users", json={"name": "X"}).status_code == 422  # pydantic: missing


def test_missing_models_are_404s(client: TestClient, team: Team) -> None:
    assert client.get("/users/nope").status_code == 404
    assert client.get("/posts/nope").json() == {"detail": "no Post with id 'nope'"}
    assert client.get("/orders/nope").status_code == 404
    body = {"email": "x@example.com", "name": "X", "team_id": "no-team"}
    assert client.post("/users", json=body).json() == {"detail": "no Team with id 'no-team'"}


def test_a_users_posts_come_with_their_comments_without_n_plus_1(
    client: TestClient, ada: User
) -> None:
    readers = UserFactory().count(2).for_(ada.team).create()
    comments = CommentFactory().count(2).by(*readers)
    PostFactory().published().count(3).for_(ada).has(comments).create()
    with record_requests() as sent:
        posts = client.get(f"/users/{ada.id}/posts").json()
    assert len(posts) == 3
    assert all(len(post["comments"]) == 2 for post in posts)
    # The user, its posts, then every post's comments in one concurrent round.
    assert sent.count == 5
    assert sent.rounds == 3


def test_create_a_post_and_read_it_with_comments_in_one_query(
    client: TestClient, ada: User, team: Team
) -> None:
    created = client.post(f"/users/{ada.id}/posts", json={"title": "Notes", "status": "published"})
    assert created.status_code == 201
    post = created.json()
    comment = {"user_id": ada.id, "body": "First!"}
    assert client.post(f"/posts/{post['id']}/comments", json=comment).status_code == 201
    with record_requests() as sent:
        shown = client.get(f"/posts/{post['id']}").json()
    assert [c["body"] for c in shown["comments"]] == ["First!"]
    assert shown["user"]["email"] == ada.email
    assert sent.operations == ["Query", "GetItem"]  # post + comments, then the author
    published = client.get("/posts", params={"status": "published"}).json()
    assert [p["title"] for p in published] == ["Notes"]
    assert (
        client.post(f"/users/{ada.id}/posts", json={"title": "x", "status": "gone"}).status_code
        == 422
    )


def test_an_order_with_lines(client: TestClient, ada: User) -> None:
    lines = [
        {"sku": "GEAR", "quantity": 2, "price": 150},
        {"sku": "PEN", "quantity": 1, "price": 99},
    ]
    created = client.post(f"/users/{ada.id}/orders", json={"lines": lines})
    assert created.status_code == 201
    order = created.json()
    assert order["total"] == 399
    with record_requests() as sent:
        shown = client.get(f"/orders/{order['id']}").json()
    assert sent.operations == ["Query"]  # the order's partition: the order and its lines
    assert sorted(line["sku"] for line in shown["lines"]) == ["GEAR", "PEN"]


def test_attach_a_role(client: TestClient, ada: User, admin: Role) -> None:
    response = client.post(f"/users/{ada.id}/roles", json={"role": "admin"})
    assert response.status_code == 200
    (role,) = response.json()["roles"]
    assert role["name"] == "admin"
    (granted,) = ada.roles.get()
    edge: Any = granted  # the edge's values ride on the result: role.pivot
    assert edge.pivot.granted_at.startswith("20")
    missing = client.post(f"/users/{ada.id}/roles", json={"role": "wizard"})
    assert missing.json() == {"detail": "no role named 'wizard'"}


@pytest.mark.usefixtures("dynamodb_app_table")
def test_each_test_starts_from_an_empty_table() -> None:
    assert_not_inserted(User)
    assert_not_inserted(Post)
