"""The blog as a JSON API: FastAPI over the shipped blog models.

Every read is a key or index read (no Scan), related models come with eager loading
(``with_``), and library errors become HTTP errors: a missing model is a 404, a taken unique
value (an email) a 409, values that fail the model's validation rules a 422.

Run it against a local engine (see README.md)::

    dbtooling start
    DBTOOLING_ENDPOINT=http://127.0.0.1:8000 uvicorn --app-dir examples blog_api.app:app
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from blog_api.schemas import CommentIn, OrderIn, PostIn, RoleGrant, TeamIn, UserIn
from dynamodb_tooling.errors import ModelValidationError, UniqueConstraintError
from dynamodb_tooling.examples.blog import Order, Post, Role, Team, User
from dynamodb_tooling.examples.blog.factories import now
from dynamodb_tooling.orm import Model, transaction

M = TypeVar("M", bound=Model)

app = FastAPI(title="Blog API (dynamodb-tooling example)")


@app.exception_handler(UniqueConstraintError)
def taken(request: Request, error: UniqueConstraintError) -> JSONResponse:
    detail = f"{error.model}.{error.attribute} {error.value!r} is already taken"
    return JSONResponse(status_code=409, content={"detail": detail})


@app.exception_handler(ModelValidationError)
def invalid(request: Request, error: ModelValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": error.errors})


def found(model: type[M], id: str, *relations: str) -> M:
    """``model`` ``id`` with ``relations`` loaded, or a 404 naming what is missing."""
    instance = model.with_(*relations).find(id) if relations else model.find(id)
    if instance is None:
        raise HTTPException(404, f"no {model.__name__} with id {id!r}")
    return instance


def shown(instance: Model) -> dict[str, Any]:
    return instance.to_dict(mode="json")


# Teams and users.
@app.post("/teams", status_code=201)
def create_team(body: TeamIn) -> dict[str, Any]:
    return shown(Team.create(name=body.name))


@app.get("/teams/{team_id}/users")
def team_users(team_id: str) -> list[dict[str, Any]]:
    """The team's users: one Query on the team's GSI path."""
    return [shown(user) for user in found(Team, team_id).users.get()]


@app.post("/users", status_code=201)
def create_user(body: UserIn) -> dict[str, Any]:
    found(Team, body.team_id)
    return shown(User.create(**body.model_dump()))


@app.get("/users/{user_id}")
def get_user(user_id: str) -> dict[str, Any]:
    """The user with its team and roles (eager: one GetItem, then both relations)."""
    return shown(found(User, user_id, "team", "roles"))


@app.get("/users/{user_id}/posts")
def user_posts(user_id: str) -> list[dict[str, Any]]:
    """The user's posts, each with its comments (eager: no request per post)."""
    user = found(User, user_id, "posts.comments")
    return [shown(post) for post in user.get_relation("posts")]


@app.post("/users/{user_id}/roles")
def grant_role(user_id: str, body: RoleGrant) -> dict[str, Any]:
    """Attach a role by name; the edge item carries ``granted_at``."""
    user = found(User, user_id)
    role = Role.where("name", body.role).first()
    if role is None:
        raise HTTPException(404, f"no role named {body.role!r}")
    user.roles.attach(role, granted_at=now())
    return shown(found(User, user_id, "roles"))


# Posts and comments.
@app.post("/users/{user_id}/posts", status_code=201)
def create_post(user_id: str, body: PostIn) -> dict[str, Any]:
    found(User, user_id)
    return shown(Post.create(user_id=user_id, **body.model_dump()))


@app.get("/posts")
def published_posts(status: str = "published", limit: int = 20) -> list[dict[str, Any]]:
    """Posts by status: one Query on the sparse status index."""
    return [shown(post) for post in Post.where("status", status).limit(limit).get()]


@app.get("/posts/{post_id}")
def get_post(post_id: str) -> dict[str, Any]:
    """A post with its comments (the same partition: one Query), then its author (a
    GetItem): two requests."""
    return shown(found(Post, post_id, "comments", "user"))


@app.post("/posts/{post_id}/comments", status_code=201)
def add_comment(post_id: str, body: CommentIn) -> dict[str, Any]:
    post = found(Post, post_id)
    found(User, body.user_id)
    return shown(post.comments.create(user_id=body.user_id, body=body.body))


# Orders.
@app.post("/users/{user_id}/orders", status_code=201)
def create_order(user_id: str, body: OrderIn) -> dict[str, Any]:
    """An order and its lines, written together (one transaction)."""
    found(User, user_id)
    total = sum(line.quantity * line.price for line in body.lines)
    with transaction():
        order = Order.create(user_id=user_id, total=total)
        for line in body.lines:
            order.lines.create(**line.model_dump())
    return shown(found(Order, order.id, "lines"))


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> dict[str, Any]:
    """An order with its lines: one Query on the order's partition."""
    return shown(found(Order, order_id, "lines"))
