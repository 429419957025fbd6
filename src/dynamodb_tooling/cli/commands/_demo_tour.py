"""The steps of ``dbtooling demo`` as data: each runs on the active configuration and
returns what happened (requests recorded at the driver, wall time), for the console
(:mod:`._demo_render`) or ``--json``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from dynamodb_tooling.drivers.recording import RecordedRequests, record_requests
from dynamodb_tooling.examples.blog import BLOG, SHOWCASE_EMAIL, BlogSeeder, Post, Team, User
from dynamodb_tooling.examples.blog.showcase import Showcase, load_showcase
from dynamodb_tooling.factories import Factory
from dynamodb_tooling.migrations import MigrationResult, migrate
from dynamodb_tooling.orm import Model, ModelQuery
from dynamodb_tooling.query.plan import Explanation
from dynamodb_tooling.seeders import SeederResult, run_seeders

__all__ = ["DemoReport", "ExplainRun", "LoadingRun", "PatternRun", "Tour"]

#: Faker's seed: the same names and titles on every run.
FAKER_SEED = 1815


@dataclass(frozen=True)
class PatternRun:
    """One access pattern's example, run: its requests and what it returned."""

    entity: str
    name: str
    example: str
    planned: tuple[str, ...]  # the pattern's request(s): ("Query",), ("GetItem", "GetItem")
    index: str | None
    sent: tuple[str, ...]  # what the example sent
    items: int  # models returned, with the relations they loaded
    ms: float


@dataclass(frozen=True)
class LoadingRun:
    """A read of related models, lazily or eagerly."""

    label: str
    code: str
    requests: int
    rounds: int  # stretches of time with requests in flight (a concurrent fan-out is one)
    items: int
    ms: float


@dataclass(frozen=True)
class ExplainRun:
    label: str
    code: str
    explanation: Explanation


@dataclass
class DemoReport:
    """Everything the demo did (``--json`` prints it)."""

    engine: str
    table: str
    models: int
    migration: MigrationResult | None = None
    seeded: list[SeederResult] = field(default_factory=list)
    seed_requests: int = 0
    seed_ms: float = 0.0
    patterns: list[PatternRun] = field(default_factory=list)
    loading: list[LoadingRun] = field(default_factory=list)
    explains: list[ExplainRun] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def items(self) -> int:
        return sum(result.items for result in self.seeded)

    def to_json(self) -> dict[str, Any]:
        migration = self.migration
        return {
            "engine": self.engine,
            "table": self.table,
            "models": self.models,
            "migration": [step.to_dict() for step in migration.steps] if migration else [],
            "seeded": {
                "items": self.items,
                "requests": self.seed_requests,
                "ms": round(self.seed_ms, 1),
                "by_entity": _by_entity(self.seeded),
            },
            "patterns": [asdict(run) for run in self.patterns],
            "loading": [asdict(run) for run in self.loading],
            "explain": [
                {"label": e.label, "code": e.code, **asdict(e.explanation)} for e in self.explains
            ],
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
        }


