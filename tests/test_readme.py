"""Every ```python block of README.md runs against the engine (issue 9: "README documents each
feature with a runnable example (a test runs every README code block)").

The README is read as a tutorial, so its blocks run the way a reader would type them:

- **One namespace for the whole README, blocks in order** — like the cells of a notebook. A name
  a block defines (``User``, ``team``, ``ada``) is there for every later block; a block may use
  only names defined above it. A later section keeps using the quick tour's models.
- **Each ``##`` section starts from the test configuration**: what a block passes to
  ``set_config(...)`` holds for the rest of its section only.
- **The README is isolated from the other tests**: while a block runs, ``get_registry()`` is a
  registry of the README's own (models it declares never reach other tests), the configuration
  points at the test engine (``dynamodb_config``) with a table name unique to this run, and the
  working directory is a fresh temporary folder. The README creates its table itself (one line
  in the quick tour); every table the run created is deleted at the end.
- **A block whose info string names a file is a file**, not a program:
  ```` ```python title="app/models/shop.py" ```` (or ```` ```ts title="..." ````, ```` ```yaml
  title="..." ````) is written to that path in the working directory before the next block runs.
- **Other fence languages are not run**: shell (```` ```console ````), ```` ```toml ````,
  ```` ```text ````.
- **Skipping is explicit and rare**: ``<!-- readme-test: skip (why) -->`` on the line before a
  block skips it with that reason (pytest reports the count); a skip without a reason fails.
- **Async**: top-level ``await``/``async for``/``async with`` is allowed (compiled with
  ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` and run in a fresh event loop).
- **Warnings**: the library's own warnings (``PerformanceWarning`` ...) are what the README
  shows happening, so they are collected and printed; any other warning fails the block.

- **One program**: a block that redefines a model an earlier block declared fails (give the new
  model its own name), and so does one declaring a model that needs an index the quick tour's
  table was created without.

Each block is its own test (``<heading>-<n>``), and a failure names ``README.md:<line>``. A
test run alone (``-k``) first runs the blocks above it. A failed block does not stop the later
ones; their failures list the earlier ones, which may be the cause.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import re
import sys
import traceback
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import pytest

import dynamodb_tooling.schema.registry as registry_module
from dynamodb_tooling.config import Config, full_table_name, use_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parent.parent / "README.md"

#: Fence languages that are not Python programs (shown, never run).
NOT_RUN = {"console", "bash", "sh", "shell", "toml", "text", "json", "yaml", "ts", "ini", "env"}
SKIP_MARKER = re.compile(r"<!--\s*readme-test:\s*skip\b\s*(?:\((?P<reason>[^)]*)\))?\s*-->")
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)(?P<info>.*)$")
TITLE = re.compile(r'title="(?P<path>[^"]+)"')
#: The module the blocks run in (a real module: models and dataclasses resolve annotations in
#: their module, as they do in a script run as ``__main__``).
MODULE = "readme_example"


@dataclass(frozen=True)
class Block:
    """One fenced block of README.md."""

    line: int  # 1-based line of the first code line
    section: str  # the enclosing ``##`` heading
    subsection: str  # the enclosing ``###`` heading ("" when none)
    lang: str
    code: str
    file: str | None = None  # title="path": written there, not run
    skip: str | None = None  # the reason given by a skip marker
    index: int = 1  # its number among the Python blocks under its heading

    @property
    def runs(self) -> bool:
        """A Python program (not a file written for the others, not another language)."""
        return self.lang == "python" and self.file is None

    @property
    def id(self) -> str:
        """``<heading>-<n>``: stable when other sections change."""
        slug = re.sub(r"[^a-z0-9]+", "-", (self.subsection or self.section).lower()).strip("-")
        return f"{slug[:40].rstrip('-')}-{self.index}"

    @property
    def where(self) -> str:
        heading = f"{self.section} / {self.subsection}" if self.subsection else self.section
        return f"README.md:{self.line} ({heading})"


def parse_readme(text: str) -> list[Block]:
    """Every fenced block of ``text``, in order, with its section and skip marker."""
    blocks: list[Block] = []
    section = subsection = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section, subsection = line[3:].strip(), ""
        elif line.startswith("### "):
            subsection = line[4:].strip()
        fence = FENCE.match(line)
        if fence is None:
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        if end == len(lines):
            raise AssertionError(f"README.md:{i + 1}: a code fence is never closed")
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = SKIP_MARKER.search(previous)
        title = TITLE.search(fence["info"])
        heading = (section, subsection)
        index = 1 + sum(1 for b in blocks if (b.section, b.subsection) == heading and b.runs)
        blocks.append(
            Block(
                line=start + 1,
                section=section,
                subsection=subsection,
                lang=fence["lang"],
                code="\n".join(lines[start:end]) + "\n",
                file=title["path"] if title else None,
                skip=(marker["reason"] or "").strip() if marker else None,
                index=index,
            )
        )
        i = end + 1
    return blocks


BLOCKS = parse_readme(README.read_text(encoding="utf-8"))
RUN = [b for b in BLOCKS if b.runs]
FILES = [b for b in BLOCKS if b.file is not None]


def compile_block(block: Block) -> CodeType:
    """The block compiled so tracebacks name README.md and its real line numbers."""
    source = "\n" * (block.line - 1) + block.code
    code: CodeType = compile(source, str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    return code


@dataclass
class ReadmeRun:
    """The state shared by the README's blocks: one namespace, one registry, one folder."""

    base: Config
    client: DynamoDBClient
    workdir: Path
    token: str
    module: ModuleType = field(default_factory=lambda: ModuleType(MODULE))
    registry: Registry = field(default_factory=Registry)
    config: Config | None = None
    section: str | None = None
    done: dict[int, str | None] = field(default_factory=dict)  # line -> failure or None
    written: set[int] = field(default_factory=set)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The README's registry, configuration, module and working directory, for the
        ``with`` block only: everything is as it was afterwards."""
        with pytest.MonkeyPatch.context() as patch, use_config(self.config or self.base):
            patch.setattr(registry_module, "_global", self.registry)
            patch.chdir(self.workdir)
            patch.syspath_prepend(str(self.workdir))
            patch.setitem(sys.modules, MODULE, self.module)
            yield

    def write_files_before(self, line: int) -> None:
        for block in FILES:
            if block.line < line and block.line not in self.written:
                assert block.file is not None
                path = self.workdir / block.file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block.code, encoding="utf-8")
                self.written.add(block.line)

    def run_through(self, target: Block) -> None:
        """Run every block up to ``target`` not run yet (in order), then ``target``.

        A failed block does not stop the ones after it (each reports its own error); a later
        failure names the earlier one, which may be its cause."""
        for block in RUN:
            if block.line > target.line:
                break
            if block.line not in self.done:
                self.done[block.line] = self.run_one(block)
        failure = self.done.get(target.line)
        if failure is not None:
            earlier = [
                f"README.md:{line}" for line, f in self.done.items() if f and line < target.line
            ]
            if earlier:
                failure += f"\n(earlier blocks failed too: {', '.join(earlier)})"
            pytest.fail(failure, pytrace=False)

    def check_models(self, before: dict[str, Any]) -> None:
        """The README reads as one program: a block may not silently replace a model an
        earlier block declared, and the table must have every index its models use."""
        for definition in self.registry.models:
            earlier = before.get(definition.name)
            if earlier is not None and earlier is not definition:
                raise AssertionError(
                    f"this block redefines the model {definition.name!r} an earlier block "
                    "declared; give the new model another name"
                )
        with use_config(self.base):
            table = full_table_name()
            wanted = self.registry.table_definition()
        try:
            described = self.client.describe_table(table)["Table"]
        except ResourceNotFoundError:
            return  # not created yet (the quick tour creates it)
        indexes = {
            kind: {i["IndexName"] for i in described.get(kind, [])}
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        }
        for kind, have in indexes.items():
            missing = {i["IndexName"] for i in wanted.get(kind, [])} - have  # type: ignore[attr-defined]
            if missing:
                raise AssertionError(
                    f"the README's models now need {kind} {sorted(missing)} that the table "
                    f"{table} was created without: declare such models before the quick "
                    "tour creates the table"
                )

    def run_one(self, block: Block) -> str | None:
        """Run one block in the shared namespace; the failure text, or None."""
        if block.skip is not None:
            return None
        from dynamodb_tooling.config import get_config, set_config

        if block.section != self.section:  # each ## section starts from the test configuration
            self.section = block.section
            set_config(self.base)
        self.write_files_before(block.line)
        before = {d.name: d for d in self.registry.models}
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code = compile_block(block)
                if code.co_flags & inspect.CO_COROUTINE:
                    asyncio.run(eval(code, self.module.__dict__))
                else:
                    exec(code, self.module.__dict__)
            for warning in caught:
                origin = getattr(warning.category, "__module__", "")
                if not origin.startswith("dynamodb_tooling"):
                    raise AssertionError(
                        f"unexpected {warning.category.__name__}: {warning.message} "
                        f"({warning.filename}:{warning.lineno})"
                    )
                print(f"{warning.category.__name__}: {warning.message}")
            self.check_models(before)
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt | SystemExit):
                raise
            frames = [
                f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(README)
            ]
            line = frames[-1].lineno if frames else block.line
            text = "".join(traceback.format_exception(error))
            raised = f"{type(error).__name__}: {error}"
            return f"README.md:{line} ({block.section}) raised {raised}\n\n{text}"
        finally:
            self.config = get_config()
        return None


@pytest.fixture(scope="module")
def readme_run(
    dynamodb_config: Config,
    dynamodb_client: DynamoDBClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ReadmeRun]:
    token = uuid.uuid4().hex[:10]
    base = validate_config(
        dynamodb_config,
        default_table_name=f"readme-{token}",
        table_name_prefix="",
        table_name_suffix="",
        deletion_protection=False,
    )
    run = ReadmeRun(base, dynamodb_client, tmp_path_factory.mktemp("readme"), token)
    modules = set(sys.modules)
    try:
        yield run
    finally:
        for name in set(sys.modules) - modules:  # model modules the README's folder imported
            module = sys.modules[name]
            if any(str(place).startswith(str(run.workdir)) for place in _places(module)):
                del sys.modules[name]
        for table in dynamodb_client.list_all_tables():
            if token in table:
                with contextlib.suppress(ResourceNotFoundError):
                    dynamodb_client.delete_table(table)


def _places(module: Any) -> list[str]:
    """Where a module was loaded from. A namespace package's ``__path__`` is recomputed when
    read, which fails once its folder (a temporary one) is gone: then its spec's origin."""
    places = [getattr(module, "__file__", None) or ""]
    try:
        places += [str(p) for p in getattr(module, "__path__", [])]
    except Exception:
        spec = getattr(module, "__spec__", None)
        places += [str(getattr(spec, "origin", "") or ""), str(getattr(spec, "name", ""))]
    return places


