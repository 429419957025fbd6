"""Run the ```python blocks of a Markdown file (README.md, docs/*.md) against the test engine.

A Markdown file is read as a tutorial, so its blocks run the way a reader would type them:

- **One namespace per file, blocks in order**, like the cells of a notebook. A name a block
  defines (``User``, ``team``, ``ada``) is there for every later block of the same file; a block
  may use only names defined above it. Files never share names: each has its own namespace.
- **Each ``##`` section starts from the test configuration**: what a block passes to
  ``set_config(...)`` holds for the rest of its section only.
- **Each file is isolated** from the other files and the other tests: while its block runs,
  ``get_registry()`` is a registry of the file's own (models it declares reach nothing else), the
  configuration points at the test engine (``dynamodb_config``) with a table name unique to the
  file and the run (``default_table_name``: the file creates that table itself, e.g. with
  ``client.create_table(get_registry().table_definition())``), the working directory is a fresh
  temporary folder, and the modules imported from that folder are the file's own. So are the
  library's process-wide settings (:data:`PROCESS_STATE`: seeders registered by name,
  ``prevent_lazy_loading()``) and the context variables its blocks set: a file never changes
  what another file or test sees. Every table whose name carries the run's token is deleted at
  the end.
- **A block whose info string names a file is a file**, not a program:
  ```` ```python title="app/models/shop.py" ```` (or ```` ```ts title="..." ````, ```` ```yaml
  title="..." ````) is written to that path in the working directory before the next block runs.
  Use it for what a reader saves rather than runs: a conftest.py, a test module, a model module.
- **Other fence languages are not run**: shell (```` ```console ````), ```` ```toml ````,
  ```` ```text ````, ... (see :data:`NOT_RUN`).
- **Skipping is explicit and rare**: ``<!-- readme-test: skip (why) -->`` (or ``docs-test``) on
  the line before a block skips it with that reason (pytest reports it); a skip without a reason
  fails.
- **Async**: top-level ``await``/``async for``/``async with`` is allowed (compiled with
  ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` and run in a fresh event loop).
- **Warnings**: the library's own warnings (``PerformanceWarning`` ...) are what the docs show
  happening, so they are collected and printed; any other warning fails the block.
- **One program**: a block that redefines a model an earlier block of the file declared fails
  (give the new model its own name), and so does one declaring a model that needs an index the
  file's table was created without.

A failure names ``<file>:<line>`` (``README.md:120``, ``docs/relations.md:42``). Running one
block first runs the blocks above it in the same file; a failed block does not stop the later
ones, whose failures list the earlier ones (which may be their cause).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import copy
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

import dynamodb_tooling.orm.relations.lazy as lazy_module
import dynamodb_tooling.schema.registry as registry_module
import dynamodb_tooling.seeders.seeder as seeder_module
from dynamodb_tooling.config import (
    Config,
    full_table_name,
    get_config,
    set_config,
    use_config,
    validate_config,
)
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.schema import Registry

ROOT = Path(__file__).resolve().parent.parent

#: Fence languages that are not Python programs (shown, never run).
NOT_RUN = {
    "console",
    "bash",
    "sh",
    "shell",
    "toml",
    "text",
    "json",
    "yaml",
    "ts",
    "ini",
    "env",
    "",
}
SKIP_MARKER = re.compile(
    r"<!--\s*(?:readme|docs)-test:\s*skip\b\s*(?:\((?P<reason>[^)]*)\))?\s*-->"
)
#: Process-wide state of the library a file may change (seeders register by name,
#: ``prevent_lazy_loading()`` holds for the process): each file has its own copy, swapped in
#: while one of its blocks runs. (The model registry is swapped the same way, as ``registry``.)
PROCESS_STATE: tuple[tuple[ModuleType, str], ...] = (
    (seeder_module, "_BY_NAME"),
    (lazy_module, "_prevented_globally"),
)
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)(?P<info>.*)$")
TITLE = re.compile(r'title="(?P<path>[^"]+)"')


@dataclass(frozen=True)
class Block:
    """One fenced block of a Markdown file."""

    line: int  # 1-based line of the first code line
    section: str  # the enclosing ``##`` heading
    subsection: str  # the enclosing ``###`` heading ("" when none)
    lang: str
    code: str
    file: str | None = None  # title="path": written there, not run
    skip: str | None = None  # the reason given by a skip marker
    index: int = 1  # its number among the Python blocks under its heading
    source: str = "README.md"  # the Markdown file, relative to the repository

    @property
    def runs(self) -> bool:
        """A Python program (not a file written for the others, not another language)."""
        return self.lang == "python" and self.file is None

    @property
    def id(self) -> str:
        """``<heading>-<n>``: stable when other sections change."""
        heading = self.subsection or self.section or "intro"
        slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
        return f"{slug[:40].rstrip('-')}-{self.index}"

    @property
    def where(self) -> str:
        heading = f"{self.section} / {self.subsection}" if self.subsection else self.section
        return f"{self.source}:{self.line} ({heading})"


def parse_markdown(text: str, source: str = "README.md") -> list[Block]:
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
            raise AssertionError(f"{source}:{i + 1}: a code fence is never closed")
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
                source=source,
            )
        )
        i = end + 1
    return blocks


@dataclass(frozen=True)
class Doc:
    """A Markdown file whose Python blocks run as one program."""

    path: Path

    @property
    def source(self) -> str:
        """The path as the failures name it: relative to the repository."""
        try:
            return self.path.relative_to(ROOT).as_posix()
        except ValueError:
            return self.path.name

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.path.stem.lower()).strip("-") or "doc"

    @property
    def module_name(self) -> str:
        """The module the blocks run in (a real module: models and dataclasses resolve
        annotations in their module, as they do in a script run as ``__main__``)."""
        return f"{self.slug.replace('-', '_')}_example"

    @property
    def blocks(self) -> list[Block]:
        return parse_markdown(self.path.read_text(encoding="utf-8"), self.source)

    @property
    def programs(self) -> list[Block]:
        return [b for b in self.blocks if b.runs]


def docs_in(folder: Path) -> list[Doc]:
    """Every ``*.md`` file of ``folder``, by name: a new guide is picked up by itself."""
    return [Doc(path) for path in sorted(folder.glob("*.md"))]


def compile_block(block: Block, filename: str) -> CodeType:
    """The block compiled so tracebacks name its file and its real line numbers."""
    source = "\n" * (block.line - 1) + block.code
    code: CodeType = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    return code


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


@dataclass
class DocRun:
    """The state shared by one file's blocks: one namespace, one registry, one folder."""

    doc: Doc
    base: Config
    client: DynamoDBClient
    workdir: Path
    token: str
    blocks: list[Block]  # the file's blocks (a test may hand it others)
    module: ModuleType = field(init=False)
    registry: Registry = field(default_factory=Registry)
    config: Config | None = None
    section: str | None = None
    done: dict[int, str | None] = field(default_factory=dict)  # line -> failure or None
    written: set[int] = field(default_factory=set)
    #: Modules imported from ``workdir``: in ``sys.modules`` only while the file is active, so
    #: two files that both write ``app/models/...`` never see each other's.
    imported: dict[str, ModuleType] = field(default_factory=dict)
    #: The file's own copies of :data:`PROCESS_STATE`, made from the state when it starts.
    state: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: The context the blocks run in: a context variable a block sets is there for the file's
    #: next blocks, never for the test that runs them.
    context: contextvars.Context = field(default_factory=contextvars.Context)

    def __post_init__(self) -> None:
        self.module = ModuleType(self.doc.module_name)
        for module, name in PROCESS_STATE:
            self.state[module.__name__, name] = copy.copy(getattr(module, name))

    @property
    def programs(self) -> list[Block]:
        return [b for b in self.blocks if b.runs]

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The file's registry, configuration, module, folder and imported modules, for the
        ``with`` block only: everything is as it was afterwards."""
        with pytest.MonkeyPatch.context() as patch, use_config(self.config or self.base):
            patch.setattr(registry_module, "_global", self.registry)
            patch.chdir(self.workdir)
            patch.syspath_prepend(str(self.workdir))
            patch.setitem(sys.modules, self.doc.module_name, self.module)
            for module, name in PROCESS_STATE:
                patch.setattr(module, name, self.state[module.__name__, name])
            sys.modules.update(self.imported)
            try:
                yield
            finally:
                self._put_away_imports()
                for module, name in PROCESS_STATE:
                    self.state[module.__name__, name] = getattr(module, name)

    def _put_away_imports(self) -> None:
        folder = str(self.workdir) + "/"
        for name, module in list(sys.modules.items()):
            if name == self.doc.module_name:
                continue
            if any(f"{place}/".startswith(folder) for place in _places(module)):
                self.imported[name] = module
                del sys.modules[name]

    def write_files_before(self, line: int) -> None:
        for block in self.blocks:
            if block.file is None or block.line >= line or block.line in self.written:
                continue
            path = self.workdir / block.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.code, encoding="utf-8")
            self.written.add(block.line)

    def run_through(self, target: Block) -> None:
        """Run every block up to ``target`` not run yet (in order), then ``target``.

        A failed block does not stop the ones after it (each reports its own error); a later
        failure names the earlier one, which may be its cause."""
        for block in self.programs:
            if block.line > target.line:
                break
            if block.line not in self.done:
                self.done[block.line] = self.run_one(block)
        failure = self.done.get(target.line)
        if failure is not None:
            earlier = [
                f"{self.doc.source}:{line}"
                for line, f in self.done.items()
                if f and line < target.line
            ]
            if earlier:
                failure += f"\n(earlier blocks failed too: {', '.join(earlier)})"
            pytest.fail(failure, pytrace=False)

    def check_models(self, before: dict[str, Any]) -> None:
        """The file reads as one program: a block may not silently replace a model an earlier
        block declared, and the table must have every index its models use."""
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
            return  # not created yet (a block of the file creates it)
        indexes = {
            kind: {i["IndexName"] for i in described.get(kind, [])}
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        }
        for kind, have in indexes.items():
            missing = {i["IndexName"] for i in wanted.get(kind, [])} - have  # type: ignore[attr-defined]
            if missing:
                raise AssertionError(
                    f"the models of {self.doc.source} now need {kind} {sorted(missing)} that "
                    f"the table {table} was created without: declare such models before the "
                    "block that creates the table"
                )

    def _execute(self, code: CodeType) -> None:
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(eval(code, self.module.__dict__))
        else:
            exec(code, self.module.__dict__)

    def run_one(self, block: Block) -> str | None:
        """Run one block in the file's namespace; the failure text, or None."""
        if block.skip is not None:
            return None
        if block.section != self.section:  # each ## section starts from the test configuration
            self.section = block.section
            set_config(self.base)
        self.write_files_before(block.line)
        before = {d.name: d for d in self.registry.models}
        filename = str(self.doc.path)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code = compile_block(block, filename)
                self.context.run(self._execute, code)
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
                f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename
            ]
            line = frames[-1].lineno if frames else block.line
            text = "".join(traceback.format_exception(error))
            raised = f"{type(error).__name__}: {error}"
            heading = block.section or "top of the file"
            return f"{self.doc.source}:{line} ({heading}) raised {raised}\n\n{text}"
        finally:
            self.config = get_config()
        return None


