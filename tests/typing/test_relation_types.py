"""What type checkers see of relations (mypy, not run): a relation declared with the related
class reads as that class; one declared by name reads as ``Any``."""

from __future__ import annotations

from typing import Any, assert_type

from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, HasOne, Model, ModelQuery
from dynamodb_tooling.orm.relations.related import BelongsToManyQuery, HasManyQuery
from dynamodb_tooling.query.results import Collection


class RelTeam(Model):
    name: str


class RelProfile(Model):
    bio: str


class RelRole(Model):
    name: str


class RelPost(Model):
    title: str


class RelComment(Model):
    body: str


class RelMember(Model):
    name: str
    team = BelongsTo(RelTeam)
    profile = HasOne(RelProfile)
    posts = HasMany(RelPost)
    roles = BelongsToMany(RelRole)
    comments = HasMany("RelComment")


def check_relations(member: RelMember, team: RelTeam) -> None:
    assert_type(member.team, RelTeam | None)
    assert_type(member.profile, RelProfile | None)
    assert_type(member.posts, HasManyQuery[RelPost])
    assert_type(member.roles, BelongsToManyQuery[RelRole])
    assert_type(list(member.posts), list[RelPost])
    assert_type(member.posts[0], RelPost)
    assert_type(member.posts.where("title", "x"), HasManyQuery[RelPost])
    assert_type(member.posts.where("title", "x").get(), Collection[RelPost])
    assert_type(member.posts.create(title="x"), RelPost)
    assert_type(member.roles.get(), Collection[RelRole])
    assert_type(member.roles.first(), RelRole | None)
    assert_type(member.comments, HasManyQuery[Any])
    member.team = team
    member.team = None
    assert_type(RelMember.with_("posts", "team"), ModelQuery[RelMember])
    assert_type(RelMember.with_("posts").where("name", "x").get(), Collection[RelMember])
    assert_type(RelMember.has("posts"), ModelQuery[RelMember])
    assert_type(
        RelMember.where_has("posts", lambda q: q.where("title", "x")), ModelQuery[RelMember]
    )
    assert_type(member.load("posts"), RelMember)
    assert_type(RelMember.get().load("team"), Collection[RelMember])


async def check_async(member: RelMember) -> None:
    assert_type(await member.aload("posts"), RelMember)
    assert_type(await member.posts.aget(), Collection[RelPost])
    assert_type(await member.roles.aget(), Collection[RelRole])
