"""Every ```python block of README.md runs against the engine (issue 9: "README documents each
feature with a runnable example (a test runs every README code block)").

The rules are those of :mod:`tests.docs_runner` (shared with ``tests/test_docs.py``): one
namespace for the whole README, blocks in order like notebook cells; each ``##`` section starts
from the test configuration; the README's own registry, table, working directory and imported
modules; ``title="path"`` blocks are files; other languages are shown, not run; skips are
explicit (``<!-- readme-test: skip (why) -->``) and rare; top-level ``await`` is allowed; only
the library's own warnings may be raised; a block may not redefine a model nor need an index the
table was created without. The README creates its table itself (one line in the quick tour).

Each block is its own test (``<heading>-<n>``), and a failure names ``README.md:<line>``. A
test run alone (``-k``) first runs the blocks above it. A failed block does not stop the later
ones; their failures list the earlier ones, which may be the cause.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dynamodb_tooling.schema.registry as registry_module
from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from tests.docs_runner import (
    ROOT,
    Block,
    Doc,
    DocRun,
    fence_problems,
    open_run,
    parse_markdown,
)

pytestmark = pytest.mark.integration

README = Doc(ROOT / "README.md")
BLOCKS = README.blocks
RUN = [b for b in BLOCKS if b.runs]
FILES = [b for b in BLOCKS if b.file is not None]


@pytest.fixture(scope="module")
def readme_run(
    dynamodb_config: Config,
    dynamodb_client: DynamoDBClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DocRun]:
    workdir = tmp_path_factory.mktemp("readme")
    with open_run(README, dynamodb_config, dynamodb_client, workdir, blocks=BLOCKS) as run:
        yield run


@pytest.mark.parametrize("block", RUN, ids=[b.id for b in RUN])
def test_readme_block(block: Block, readme_run: DocRun) -> None:
    if block.skip is not None:
        pytest.skip(f"{block.where}: {block.skip}")
    with readme_run.active():
        readme_run.run_through(block)


def test_readme_fences_are_runnable_or_marked() -> None:
    """Every fence says what it is; skip markers are rare and give a reason."""
    problems = fence_problems(README, BLOCKS, max_skips=3)
    assert not problems, "\n".join(problems)
    assert len(RUN) >= 10, "README.md lost its Python examples?"
    skipped = [b for b in RUN if b.skip is not None]
    print(f"{len(RUN)} README blocks run, {len(skipped)} skipped, {len(FILES)} written as files")


# The harness itself: a failure names its README line, and the conventions hold.


@pytest.fixture
def scratch(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient, tmp_path: Path
) -> Iterator[DocRun]:
    with open_run(README, dynamodb_config, dynamodb_client, tmp_path, blocks=[]) as run:
        yield run  # no README block: only what each test hands it


def block(line: int, code: str, **extra: Any) -> Block:
    return Block(line=line, section="Scratch", subsection="", lang="python", code=code, **extra)


def test_a_failing_block_names_its_readme_line(scratch: DocRun) -> None:
    with scratch.active():
        failure = scratch.run_one(block(5, "x = 1\n\nraise ValueError('boom')\n"))
    assert failure is not None
    assert failure.startswith("README.md:7 (Scratch) raised ValueError: boom"), failure


def test_blocks_share_one_module_and_may_await(scratch: DocRun) -> None:
    with scratch.active():
        assert scratch.run_one(block(1, "import asyncio\nsteps = [1]\n")) is None
        assert scratch.run_one(block(9, "await asyncio.sleep(0)\nsteps.append(2)\n")) is None
    assert scratch.module.steps == [1, 2]


def test_a_redefined_model_or_a_foreign_warning_fails_the_block(scratch: DocRun) -> None:
    first = "from dynamodb_tooling import Model\n\nclass Thing(Model):\n    name: str\n"
    with scratch.active():
        assert scratch.run_one(block(1, first)) is None
        again = scratch.run_one(block(9, "class Thing(Model):\n    label: str\n"))
        warned = scratch.run_one(block(20, "import warnings\nwarnings.warn('odd', UserWarning)\n"))
    assert again is not None
    assert "redefines the model 'Thing'" in again
    assert warned is not None
    assert "unexpected UserWarning: odd" in warned
    assert "Thing" not in registry_module.get_registry()  # the README's registry was swapped out


def test_parse_markdown_reads_sections_files_and_skip_markers() -> None:
    text = (
        "## Intro\n\n```python\nx = 1\n```\n\n### Files\n\n"
        '```yaml title="app/models/a.yaml"\nname: A\n```\n\n'
        "<!-- readme-test: skip (needs AWS) -->\n```python\nimport boto3\n```\n"
    )
    first, file, skipped = parse_markdown(text)
    assert (first.line, first.section, first.code, first.skip) == (4, "Intro", "x = 1\n", None)
    assert (file.file, file.subsection, file.lang) == ("app/models/a.yaml", "Files", "yaml")
    assert skipped.skip == "needs AWS"
    assert first.id == "intro-1"
    assert first.where == "README.md:4 (Intro)"
