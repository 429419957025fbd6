"""The mypy plugin (``dynamodb_tooling.mypy``) run as a user runs it: ``mypy.api`` on a small
project with the plugin enabled in its own config. One mypy run (~10 s, cold cache) shared by
the tests below; ``tests/typing`` covers the rest on every ``mypy --strict src tests/typing``."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

SNIPPET = textwrap.dedent(
    """
    from typing import reveal_type

    from dynamodb_tooling import BelongsTo, Model


    class Team(Model):
        name: str


    class User(Model, timestamps=True, soft_deletes=True):
        name: str
        age: int | None = None
        team = BelongsTo(Team)


    ok = User.where(User.age > 30)
    reveal_type(User.age)
    user = User(name="Ada", team_id="t1", id="01J")
    reveal_type(user.age)
    reveal_type(user.id)
    reveal_type(user.team_id)
    reveal_type(user.inserted_at)
    reveal_type(user.removed_at)
    reveal_type(User.team_id)
    user.nmae
    User.agee
    User(name="Ada", nmae="x")
    User(name=1)
    user.created_at
    """
)


@pytest.fixture(scope="module")
def mypy_run(tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[str]]:
    """mypy's messages on ``SNIPPET`` by line, run from a project whose configuration renames
    the timestamps and the soft-delete attribute (the plugin reads it as the library does)."""
    project = tmp_path_factory.mktemp("mypy_project")
    (project / "snippet.py").write_text(SNIPPET, encoding="utf-8")
    (project / "mypy.ini").write_text(
        "[mypy]\nstrict = True\nplugins = dynamodb_tooling.mypy\n", encoding="utf-8"
    )
    (project / "dbtooling.toml").write_text(
        textwrap.dedent(
            """
            [query_builder]
            created_at_attribute = "inserted_at"
            updated_at_attribute = "changed_at"

            [query_builder.soft_deletes]
            attribute = "removed_at"
            """
        ),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        stdout, stderr, _status = mypy_api.run(
            [
                "--config-file",
                str(project / "mypy.ini"),
                "--cache-dir",
                str(project / ".mypy_cache"),
                "--no-error-summary",
                "--hide-error-context",
                str(project / "snippet.py"),
            ]
        )
    assert stderr == ""
    messages: dict[int, list[str]] = {}
    for line in stdout.splitlines():
        found = re.match(r".*snippet\.py:(\d+): (.*)$", line)
        assert found, line
        messages.setdefault(int(found[1]), []).append(found[2])
    return messages


def line_of(code: str) -> int:
    for number, line in enumerate(SNIPPET.splitlines(), start=1):
        if line == code:
            return number
    raise AssertionError(code)


def test_an_optional_plain_annotation_compares_at_class_level(
    mypy_run: dict[int, list[str]],
) -> None:
    assert line_of("ok = User.where(User.age > 30)") not in mypy_run
    assert mypy_run[line_of("reveal_type(User.age)")] == [
        'note: Revealed type is "dynamodb_tooling.query.refs.AttributeRef[int | None]"'
    ]
    assert mypy_run[line_of("reveal_type(user.age)")] == ['note: Revealed type is "int | None"']


def test_managed_attributes_are_typed_with_the_configured_names(
    mypy_run: dict[int, list[str]],
) -> None:
    assert line_of('user = User(name="Ada", team_id="t1", id="01J")') not in mypy_run
    revealed = {
        "reveal_type(user.id)": "str",
        "reveal_type(user.team_id)": "str | None",
        "reveal_type(user.inserted_at)": "datetime.datetime | None",
        "reveal_type(user.removed_at)": "datetime.datetime | None",
        "reveal_type(User.team_id)": "dynamodb_tooling.query.refs.AttributeRef[str | None]",
    }
    for code, typ in revealed.items():
        assert mypy_run[line_of(code)] == [f'note: Revealed type is "{typ}"'], code


def test_misspellings_are_errors(mypy_run: dict[int, list[str]]) -> None:
    assert mypy_run[line_of("user.nmae")] == [
        'error: "User" has no attribute "nmae"  [attr-defined]'
    ]
    assert mypy_run[line_of("User.agee")] == [
        'error: "type[User]" has no attribute "agee"  [attr-defined]'
    ]
    assert mypy_run[line_of('User(name="Ada", nmae="x")')] == [
        'error: Unexpected keyword argument "nmae" for "User"  [call-arg]'
    ]
    assert mypy_run[line_of("User(name=1)")] == [
        'error: Argument "name" to "User" has incompatible type "int"; expected "str"  [arg-type]'
    ]
    # The default name is not an attribute when the configuration renames it.
    assert mypy_run[line_of("user.created_at")] == [
        'error: "User" has no attribute "created_at"  [attr-defined]'
    ]


def test_nothing_else_is_reported(mypy_run: dict[int, list[str]]) -> None:
    checked = {
        line_of(code)
        for code in (
            "reveal_type(User.age)",
            "reveal_type(user.age)",
            "reveal_type(user.id)",
            "reveal_type(user.team_id)",
            "reveal_type(user.inserted_at)",
            "reveal_type(user.removed_at)",
            "reveal_type(User.team_id)",
            "user.nmae",
            "User.agee",
            'User(name="Ada", nmae="x")',
            "User(name=1)",
            "user.created_at",
        )
    }
    assert set(mypy_run) == checked, mypy_run


def test_the_plugin_entry_point() -> None:
    from dynamodb_tooling.mypy import DynamoDBToolingPlugin, plugin

    assert plugin("2.0") is DynamoDBToolingPlugin


def test_runtime_matches_what_the_plugin_declares(tmp_path: Path) -> None:
    """What the plugin types exists at run time: class access to a foreign key or a timestamp
    is an ``AttributeRef`` (``User.team_id == t``), instance access the value."""
    from dynamodb_tooling import BelongsTo, Model
    from dynamodb_tooling.query.predicates import Predicate
    from dynamodb_tooling.query.refs import AttributeRef
    from dynamodb_tooling.schema import Registry

    registry = Registry()

    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry, timestamps=True, soft_deletes=True, versioning=True):
        name: str
        age: int | None = None
        team = BelongsTo(Team)

    assert (User.age > 30) == Predicate("age", ">", 30)
    assert (User.team_id == "t1") == Predicate("team_id", "=", "t1")
    for name in ("id", "team_id", "created_at", "updated_at", "deleted_at", "_v"):
        ref = getattr(User, name)
        assert isinstance(ref, AttributeRef)
        assert ref.name == name
    user = User(name="Ada", team_id="t1")
    assert (user.team_id, user.created_at, user.age) == ("t1", None, None)
    with pytest.raises(AttributeError, match="did you mean 'name'"):
        _ = User.nmae  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="__nothing__"):
        _ = User.__nothing__  # type: ignore[attr-defined]
    assert not hasattr(Model, "team_id")