@pytest.mark.parametrize("block", RUN, ids=[b.id for b in RUN])
def test_readme_block(block: Block, readme_run: ReadmeRun) -> None:
    if block.skip is not None:
        pytest.skip(f"{block.where}: {block.skip}")
    with readme_run.active():
        readme_run.run_through(block)


def test_readme_fences_are_runnable_or_marked() -> None:
    """Every fence says what it is; skip markers are rare and give a reason."""
    for block in BLOCKS:
        assert block.lang == "python" or block.lang in NOT_RUN, (
            f"README.md:{block.line}: fence language {block.lang!r}: use ```python for code "
            f"that runs, or one of {sorted(NOT_RUN)} for what does not"
        )
        if block.skip is not None:
            assert block.skip, f"README.md:{block.line}: a skip marker needs a reason: (why)"
    indented = re.findall(r"^[ \t]+```.*$", README.read_text(encoding="utf-8"), re.MULTILINE)
    assert not indented, f"indented fences are not run (or checked): {indented}"
    skipped = [b for b in RUN if b.skip is not None]
    assert len(skipped) <= 3, f"too many skipped README blocks: {[b.where for b in skipped]}"
    assert len(RUN) >= 10, "README.md lost its Python examples?"
    print(f"{len(RUN)} README blocks run, {len(skipped)} skipped, {len(FILES)} written as files")


