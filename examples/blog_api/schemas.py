"""What the API accepts (pydantic); what it returns is each model's ``to_dict(mode="json")``
(hidden attributes never leave, loaded relations are nested)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class UserIn(BaseModel):
    email: str  # validated by the model's own rule ("required|email"): a 422 names it
    name: str = Field(min_length=1, max_length=100)
    team_id: str
    bio: str | None = None


class PostIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = ""
    status: Literal["published", "draft"] | None = "draft"


class CommentIn(BaseModel):
    user_id: str  # the author
    body: str = Field(min_length=1, max_length=2_000)


class LineIn(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1, le=100)
    price: int = Field(ge=0)  # cents, per unit


class OrderIn(BaseModel):
    lines: list[LineIn] = Field(min_length=1, max_length=50)


class RoleGrant(BaseModel):
    role: str  # a role's name: "admin", "editor", "author", "reader"
