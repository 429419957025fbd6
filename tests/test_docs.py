"""Every ```python block of every docs/*.md file runs against the engine (issue 12: "A test
runs every Python code block in README and docs").

The rules are those of :mod:`tests.docs_runner`, as for the README, with one namespace,
registry, working directory and table **per file**: a guide reads as one program from its top,
never needing a name from another guide. A new ``docs/*.md`` file is picked up by itself.

Each block is its own test, ``<file>.md-<heading>-<n>`` (``pytest tests/test_docs.py -k
relations.md``), and a failure names ``docs/<file>.md:<line>``. A block run alone first runs the
blocks above it in its file.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.orm.relations import lazy_loading_prevented
from dynamodb_tooling.seeders import registered_seeders
from tests.docs_runner import ROOT, Block, Doc, DocRun, docs_in, fence_problems, open_run

pytestmark = pytest.mark.integration

DOCS = docs_in(ROOT / "docs")
BLOCKS = {doc: doc.blocks for doc in DOCS}
CASES = [(doc, block) for doc in DOCS for block in BLOCKS[doc] if block.runs]


class DocRuns:
    """One :class:`DocRun` per file, opened when its first block runs, closed at the end."""

    def __init__(
        self,
        config: Config,
        client: DynamoDBClient,
        factory: pytest.TempPathFactory,
        stack: contextlib.ExitStack,
    ) -> None:
        self.config, self.client, self.factory, self.stack = config, client, factory, stack
        self.runs: dict[Doc, DocRun] = {}

    def __getitem__(self, doc: Doc) -> DocRun:
        if doc not in self.runs:
            workdir = self.factory.mktemp(f"docs-{doc.slug}")
            run = open_run(doc, self.config, self.client, workdir, blocks=BLOCKS[doc])
            self.runs[doc] = self.stack.enter_context(run)
        return self.runs[doc]


@pytest.fixture(scope="module")
def doc_runs(
    dynamodb_config: Config,
    dynamodb_client: DynamoDBClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DocRuns]:
    with contextlib.ExitStack() as stack:
        yield DocRuns(dynamodb_config, dynamodb_client, tmp_path_factory, stack)


def _case(doc: Doc, block: Block) -> Any:
    """A block that starts processes (a pytest run, the CLI) is marked ``processes``: the
    driver passes of the suite skip those, as they skip the other tests that spawn."""
    marks = [pytest.mark.processes] if "subprocess" in block.code else []
    return pytest.param(doc, block, marks=marks, id=f"{doc.path.name}-{block.id}")


@pytest.mark.parametrize(("doc", "block"), [_case(doc, block) for doc, block in CASES])
def test_doc_block(doc: Doc, block: Block, doc_runs: DocRuns) -> None:
    if block.skip is not None:
        pytest.skip(f"{block.where}: {block.skip}")
    run = doc_runs[doc]
    with run.active():
        run.run_through(block)


@pytest.mark.parametrize("doc", DOCS, ids=[doc.path.name for doc in DOCS])
def test_doc_fences_are_runnable_or_marked(doc: Doc) -> None:
    """Every fence says what it is; skip markers are rare and give a reason."""
    problems = fence_problems(doc, BLOCKS[doc], max_skips=3)
    assert not problems, "\n".join(problems)


def test_every_guide_is_collected() -> None:
    names = {doc.path.name for doc in DOCS}
    assert {"cli.md", "relations.md", "testing.md"} <= names, sorted(names)


# The harness: failures name the docs file, and files never see each other's modules.


def _block(line: int, code: str, source: str, file: str | None = None) -> Block:
    return Block(line, "Scratch", "", "python", code, file=file, source=source)


def test_a_failing_block_names_its_docs_file_and_line(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient, tmp_path: Path
) -> None:
    doc = Doc(ROOT / "docs" / "scratch.md")
    failing = _block(3, "x = 1\nraise ValueError('boom')\n", doc.source)
    run = open_run(doc, dynamodb_config, dynamodb_client, tmp_path, blocks=[failing])
    with run as opened, opened.active():
        failure = opened.run_one(failing)
    assert failure is not None
    assert failure.startswith("docs/scratch.md:4 (Scratch) raised ValueError: boom"), failure


def test_two_files_writing_the_same_module_each_import_their_own(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient, tmp_path: Path
) -> None:
    runs = []
    with contextlib.ExitStack() as stack:
        for name in ("first", "second"):
            doc = Doc(ROOT / "docs" / f"{name}.md")
            blocks = [
                _block(1, f"WHO = {name!r}\n", doc.source, file="app/who.py"),
                _block(5, "from app.who import WHO\n", doc.source),
            ]
            workdir = tmp_path / name
            workdir.mkdir()
            run = stack.enter_context(
                open_run(doc, dynamodb_config, dynamodb_client, workdir, blocks=blocks)
            )
            with run.active():
                assert run.run_one(blocks[1]) is None
            runs.append(run)
        assert [run.module.WHO for run in runs] == ["first", "second"]
        assert "app.who" not in sys.modules  # put away while no file is active


def test_what_a_file_changes_in_the_process_stays_in_that_file(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient, tmp_path: Path
) -> None:
    doc = Doc(ROOT / "docs" / "state.md")
    declares = _block(
        1,
        "from dynamodb_tooling.orm import prevent_lazy_loading\n"
        "from dynamodb_tooling.seeders import Seeder\n\n"
        "class DocsOnlySeeder(Seeder):\n    def run(self) -> None:\n        pass\n\n"
        "prevent_lazy_loading()\n",
        doc.source,
    )
    checks = _block(
        20,
        "from dynamodb_tooling.orm.relations import lazy_loading_prevented\n"
        "from dynamodb_tooling.seeders import registered_seeders\n\n"
        "assert 'DocsOnlySeeder' in registered_seeders()\n"
        "assert lazy_loading_prevented()\n",
        doc.source,
    )
    with open_run(doc, dynamodb_config, dynamodb_client, tmp_path, blocks=[]) as run:
        with run.active():
            assert run.run_one(declares) is None
        assert "DocsOnlySeeder" not in registered_seeders()  # not outside the file
        assert not lazy_loading_prevented()
        with run.active():
            assert run.run_one(checks) is None  # still there for the file's next block
