"""What type checkers see of relations (mypy with the ``dynamodb_tooling.mypy`` plugin, not
run): a relation declared with the related class reads as that class; one declared by name
reads the same when the plugin finds the name (``"self"``: the class itself), ``Any`` when it
does not. Every ``# type: ignore[code]`` is a negative check (``warn_unused_ignores`` fails it
if it passes)."""

from __future__ import annotations

from typing import Any, assert_type

from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, HasOne, Model, ModelQuery
from dynamodb_tooling.orm.relations import (
    HasManyThrough,
    MorphedByMany,
    MorphMany,
    MorphOne,
    MorphTo,
    MorphToMany,
)
from dynamodb_tooling.orm.relations.related import BelongsToManyQuery, HasManyQuery, ThroughQuery
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.schema import Registry

#: Its own registry: pytest imports this module beside other typing checks (and
#: ``RelMember.ghosts`` names no model on purpose).
REGISTRY = Registry()


class RelTeam(Model, registry=REGISTRY):
    name: str
    members = HasMany("RelMember")
    posts = HasManyThrough("RelPost", through="members")


class RelProfile(Model, registry=REGISTRY):
    bio: str


class RelRole(Model, registry=REGISTRY):
    name: str
    members = BelongsToMany("RelMember")


class RelPost(Model, registry=REGISTRY):
    title: str
    author = BelongsTo("RelMember")
    comments = MorphMany("RelComment", name="commentable")
    image = MorphOne("RelImage", name="imageable")
    tags = MorphToMany("RelTag", name="taggable")


class RelComment(Model, registry=REGISTRY):
    body: str
    commentable = MorphTo()


class RelImage(Model, registry=REGISTRY):
    url: str
    owner = MorphTo("imageable")


class RelTag(Model, registry=REGISTRY):
    label: str
    posts = MorphedByMany("RelPost", name="taggable")


class RelArticle(Model, registry=REGISTRY, name="RelEssay"):
    body: str


class RelMember(Model, registry=REGISTRY):
    name: str
    team = BelongsTo(RelTeam)
    profile = HasOne(RelProfile)
    posts = HasMany(RelPost)
    roles = BelongsToMany(RelRole)
    comments = HasMany("RelComment")
    essays = HasMany("RelEssay")
    ghosts = HasMany("RelGhost")


class RelCategory(Model, registry=REGISTRY):
    name: str
    children = HasMany("self")
    parent = BelongsTo("self")


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
    assert_type(member.comments, HasManyQuery[RelComment])
    assert_type(member.essays, HasManyQuery[RelArticle])
    assert_type(member.ghosts, HasManyQuery[Any])
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


def check_relations_by_name(
    team: RelTeam, role: RelRole, post: RelPost, tag: RelTag, category: RelCategory
) -> None:
    assert_type(team.members, HasManyQuery[RelMember])
    assert_type(team.members.first(), RelMember | None)
    assert_type(team.posts, ThroughQuery[RelPost])
    assert_type(role.members, BelongsToManyQuery[RelMember])
    assert_type(post.author, RelMember | None)
    assert_type(post.rel_member_id, str | None)
    assert_type(post.comments, HasManyQuery[RelComment])
    assert_type(post.image, RelImage | None)
    assert_type(post.tags, BelongsToManyQuery[RelTag])
    assert_type(tag.posts, BelongsToManyQuery[RelPost])
    assert_type(category.children, HasManyQuery[RelCategory])
    assert_type(category.parent, RelCategory | None)
    assert_type(category.parent_id, str | None)
    post.author = RelMember(name="Ada")
    post.author = RelTeam(name="x")  # type: ignore[assignment]
    _ = team.membres  # type: ignore[attr-defined]
    RelTeam(name="x", members=[])  # type: ignore[call-arg]


def check_morph_to(comment: RelComment, image: RelImage) -> None:
    assert_type(comment.commentable, Any)
    assert_type(comment.commentable_type, str | None)
    assert_type(comment.commentable_id, str | None)
    assert_type(image.imageable_type, str | None)
    assert_type(image.imageable_id, str | None)
    RelComment(body="x", commentable_type="RelPost", commentable_id="01J")
