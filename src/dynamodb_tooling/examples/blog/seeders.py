"""Seeders of the blog: a showcase user (Ada) and a few hundred fake items around her.

Run them with ``run_seeders([BlogSeeder])``: it ``call``-s the others in dependency order
(roles and teams, then users, then their posts with comments and their orders with lines).

The blog's seeders are declared ``abstract=True``, so they are **not registered by name**:
importing the example never adds a ``UserSeeder`` to your application's ``dbtooling seed``
(or replaces yours). Name them by class, as above.

:class:`ShowcaseSeeder` writes known data the demo (and the FastAPI example) can point at:
Ada, of the team "Analytical Engines", an admin and an author, with two published posts and a
draft (each published one with comments) and two orders with lines.
"""

from __future__ import annotations

from typing import ClassVar

from dynamodb_tooling.examples.blog.factories import (
    CommentFactory,
    OrderFactory,
    PostFactory,
    RoleFactory,
    TeamFactory,
    UserFactory,
)
from dynamodb_tooling.examples.blog.models import Role, Team, User
from dynamodb_tooling.seeders import Seeder

__all__ = [
    "ROLE_NAMES",
    "SHOWCASE_EMAIL",
    "BlogSeeder",
    "OrderSeeder",
    "PostSeeder",
    "RoleSeeder",
    "ShowcaseSeeder",
    "TeamSeeder",
    "UserSeeder",
]

ROLE_NAMES = ("admin", "editor", "author", "reader")
SHOWCASE_EMAIL = "ada@example.com"
SHOWCASE_TEAM = "Analytical Engines"


def _roles() -> dict[str, Role]:
    return {role.name: role for role in Role.query().force_scan().get()}


def _fake_teams() -> list[Team]:
    """The fake teams (not Ada's): a handful, read with an explicit Scan."""
    return [team for team in Team.query().force_scan().get() if team.name != SHOWCASE_TEAM]


def _members() -> list[User]:
    """The users of the fake teams, oldest first."""
    teams = [team.id for team in _fake_teams()]
    return sorted(User.where_in("team_id", teams).get(), key=lambda user: user.id)


class RoleSeeder(Seeder, abstract=True):
    def run(self) -> None:
        RoleFactory().count(len(ROLE_NAMES)).sequence(name=list(ROLE_NAMES)).create()


class TeamSeeder(Seeder, abstract=True):
    teams: ClassVar[int] = 4

    def run(self) -> None:
        TeamFactory().count(self.teams).create()


class ShowcaseSeeder(Seeder, abstract=True):
    depends_on = (RoleSeeder,)

    def run(self) -> None:
        roles = _roles()
        team = Team.create(name=SHOWCASE_TEAM)
        ada = (
            UserFactory()
            .for_(team)
            .with_roles(roles["admin"], roles["author"])
            .create(email=SHOWCASE_EMAIL, name="Ada Lovelace", bio="Wrote the first program.")
        )
        readers = UserFactory().count(2).for_(team).with_roles(roles["reader"]).create()
        comments = CommentFactory().count(3).by(*readers, ada)
        PostFactory().published().count(2).for_(ada).has(comments).create()
        PostFactory().draft().for_(ada).create(title="Notes on the Analytical Engine (draft)")
        OrderFactory().count(2).for_(ada).with_lines(3).create()


class UserSeeder(Seeder, abstract=True):
    depends_on = (RoleSeeder, TeamSeeder)
    per_team: ClassVar[int] = 10

    def run(self) -> None:
        reader = _roles()["reader"]
        for team in _fake_teams():
            UserFactory().count(self.per_team).for_(team).with_roles(reader).create()


def _each(users: list[User]) -> list[dict[str, str]]:
    """One ``user_id`` per user: a sequence that spreads models over ``users``."""
    return [{"user_id": user.id} for user in users]


class PostSeeder(Seeder, abstract=True):
    """Two published posts (with two comments each) and a draft per user: one batched
    ``create()`` per kind."""

    depends_on = (UserSeeder,)

    def run(self) -> None:
        members = _members()
        comments = CommentFactory().count(2).sequence(*_each(members[1:] + members[:1]))
        authors = _each(members)
        PostFactory().published().count(2 * len(members)).sequence(*authors).has(comments).create()
        PostFactory().draft().count(len(members)).sequence(*authors).create()


class OrderSeeder(Seeder, abstract=True):
    """An order with three lines for every other user."""

    depends_on = (UserSeeder,)

    def run(self) -> None:
        buyers = _members()[::2]
        OrderFactory().count(len(buyers)).sequence(*_each(buyers)).with_lines(3).create()


class BlogSeeder(Seeder, abstract=True):
    """Everything, in order: what ``dbtooling demo`` seeds."""

    def run(self) -> None:
        self.call(RoleSeeder, TeamSeeder, ShowcaseSeeder, UserSeeder, PostSeeder, OrderSeeder)