# The harness itself: a failure names its README line, and the conventions hold.


@pytest.fixture
def scratch(dynamodb_config: Config, dynamodb_client: DynamoDBClient, tmp_path: Path) -> ReadmeRun:
    base = validate_config(
        dynamodb_config, default_table_name=f"readme-meta-{uuid.uuid4().hex[:8]}"
    )
    return ReadmeRun(base, dynamodb_client, tmp_path, "meta")


def block(line: int, code: str, **extra: Any) -> Block:
    return Block(line=line, section="Scratch", subsection="", lang="python", code=code, **extra)


def test_a_failing_block_names_its_readme_line(
    scratch: ReadmeRun,
) -> None:
    with scratch.active():
        failure = scratch.run_one(block(5, "x = 1\n\nraise ValueError('boom')\n"))
    assert failure is not None
    assert failure.startswith("README.md:7 (Scratch) raised ValueError: boom"), failure


def test_blocks_share_one_module_and_may_await(
    scratch: ReadmeRun,
) -> None:
    with scratch.active():
        assert scratch.run_one(block(1, "import asyncio\nsteps = [1]\n")) is None
        assert scratch.run_one(block(9, "await asyncio.sleep(0)\nsteps.append(2)\n")) is None
    assert scratch.module.steps == [1, 2]


def test_a_redefined_model_or_a_foreign_warning_fails_the_block(
    scratch: ReadmeRun,
) -> None:
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


def test_parse_readme_reads_sections_files_and_skip_markers() -> None:
    text = (
        "## Intro\n\n```python\nx = 1\n```\n\n### Files\n\n"
        '```yaml title="app/models/a.yaml"\nname: A\n```\n\n'
        "<!-- readme-test: skip (needs AWS) -->\n```python\nimport boto3\n```\n"
    )
    first, file, skipped = parse_readme(text)
    assert (first.line, first.section, first.code, first.skip) == (4, "Intro", "x = 1\n", None)
    assert (file.file, file.subsection, file.lang) == ("app/models/a.yaml", "Files", "yaml")
    assert skipped.skip == "needs AWS"
    assert first.id == "intro-1"
