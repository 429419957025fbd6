"""docs/configuration.md is generated from the configuration schema
(``python -m dynamodb_tooling.config.docs``), so it cannot drift from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from dynamodb_tooling.config import Config
from dynamodb_tooling.config import docs as config_docs
from dynamodb_tooling.config.docs import UndocumentedOptionError, groups, main, options, render

DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"


def _fields(model: type[BaseModel], path: str = "") -> list[str]:
    """Every leaf field of the schema as a dotted path (list items as ``list.field``)."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        spelled = f"{path}{info.alias if name.endswith('_') and info.alias else name}"
        nested = [
            a
            for a in (info.annotation, *getattr(info.annotation, "__args__", ()))
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if nested and "list" not in str(info.annotation):
            found += _fields(nested[0], f"{spelled}.")
            continue
        found.append(spelled)
        if nested:
            found += _fields(nested[0], f"{spelled}[].")
    return found


def test_the_configuration_reference_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is out of date: run `python -m dynamodb_tooling.config.docs`"
    )


def test_every_field_of_the_schema_is_documented_with_its_variable_and_default() -> None:
    text = render()
    fields = _fields(Config)
    assert len(fields) > 90
    assert {o.dotted for o in options()} == set(fields)
    for dotted in fields:
        assert f"| `{dotted}` |" in text, f"{dotted} is missing from the reference"
    row = next(line for line in text.splitlines() if "`single_table_design.gsi_count`" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:5] == [
        "`single_table_design.gsi_count`",
        "`gsi_count`",
        "integer",
        "`2`",
        "`DBTOOLING_SINGLE_TABLE_DESIGN__GSI_COUNT`",
    ]
    assert "| `query_builder.hooks.global` | `global` |" in text  # the alias is the TOML key
    assert "integer (≥ 1, ≤ 65535) | `8000` | `DBTOOLING_LOCAL__PORT`" in text
    assert "TOML table: `[[global_secondary_indexes]]`" in text
    assert "| `global_secondary_indexes[].name` | `name` | string | required | — |" in text
    assert "| integer (optional, ≥ 1) | unset | — |" in text


def test_every_option_has_a_description() -> None:
    undescribed = [o.dotted for o in options() if not o.info.description]
    assert not undescribed, f"describe these in config/_schema.py: {undescribed}"


def test_the_variables_it_names_are_the_ones_the_loader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dynamodb_tooling.config import load_config

    monkeypatch.chdir(tmp_path)
    environ = {
        "DBTOOLING_SINGLE_TABLE_DESIGN__GSI_COUNT": "5",
        "DBTOOLING_LOCAL__PORT": "8123",
        "DBTOOLING_QUERY_BUILDER__HOOKS__GLOBAL": '{"created": ["app.hooks:on_created"]}',
        "DBTOOLING_TAGS": '{"team": "shop"}',
        "DBTOOLING_TAGS__CostCenter": "42",
    }
    config = load_config(environ=environ)
    assert config.single_table_design.gsi_count == 5
    assert config.local.port == 8123
    assert config.query_builder.hooks.global_ == {"created": ["app.hooks:on_created"]}
    assert config.tags == {"team": "shop", "CostCenter": "42"}  # one entry per variable too
    documented = {o.variable for o in options()}
    assert set(environ) - {"DBTOOLING_TAGS__CostCenter"} <= documented


def test_an_undescribed_option_is_an_error_naming_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Bare(BaseModel):
        plain: int = 1
        described: int = Field(default=2, description="has one")

    monkeypatch.setattr(config_docs, "Config", Bare)
    bare = list(groups(Bare))
    assert [o.dotted for o in bare[0].options] == ["plain", "described"]
    with pytest.raises(UndocumentedOptionError, match=r"'plain' has no description.*_schema\.py"):
        config_docs._option_row(bare[0].options[0])


def test_check_mode_reports_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main([str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0


def test_the_variables_that_steer_loading_are_named_not_listed_as_options() -> None:
    from dynamodb_tooling.config._loader import _CONTROL_VARIABLES

    text = render()
    for name in _CONTROL_VARIABLES:
        assert f"`{name}`" in text, f"{name} is not mentioned in docs/configuration.md"
    assert not _CONTROL_VARIABLES & {o.variable for o in options()}
