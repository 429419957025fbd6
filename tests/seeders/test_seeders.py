"""Seeders: ordering by depends_on, cycles refused, each seeder once per run, call(),
discovery from a folder, the DatabaseSeeder convention; counts against the engine."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.seeders import (
    Seeder,
    SeederError,
    arun_seeders,
    forget_seeders,
    registered_seeders,
    run_seeders,
)
from tests.factories.conftest import ArticleFactory, AuthorFactory

ran: list[str] = []


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    before = set(registered_seeders())
    ran.clear()
    yield
    forget_seeders(set(registered_seeders()) - before)


def declare() -> dict[str, type[Seeder]]:
    class UsersSeed(Seeder):
        def run(self) -> None:
            ran.append("UsersSeed")

    class PostsSeed(Seeder):
        depends_on = (UsersSeed,)

        def run(self) -> None:
            ran.append("PostsSeed")

    class CommentsSeed(Seeder):
        depends_on = ("PostsSeed", UsersSeed)

        def run(self) -> None:
            ran.append("CommentsSeed")

    return {"UsersSeed": UsersSeed, "PostsSeed": PostsSeed, "CommentsSeed": CommentsSeed}


def test_dependencies_run_first_and_each_seeder_once() -> None:
    seeders = declare()
    results = run_seeders([seeders["CommentsSeed"], "PostsSeed"], discover=False)
    assert ran == ["UsersSeed", "PostsSeed", "CommentsSeed"]
    assert [r.name for r in results] == ran


def test_a_dependency_cycle_is_refused_with_its_path() -> None:
    class CycleA(Seeder):
        depends_on = ("CycleB",)

        def run(self) -> None:
            ran.append("A")

    class CycleB(Seeder):
        depends_on = (CycleA,)

        def run(self) -> None:
            ran.append("B")

    with pytest.raises(SeederError, match=r"cycle: CycleA → CycleB → CycleA"):
        run_seeders([CycleA], discover=False)
    assert ran == []


def test_an_unknown_seeder_name_lists_the_known_ones() -> None:
    declare()
    with pytest.raises(SeederError, match=r"no seeder named 'PostSeed'; did you mean 'PostsSeed'"):
        run_seeders(["PostSeed"], discover=False)


def test_call_runs_other_seeders_now_and_never_twice() -> None:
    seeders = declare()

    class MainSeed(Seeder):
        def run(self) -> None:
            ran.append("main:start")
            self.call(seeders["PostsSeed"], "UsersSeed")
            ran.append("main:end")

    results = run_seeders([MainSeed, "CommentsSeed"], discover=False)
    assert ran == ["main:start", "UsersSeed", "PostsSeed", "main:end", "CommentsSeed"]
    assert [r.name for r in results] == ["UsersSeed", "PostsSeed", "MainSeed", "CommentsSeed"]


def test_async_seeders_run_with_arun_seeders_and_from_the_sync_runner() -> None:
    class AsyncSeed(Seeder):
        async def arun(self) -> None:
            await asyncio.sleep(0)
            ran.append("async")

    declare()
    asyncio.run(arun_seeders([AsyncSeed, "UsersSeed"], discover=False))
    assert ran == ["async", "UsersSeed"]
    ran.clear()
    run_seeders([AsyncSeed], discover=False)
    assert ran == ["async"]


def test_a_seeder_without_run_says_what_to_define() -> None:
    class Empty(Seeder):
        pass

    with pytest.raises(SeederError, match=r"Empty must define run\(self\)"):
        run_seeders([Empty], discover=False)


SEEDERS = {
    "users.py": """
        from dynamodb_tooling.seeders import Seeder
        from tests.seeders.test_seeders import ran

        class FolderUsers(Seeder):
            def run(self):
                ran.append("FolderUsers")
    """,
    "database_seeder.py": """
        from dynamodb_tooling.seeders import Seeder
        from tests.seeders.test_seeders import ran

        class DatabaseSeeder(Seeder):
            def run(self):
                ran.append("DatabaseSeeder")
                self.call("FolderUsers")
    """,
    "_helpers.py": "raise RuntimeError('files starting with _ are not imported')",
}


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_discovery_runs_the_database_seeder_by_default(tmp_path: Path) -> None:
    write(tmp_path / "seeders", SEEDERS)
    results = run_seeders(path=tmp_path / "seeders")
    assert ran == ["DatabaseSeeder", "FolderUsers"]
    assert [r.name for r in results] == ["FolderUsers", "DatabaseSeeder"]
    ran.clear()
    run_seeders(["FolderUsers"], path=tmp_path / "seeders")  # imported once, found by name
    assert ran == ["FolderUsers"]


def test_discovery_uses_the_configured_folder(tmp_path: Path) -> None:
    write(tmp_path / "db" / "seeders", SEEDERS)
    with use_config(query_builder={"seeders_path": str(tmp_path / "db" / "seeders")}):
        run_seeders(["FolderUsers"])
    assert ran == ["FolderUsers"]
    with (
        use_config(query_builder={"seeders_path": str(tmp_path / "missing")}),
        pytest.raises(
            SeederError, match=r"seeders folder .*missing.* does not exist.*seeders_path"
        ),
    ):
        run_seeders()


@pytest.mark.integration
def test_results_count_the_items_each_seeder_wrote(
    dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    class AuthorsSeed(Seeder):
        def run(self) -> None:
            AuthorFactory().count(4).create()

    class ArticlesSeed(Seeder):
        depends_on = (AuthorsSeed,)

        def run(self) -> None:
            ArticleFactory().count(30).create()

    class BlogSeed(Seeder):
        def run(self) -> None:
            self.call(ArticlesSeed)

    results = run_seeders([BlogSeed], discover=False)
    by_name = {r.name: r for r in results}
    assert dict(by_name["AuthorsSeed"].written) == {"Author": 4}
    assert by_name["AuthorsSeed"].requests == 4
    assert dict(by_name["ArticlesSeed"].written) == {"Article": 30}
    assert by_name["ArticlesSeed"].requests == 2
    assert by_name["BlogSeed"].items == 0  # what it call()-ed counts for those seeders
    assert dynamodb_client.scan_all(dynamodb_table).count == 4 + 4 + 30  # + email sentinels
