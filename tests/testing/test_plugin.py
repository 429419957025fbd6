"""The pytest plugin, run on small user test suites: the ORM writes to the fixture's own table,
never to the project's configured one, and the fixtures refuse a non-local endpoint. The user
suites have no conftest line: the plugin comes from the package's pytest11 entry point."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.config import is_loopback_endpoint, reset_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.testing.plugin import checked_endpoint, key_schema_table

# A user's suite: one model in the application's (global) registry, a test writing through the
# ORM, and a test afterwards that sees the project's configuration again.
USER_SUITE = """
import json
from pathlib import Path

from dynamodb_tooling import Model
from dynamodb_tooling.config import full_table_name, get_config
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.marshal import unmarshall_item


class Widget(Model):
    name: str


def test_create_lands_in_the_fixture_table(dynamodb_table, dynamodb_client, dynamodb_endpoint):
    widget = Widget.create(name="sprocket")

    key = {"pk": f"WIDGET#{widget.id}", "sk": f"WIDGET#{widget.id}"}
    stored = dynamodb_client.get_item(dynamodb_table, key, consistent_read=True)["Item"]
    assert unmarshall_item(stored)["name"] == "sprocket"
    assert Widget.find(widget.id).name == "sprocket"
    assert full_table_name() == dynamodb_table
    assert get_client().config.endpoint == dynamodb_endpoint
    Path("seen.json").write_text(json.dumps({"table": dynamodb_table, "id": widget.id}))


def test_the_project_configuration_is_back_afterwards():
    config = get_config()
    assert full_table_name() == "dev_DeveloperTable"
    assert config.engine == "aws"
"""


@pytest.fixture
def user_project(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    dynamodb_endpoint: str,
    dynamodb_client: DynamoDBClient,
) -> Iterator[pytest.Pytester]:
    """A project whose dbtooling.toml names its own table (which exists, on the same engine)."""
    monkeypatch.setenv("DYNAMODB_ENDPOINT", dynamodb_endpoint)
    monkeypatch.delenv("DBTOOLING_TEST_ALLOW_REMOTE", raising=False)
    dynamodb_client.create_table(key_schema_table("dev_DeveloperTable"))
    pytester.makefile(
        ".toml",
        dbtooling=(
            'engine = "aws"\nregion = "eu-west-1"\ntable_name_prefix = "dev_"\n'
            'default_table_name = "DeveloperTable"\n'
        ),
    )
    reset_config()
    try:
        yield pytester
    finally:
        reset_config()
        dynamodb_client.delete_table("dev_DeveloperTable")


@pytest.mark.integration
def test_orm_writes_go_to_the_fixture_table_not_the_configured_one(
    user_project: pytest.Pytester, dynamodb_client: DynamoDBClient
) -> None:
    user_project.makepyfile(test_widgets=USER_SUITE)

    result = user_project.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)
    seen = json.loads((user_project.path / "seen.json").read_text())
    assert dynamodb_client.scan("dev_DeveloperTable")["Items"] == []  # nothing leaked
    assert seen["table"] not in dynamodb_client.list_all_tables()  # and it was deleted


REGISTRY_SUITE = """
from dynamodb_tooling import Model
from dynamodb_tooling.config import Config, full_table_name, get_config
from dynamodb_tooling.schema.registry import Registry
import pytest

APP = Registry()
OWN = Registry(config=Config(default_table_name="Elsewhere"))


class Gadget(Model, registry=APP):
    name: str


@pytest.fixture
def dynamodb_registry():
    return APP


def test_an_overridden_registry_is_used(dynamodb_table):
    gadget = Gadget.create(name="cog")
    assert Gadget.find(gadget.id).name == "cog"
    assert full_table_name() == dynamodb_table


def test_make_table_leaves_the_orm_configuration_alone(make_table):
    table = make_table()
    assert full_table_name() == "dev_DeveloperTable"
    assert table != full_table_name()


class TestOwnConfig:
    @pytest.fixture
    def dynamodb_registry(self):
        return OWN

    def test_a_registry_with_its_own_config_is_refused(self, dynamodb_table):
        pass
"""


@pytest.mark.integration
def test_overridden_registry_make_table_and_a_registry_with_its_own_config(
    user_project: pytest.Pytester,
) -> None:
    user_project.makepyfile(test_gadgets=REGISTRY_SUITE)

    result = user_project.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*Registry with its own configuration*return Registry()*"])


REMOTE_SUITE = """
def test_uses_the_orm_table(dynamodb_table):
    raise AssertionError("must not run")


def test_uses_a_raw_table(make_table):
    raise AssertionError("must not run")
"""


def test_a_remote_endpoint_is_refused(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = "https://dynamodb.eu-west-1.amazonaws.com"
    monkeypatch.setenv("DYNAMODB_ENDPOINT", remote)
    monkeypatch.delenv("DBTOOLING_TEST_ALLOW_REMOTE", raising=False)
    pytester.makepyfile(test_remote=REMOTE_SUITE)

    result = pytester.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [f"*DYNAMODB_ENDPOINT={remote} is not a local endpoint*DBTOOLING_TEST_ALLOW_REMOTE=1*"]
    )
    result.stdout.no_fnmatch_line("*must not run*")


@pytest.mark.parametrize(
    ("endpoint", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.5.0.9:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("https://dynamodb.us-east-1.amazonaws.com", False),
        ("http://localhost.example.com:8000", False),
        ("http://127.0.0.1.example.com:8000", False),
        ("http://10.0.0.5:8000", False),
        ("http://0.0.0.0:8000", False),
        ("not a url", False),
    ],
)
def test_what_counts_as_local(endpoint: str, local: bool) -> None:
    assert is_loopback_endpoint(endpoint) is local


def test_a_remote_endpoint_is_allowed_only_by_explicit_opt_in() -> None:
    remote = f"https://{uuid.uuid4().hex}.example.com"

    assert checked_endpoint(remote, {"DBTOOLING_TEST_ALLOW_REMOTE": "1"}) == remote
    with pytest.raises(pytest.fail.Exception, match="is not a local endpoint"):
        checked_endpoint(remote, {"DBTOOLING_TEST_ALLOW_REMOTE": "yes please"})


def test_the_plugin_config_ignores_the_projects_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester
) -> None:
    pytester.makefile(".toml", dbtooling='engine = "aws"\nprofile = "production"\n')
    pytester.makepyfile(
        test_config="""
def test_config(dynamodb_config, dynamodb_endpoint):
    assert dynamodb_config.engine == "auto"
    assert dynamodb_config.endpoint == dynamodb_endpoint
    assert dynamodb_config.profile is None
"""
    )
    monkeypatch.delenv("DYNAMODB_ENDPOINT", raising=False)

    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