def _by_entity(results: Iterable[SeederResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        for entity, n in result.written.items():
            counts[entity] = counts.get(entity, 0) + n
    return dict(sorted(counts.items()))


def count_models(value: Any) -> int:
    """Models in ``value`` (a model, a collection, ``None``), with the relations they loaded."""
    if value is None:
        return 0
    if isinstance(value, Model):
        return 1 + sum(count_models(v) for v in value.get_relations().values())
    return sum(count_models(v) for v in value)


def _timed(run: Callable[[], Any]) -> tuple[Any, RecordedRequests, float]:
    began = time.perf_counter()
    with record_requests() as sent:
        value = run()
    return value, sent, (time.perf_counter() - began) * 1000


class Tour:
    """The demo's steps, in order, each adding what it did to ``report``."""

    def __init__(self, report: DemoReport) -> None:
        self.report = report
        self._showcase: Showcase | None = None

    def migrate(self) -> MigrationResult:
        self.report.migration = migrate(BLOG)
        return self.report.migration

    def seed(self) -> list[SeederResult]:
        Factory.seed(FAKER_SEED)
        results, sent, ms = _timed(lambda: run_seeders([BlogSeeder], discover=False))
        self.report.seeded = [r for r in results if r.items]
        self.report.seed_requests, self.report.seed_ms = sent.count, ms
        return self.report.seeded

    @property
    def showcase(self) -> Showcase:
        if self._showcase is None:
            self._showcase = load_showcase()
        return self._showcase

    def patterns(self) -> list[PatternRun]:
        for pattern in BLOG.access_patterns():
            scope = self.showcase.names(pattern)
            code = compile(pattern.example, f"<example of {pattern.name}>", "eval")
            value, sent, ms = _timed(functools.partial(eval, code, scope))
            planned = (pattern.operation, *([pattern.then] if pattern.then else []))
            run = PatternRun(
                entity=pattern.entity,
                name=pattern.name,
                example=pattern.example.split("  #")[0],
                planned=planned,
                index=pattern.index,
                sent=tuple(sent.operations),
                items=count_models(value),
                ms=ms,
            )
            self.report.patterns.append(run)
        return self.report.patterns

    def _loading(self, label: str, code: str, run: Callable[[], Any]) -> LoadingRun:
        value, sent, ms = _timed(run)
        result = LoadingRun(label, code, sent.count, sent.rounds, count_models(value), ms)
        self.report.loading.append(result)
        return result

    def eager_loading(self, users: int = 20) -> list[LoadingRun]:
        """N+1 lazily vs ``with_``: ``users`` users with their posts and team; then a post
        with its comments (a collection: one Query)."""
        ids = self._user_ids(users)

        def lazily() -> list[Any]:
            found = User.where_in("id", ids).get()
            for user in found:
                # Kept on the user, so both reads count the same models.
                user.set_relation("posts", user.posts.get())  # a Query per user
                _ = user.team  # a GetItem per user (the relation keeps it)
            return list(found)

        self._loading(
            f"{len(ids)} users, then each one's posts and team",
            'for user in User.where_in("id", ids).get(): user.posts.get(); user.team',
            lazily,
        )
        self._loading(
            f"{len(ids)} users with their posts and team",
            'User.with_("posts", "team").where_in("id", ids).get()',
            lambda: User.with_("posts", "team").where_in("id", ids).get(),
        )
        post_id = self.showcase.post.id

        def post_then_comments() -> list[Any]:
            post = Post.find(post_id)
            return [post, post.comments.get() if post is not None else None]

        self._loading(
            "a post, then its comments",
            "post = Post.find(id); post.comments.get()",
            post_then_comments,
        )
        self._loading(
            "a post with its comments (one partition)",
            'Post.with_("comments").find(id)',
            lambda: Post.with_("comments").find(post_id),
        )
        return self.report.loading

    def _user_ids(self, n: int) -> list[str]:
        """``n`` user ids: the members of two fake teams (ten each)."""
        showcase = self.showcase.team.id
        teams = [t.id for t in Team.query().force_scan().get() if t.id != showcase][:2]
        return sorted(user.id for user in User.where_in("team_id", teams).get())[:n]

    def explain(self) -> list[ExplainRun]:
        """A good query (a key on an index) and a bad one (a Scan, with the fix)."""
        cases: list[tuple[str, str, ModelQuery[Any]]] = [
            ("published posts", '"status", "published"', Post.where("status", "published")),
            (
                "a user by email",
                f'"email", "{SHOWCASE_EMAIL}"',
                User.where("email", SHOWCASE_EMAIL),
            ),
            ("users named Ada", '"name", "Ada Lovelace"', User.where("name", "Ada Lovelace")),
        ]
        for label, where, query in cases:
            code = f"{query.model.__name__}.where({where})"
            self.report.explains.append(ExplainRun(label, code, query.explain()))
        return self.report.explains
