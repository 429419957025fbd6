"""``environment`` (the selected ``[env.NAME]``) and ``production``: what ``is_production``
reports, which the destructive CLI commands consult."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.config import load_config, reset_config, validate_config


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(("DBTOOLING_", "AWS_ENDPOINT_URL")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    reset_config()
    yield tmp_path
    reset_config()


def test_the_selected_environment_is_recorded(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "dbtooling.toml").write_text(
        '[env.staging]\nregion = "eu-west-1"\n[env.prod]\nregion = "eu-west-2"\n'
        '[env.live]\nenvironment = "live-eu"\nproduction = true\n'
    )
    assert load_config().environment is None
    assert load_config().is_production is False
    staging = load_config(env="staging")
    assert (staging.environment, staging.is_production) == ("staging", False)
    assert load_config(env="prod").is_production is True  # by its name
    live = load_config(env="live")
    assert (live.environment, live.is_production) == ("live-eu", True)  # declared
    monkeypatch.setenv("DBTOOLING_ENV", "prod")
    assert load_config().environment == "prod"


def test_production_flag_and_names() -> None:
    assert validate_config(production=True).is_production is True
    assert validate_config(environment="Production").is_production is True
    assert validate_config(environment="production-replica").is_production is False
