"""use_config: a configuration for one block, the previous state restored exactly."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import dynamodb_tooling.config as config_module
from dynamodb_tooling.config import (
    full_table_name,
    get_config,
    reset_config,
    set_config,
    use_config,
)
from dynamodb_tooling.errors import ConfigError


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("DBTOOLING_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dbtooling.toml").write_text('table_name_prefix = "dev_"\nregion = "eu-west-1"\n')
    reset_config()
    yield tmp_path
    reset_config()


def test_options_merge_over_the_project_files_and_are_undone() -> None:
    with use_config(default_table_name="Scratch", table_name_prefix="") as inside:
        assert get_config() is inside
        assert full_table_name() == "Scratch"
        assert inside.region == "eu-west-1"  # the rest is the project's

    assert config_module._current is None  # not loaded: files are read again next time
    assert full_table_name() == "dev_MainTable"


def test_an_active_configuration_comes_back_as_the_same_object() -> None:
    active = set_config(region="ap-south-1")

    with use_config(default_table_name="Scratch"):
        set_config(region="us-west-2")  # changes made inside are undone too

    assert get_config() is active


def test_invalid_options_raise_and_change_nothing() -> None:
    active = set_config(region="ap-south-1")

    with pytest.raises(ConfigError, match="default_table_name"), use_config(default_table_name="x"):
        pass

    assert get_config() is active
