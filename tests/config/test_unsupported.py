"""Options that are parsed but not built yet are refused by name, never silently ignored."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.config import load_config, reset_config, validate_config
from dynamodb_tooling.errors import ConfigError


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("DBTOOLING_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    reset_config()
    yield tmp_path
    reset_config()


@pytest.mark.parametrize(
    ("options", "path", "planned"),
    [
        (
            {"query_builder": {"caching": {"enabled": True}}},
            "query_builder.caching.enabled",
            "a query",
        ),
        ({"query_builder": {"caching": {"ttl_ms": 5}}}, "query_builder.caching.ttl_ms", "a query"),
        ({"multi_tenancy": {"enabled": True}}, "multi_tenancy.enabled", "tenant isolation"),
        ({"multiTenancy": {"tenantResolver": "app:t"}}, "multi_tenancy.tenant_resolver", "tenant"),
        (
            {"single_table_design": {"enabled": False}},
            "single_table_design.enabled",
            "layouts other",
        ),
        (
            {"query_builder": {"entity_mapping_strategy": "composite"}},
            "query_builder.entity_mapping_strategy",
            "the 'attribute'",
        ),
    ],
)
def test_unbuilt_options_are_refused_with_their_path(
    options: dict[str, object], path: str, planned: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(options)

    assert dict(caught.value.problems)[path].startswith(f"not supported yet (planned: {planned}")
    assert "remove it" in str(caught.value)
    assert f"{path}: not supported yet" in str(caught.value)


def test_their_defaults_and_the_working_soft_delete_attribute_are_accepted() -> None:
    config = validate_config(
        query_builder={
            "hooks": {"global": {}, "models": {}},
            "caching": {"enabled": False},
            "soft_deletes": {"enabled": False, "attribute": "removed_at"},
        },
        multi_tenancy={"enabled": False},
    )

    assert config.query_builder.soft_deletes.attribute == "removed_at"


def test_a_typo_inside_them_is_still_reported_precisely() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(query_builder={"caching": {"enabeld": True}})

    assert dict(caught.value.problems) == {
        "query_builder.caching.enabeld": "unknown option; did you mean 'enabled'?"
    }


def test_refused_from_a_file_and_from_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dbtooling.toml").write_text("[query_builder.caching]\nenabled = true\n")
    monkeypatch.setenv("DBTOOLING_MULTI_TENANCY__ENABLED", "true")

    with pytest.raises(ConfigError) as caught:
        load_config()

    assert {p for p, _ in caught.value.problems} == {
        "query_builder.caching.enabled",
        "multi_tenancy.enabled",
    }


def test_the_fixtures_remote_opt_in_variable_is_not_an_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBTOOLING_TEST_ALLOW_REMOTE", "1")

    assert load_config().region == "us-east-1"