@contextlib.contextmanager
def open_run(
    doc: Doc,
    config: Config,
    client: DynamoDBClient,
    workdir: Path,
    *,
    blocks: list[Block] | None = None,
) -> Iterator[DocRun]:
    """A run of ``doc`` on its own table (``<slug>-<token>``); its tables and the modules it
    imported are gone afterwards."""
    token = uuid.uuid4().hex[:10]
    base = validate_config(
        config,
        default_table_name=f"{doc.slug[:40]}-{token}",
        table_name_prefix="",
        table_name_suffix="",
        deletion_protection=False,
    )
    run = DocRun(doc, base, client, workdir, token, doc.blocks if blocks is None else blocks)
    try:
        yield run
    finally:
        run.imported.clear()
        for table in client.list_all_tables():
            if token in table:
                with contextlib.suppress(ResourceNotFoundError):
                    client.delete_table(table)


def fence_problems(doc: Doc, blocks: list[Block], *, max_skips: int = 3) -> list[str]:
    """What is wrong with a file's fences: an unknown language, a skip without a reason,
    too many skips, an indented (never run) fence. Empty when all is well."""
    problems: list[str] = []
    for block in blocks:
        if block.lang != "python" and block.lang not in NOT_RUN:
            problems.append(
                f"{doc.source}:{block.line}: fence language {block.lang!r}: use ```python for "
                f"code that runs, or one of {sorted(NOT_RUN - {''})} for what does not"
            )
        if block.skip is not None and not block.skip:
            problems.append(f"{doc.source}:{block.line}: a skip marker needs a reason: (why)")
    text = doc.path.read_text(encoding="utf-8")
    indented = re.findall(r"^[ \t]+```.*$", text, re.MULTILINE)
    if indented:
        problems.append(f"{doc.source}: indented fences are not run (or checked): {indented}")
    skipped = [b.where for b in blocks if b.runs and b.skip is not None]
    if len(skipped) > max_skips:
        problems.append(f"{doc.source}: too many skipped blocks (at most {max_skips}): {skipped}")
    return problems
