"""Configuration: defaults, layering (file, environments, .env, variables), validation, helpers."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.config import (
    Config,
    default_gsis,
    full_table_name,
    get_config,
    get_endpoint,
    is_local_mode,
    load_config,
    reset_config,
    set_config,
    validate_config,
)
from dynamodb_tooling.errors import ConfigError


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test runs in an empty folder with no DBTOOLING_* variables and fresh config."""
    for name in list(os.environ):
        if name.startswith(("DBTOOLING_", "AWS_ENDPOINT_URL")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    reset_config()
    yield tmp_path
    reset_config()


def test_defaults_follow_the_seed() -> None:
    config = get_config()
    std = config.single_table_design
    assert (config.region, config.default_table_name, config.allow_scan) == (
        "us-east-1",
        "MainTable",
        True,
    )
    assert (std.partition_key_name, std.sort_key_name, std.gsi_count) == ("pk", "sk", 2)
    assert (std.gsi_pk(1), std.gsi_sk(2), std.gsi_name(1)) == ("gsi1pk", "gsi2sk", "GSI1")
    assert (std.entity_type_attribute, std.data_attribute, std.key_delimiter) == ("_et", "_d", "#")
    assert config.query_builder.version_attribute == "_v"
    assert config.query_builder.timestamp_format == "iso"
    assert config.capacity.billing_mode == "PAY_PER_REQUEST"
    assert (config.ttl.attribute_name, config.streams.view_type) == ("ttl", "NEW_AND_OLD_IMAGES")
    assert (config.local.host, config.local.port) == ("127.0.0.1", 8000)


def test_one_error_lists_every_problem_with_its_path() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(
            single_table_design={"gsi_count": 25, "key_delimiter": "a"},
            capacity={"billing_mode": "ON_DEMAND"},
            regoin="eu-west-1",
        )
    problems = dict(caught.value.problems)
    assert problems["single_table_design.gsi_count"] == (
        "25 is above the DynamoDB limit of 20 GSIs per table"
    )
    assert "punctuation" in problems["single_table_design.key_delimiter"]
    assert "'PAY_PER_REQUEST' or 'PROVISIONED'" in problems["capacity.billing_mode"]
    assert problems["regoin"] == "unknown option; did you mean 'region'?"
    assert "(4 problems)" in str(caught.value)


def test_an_unknown_option_names_every_option_about_as_close() -> None:
    # ``table_name`` is what a new user types first: the table's own name is among the
    # suggestions, not only the first close match.
    with pytest.raises(ConfigError) as caught:
        validate_config(table_name="blog")
    assert dict(caught.value.problems)["table_name"] == (
        "unknown option; did you mean 'table_name_suffix', 'table_name_prefix' or "
        "'default_table_name'?"
    )


def test_provisioned_capacity_needs_provisioned_billing() -> None:
    with pytest.raises(ConfigError, match=r"capacity\.read: provisioned capacity is only allowed"):
        validate_config(capacity={"read": 5})
    with pytest.raises(ConfigError, match=r"capacity\.write: required when"):
        validate_config(capacity={"billing_mode": "PROVISIONED", "read": 5})
    config = validate_config(capacity={"billing_mode": "PROVISIONED", "read": 5, "write": 2})
    assert default_gsis(config)[0]["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 2,
    }


@pytest.mark.parametrize(
    ("options", "path", "words"),
    [
        (
            {"single_table_design": {"gsi_count": 0}},
            "single_table_design.gsi_count",
            "at least one",
        ),
        ({"local": {"host": "0.0.0.0"}}, "local.host", "loopback"),
        (
            {"single_table_design": {"key_delimiter": "_"}},
            "single_table_design.key_delimiter",
            "not letters",
        ),
        ({"local": {"port": 70000}}, "local.port", "less than or equal to 65535"),
        ({"default_table_name": "a b"}, "default_table_name", "letters, digits"),
        ({"tags": {"aws:x": "1"}}, "tags.aws:x", "reserved"),
        (
            {"local_secondary_indexes": [{"name": f"L{i}", "sort_key": "s"} for i in range(6)]},
            "local_secondary_indexes",
            "limit of 5",
        ),
        ({"local": {"engine": "dynamodb-local"}}, "local.jar_path", "DynamoDBLocal.jar"),
        (
            {"query_builder": {"hooks": {"global": {"created": ["nocolon"]}}}},
            "query_builder.hooks.global_",
            "import path",
        ),
        (
            {
                "capacity": {
                    "billing_mode": "PROVISIONED",
                    "read": 1,
                    "write": 1,
                    "auto_scaling": {"read": {"min": 5, "max": 2}},
                }
            },
            "capacity.auto_scaling.read",
            "min (5) is above max (2)",
        ),
    ],
)
def test_invalid_values_name_path_and_fix(
    options: dict[str, object], path: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(options)
    messages = [m for p, m in caught.value.problems if p.startswith(path)]
    assert messages, caught.value.problems
    assert words in messages[0]


def test_camel_case_spellings_are_accepted() -> None:
    config = validate_config(
        {"singleTableDesign": {"gsiCount": 3, "keyDelimiter": "|"}, "tableNamePrefix": "dev_"}
    )
    assert config.single_table_design.gsi_count == 3
    assert config.single_table_design.key_delimiter == "|"
    assert full_table_name(config=config) == "dev_MainTable"


def test_file_environment_dotenv_and_variables_layer_in_order(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "dbtooling.toml").write_text(
        'region = "eu-west-1"\ntable_name_prefix = "app_"\n'
        "[single_table_design]\ngsi_count = 3\n"
        '[env.production]\ntable_name_suffix = "_prod"\ndeletion_protection = true\n'
        '[env.production.capacity]\nbilling_mode = "PROVISIONED"\nread = 10\nwrite = 5\n'
    )
    (isolated / ".env").write_text("DBTOOLING_REGION=eu-central-1\nDBTOOLING_TTL__ENABLED=true\n")
    monkeypatch.setenv("DBTOOLING_SINGLE_TABLE_DESIGN__GSI_COUNT", "4")
    monkeypatch.setenv("DBTOOLING_TAGS", '{"team": "data"}')

    base = load_config()
    assert base.region == "eu-central-1"  # .env over the file
    assert base.ttl.enabled is True
    assert base.single_table_design.gsi_count == 4  # variable over the file
    assert base.tags == {"team": "data"}
    assert full_table_name(config=base) == "app_MainTable"

    production = load_config(env="production")
    assert full_table_name(config=production) == "app_MainTable_prod"
    assert production.deletion_protection is True
    assert production.capacity.read == 10

    monkeypatch.setenv("DBTOOLING_ENV", "production")
    assert load_config().table_name_suffix == "_prod"
    with pytest.raises(ConfigError, match=r"unknown environment 'staging' \(known: production\)"):
        load_config(env="staging")


def test_pyproject_tool_table_is_found_from_a_subfolder(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "pyproject.toml").write_text('[tool.dbtooling]\ndefault_table_name = "Shop"\n')
    (isolated / "sub").mkdir()
    monkeypatch.chdir(isolated / "sub")
    assert load_config().default_table_name == "Shop"


def test_bad_files_and_paths_are_reported(isolated: Path) -> None:
    (isolated / "dbtooling.toml").write_text("region = \n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config()
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(isolated / "missing.toml")


def test_set_config_merges_and_reset_reloads() -> None:
    set_config(region="ap-south-1")
    merged = set_config(single_table_design={"gsi_count": 5})
    assert (merged.region, merged.single_table_design.gsi_count) == ("ap-south-1", 5)
    assert merged.single_table_design.partition_key_name == "pk"
    assert get_config() is merged
    with pytest.raises(ConfigError):
        set_config(single_table_design={"gsi_count": 99})
    assert get_config() is merged  # a failed change leaves the active config alone
    reset_config()
    assert get_config().region == "us-east-1"


def test_config_objects_are_frozen() -> None:
    config = Config()
    with pytest.raises(ValueError, match="frozen"):
        config.region = "x"  # type: ignore[misc]


def test_endpoint_and_local_mode_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_endpoint(validate_config(engine="aws")) is None
    assert (
        get_endpoint(validate_config(engine="local", local={"port": 8123}))
        == "http://127.0.0.1:8123"
    )
    assert is_local_mode(validate_config(endpoint="http://localhost:8000"))
    assert not is_local_mode(validate_config(endpoint="https://dynamodb.eu-west-1.amazonaws.com"))
    assert is_local_mode(validate_config(engine="embedded"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4566")
    assert get_endpoint(validate_config()) == "http://127.0.0.1:4566"


def test_default_gsis_follow_the_naming_patterns() -> None:
    config = validate_config(single_table_design={"gsi_count": 2, "gsi_pk_pattern": "g{n}p"})
    assert [g["IndexName"] for g in default_gsis(config)] == ["GSI1", "GSI2"]
    assert default_gsis(config)[1]["KeySchema"][0] == {"AttributeName": "g2p", "KeyType": "HASH"}


def test_variables_keep_map_keys_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBTOOLING_TAGS__CostCenter", "42")
    monkeypatch.setenv("DBTOOLING_DRIVERS__MyDriver", "pkg.mod:factory")
    config = load_config()
    assert config.tags == {"CostCenter": "42"}
    assert config.drivers == {"MyDriver": "pkg.mod:factory"}


def test_conflicting_variables_are_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBTOOLING_LOCAL", "x")
    monkeypatch.setenv("DBTOOLING_LOCAL__PORT", "1")
    with pytest.raises(
        ConfigError, match=r"local: DBTOOLING_LOCAL__PORT sets a field inside local"
    ):
        load_config()
