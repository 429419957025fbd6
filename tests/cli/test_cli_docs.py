"""docs/cli.md is generated from the Typer app (``python -m dynamodb_tooling.cli.docs``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynamodb_tooling.cli import app
from dynamodb_tooling.cli.docs import main, render

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


def test_the_cli_reference_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run `python -m dynamodb_tooling.cli.docs`"
    )


def test_every_command_is_documented_with_its_options() -> None:
    text = render()
    for command in app.registered_commands:
        assert f"### `dbtooling {command.name}`" in text
    assert "| `--force` | do not ask; also required in a production environment |" in text
    assert "* `3` — the local engine is not running (`dbtooling status`; `reset` without" in text


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main([str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0


def test_help_prints_usage_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m dynamodb_tooling.cli.docs" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []  # it once wrote a file named "--help"


def test_an_unknown_option_is_an_error_not_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["--chek"])
    assert exit_info.value.code == 2
    assert list(tmp_path.iterdir()) == []
