"""The testing toolkit as a user meets it: a small application project (models in
``app/models``, ``dynamodb_models`` in its ini file, no conftest line) whose test suite runs
with the plugin the package's pytest11 entry point installs, in a fresh process, against the
test engine. Each run's pass/fail counts are asserted, and its failures' messages.
"""

from __future__ import annotations

import importlib.util
import re
import time

import pytest

from dynamodb_tooling.drivers import DynamoDBClient

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]

MODELS = """
from dynamodb_tooling import BelongsTo, HasMany, Model, attribute


class Team(Model):
    name: str
    users = HasMany("User")


class User(Model, timestamps=True, soft_deletes=True):
    email: str = attribute(unique=True)
    name: str
    team = BelongsTo(Team)
"""

INI = """
[pytest]
dynamodb_models = app/models
filterwarnings = error
"""

# A session-scoped fixture's data stays for the whole session; a module-scoped one's for its
# module; a test's is gone after it (or after its module, with dynamodb_keep_data).
CONFTEST = """
import pytest

from app.models.blog import Team


@pytest.fixture(scope="session")
def site_team(dynamodb_app):
    return Team.create(name="Site")
"""

ISOLATION = """
import pytest

from app.models.blog import Team, User
from dynamodb_tooling.config import full_table_name
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted

pytestmark = pytest.mark.usefixtures("dynamodb_app_table")


def test_writes(site_team):
    User.create(email="ada@example.com", name="Ada", team_id=site_team.id)
    assert_inserted(User, email="ada@example.com", team_id=site_team.id)


def test_the_previous_tests_writes_are_gone():
    assert_not_inserted(User)


def test_a_unique_value_is_free_again(site_team):
    User.create(email="ada@example.com", name="Ada again", team_id=site_team.id)


def test_session_fixture_data_stays(site_team):
    assert_inserted(Team, name="Site")


@pytest.mark.dynamodb_keep_data
def test_kept_for_the_module():
    User.create(email="kept@example.com", name="Kept")


def test_kept_data_is_there_for_the_rest_of_the_module():
    assert_inserted(User, email="kept@example.com")


def test_the_orm_points_at_the_app_table(dynamodb_app_table, dynamodb_endpoint):
    assert full_table_name() == dynamodb_app_table
    assert get_client().config.endpoint == dynamodb_endpoint
"""

MODULE_FIXTURE = """
import pytest

from app.models.blog import Team, User
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted


@pytest.fixture(scope="module")
def module_team(dynamodb_app):
    return Team.create(name="Module team")


def test_kept_data_went_with_its_module(dynamodb_app_table):
    assert_not_inserted(User, email="kept@example.com")
    assert_inserted(Team, name="Site")


def test_one(module_team):
    User.create(email="one@example.com", name="One", team_id=module_team.id)


def test_two(module_team):
    assert_inserted(Team, name="Module team")
    assert_not_inserted(User)
"""

AFTER = """
from app.models.blog import Team
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted


def test_module_fixture_data_went_with_its_module(dynamodb_app, site_team):
    assert_not_inserted(Team, name="Module team")
    assert_inserted(Team, name="Site")
    assert dynamodb_app.item_count() == 1  # only the session's team is left
"""

HELPERS = """
from app.models.blog import Team, User
from dynamodb_tooling.testing import (
    assert_consumed_capacity,
    assert_queried,
    assert_request_count,
    seed,
)


def test_seed_and_request_assertions(seed, dynamodb_requests):
    team = seed(Team, name="Red")
    users = seed(User, 3, team_id=team.id)
    more = seed(User.factory().count(2).state(team_id=team.id))
    assert len(users) == 3 and len(more) == 2
    with assert_queried("Query", index="GSI1", times=1):
        found = User.where("team_id", team.id).get()
    assert len(found) == 5
    with assert_request_count(1, "GetItem"):
        User.find(users[0].id)
    with assert_consumed_capacity(max_rcu=10, max_wcu=0):
        User.find(users[0].id)
    assert_queried("Query", times=1, sent=dynamodb_requests)
    assert_request_count(2, "GetItem", sent=dynamodb_requests)


def test_the_stub_answers_without_a_server(dynamodb_stub):
    dynamodb_stub.on(
        "GetItem",
        {"Item": {"pk": {"S": "TEAM#t1"}, "sk": {"S": "TEAM#t1"}, "_et": {"S": "Team"},
                  "id": {"S": "t1"}, "name": {"S": "Stubbed"}}},
    )
    assert Team.find("t1").name == "Stubbed"
    Team.create(name="Never sent")
    assert [r.operation for r in dynamodb_stub.requests] == ["GetItem", "PutItem"]
    assert dynamodb_stub.sent("GetItem")[0].params["Key"]["pk"] == {"S": "TEAM#t1"}
"""

CLOCK = """
from datetime import UTC, datetime, timedelta

from app.models.blog import User
from dynamodb_tooling.testing import assert_inserted, freeze_time

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_the_frozen_clock_stamps_every_timestamp(dynamodb_app_table, frozen_clock):
    user = User.create(email="c@example.com", name="C")
    assert (user.created_at, user.updated_at) == (T0, T0)
    frozen_clock.tick(90)
    user.update(name="D")
    assert (user.created_at, user.updated_at) == (T0, T0 + timedelta(seconds=90))
    frozen_clock.set(datetime(2030, 5, 1, 12, tzinfo=UTC))
    user.delete()
    stored = assert_inserted(User, email="c@example.com")
    assert stored.deleted_at == datetime(2030, 5, 1, 12, tzinfo=UTC)
    assert stored.created_at == T0


def test_freeze_time_is_a_context_manager(dynamodb_app_table):
    moment = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    with freeze_time(moment):
        frozen = User.create(email="f@example.com", name="F")
    live = User.create(email="l@example.com", name="L")
    assert frozen.created_at == moment
    assert live.created_at > datetime(2025, 6, 2, tzinfo=UTC)
"""

# A web app's writes happen in its test client's threads: they are cleaned up (the tracker sits
# on the driver) and recorded (the client runs the app in a copy of the test's context).
WEB_APP = """
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.blog import Team
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted, assert_request_count

api = FastAPI()


@api.post("/teams")
def create_team(name: str):
    return {"id": Team.create(name=name).id}


@api.post("/async-teams")
async def acreate_team(name: str):
    return {"id": (await Team.acreate(name=name)).id}


def test_the_app_writes(dynamodb_app_table):
    client = TestClient(api)
    with assert_request_count(2, "PutItem"):
        assert client.post("/teams", params={"name": "Sync"}).status_code == 200
        assert client.post("/async-teams", params={"name": "Async"}).status_code == 200
    assert_inserted(Team, name="Sync")
    assert_inserted(Team, name="Async")


def test_and_its_writes_are_gone(dynamodb_app_table):
    assert_not_inserted(Team, name="Sync")
    assert_not_inserted(Team, name="Async")
"""

# Each of these fails on purpose; the outer test reads their messages.
FAILURES = """
from app.models.blog import Team, User
from dynamodb_tooling.testing import (
    assert_consumed_capacity,
    assert_inserted,
    assert_not_inserted,
    assert_queried,
    assert_request_count,
)


def test_fail_queried(dynamodb_app_table):
    with assert_queried("Query", index="GSI1"):
        User.find("nobody")


def test_fail_count(dynamodb_app_table):
    with assert_request_count(0):
        Team.create(name="Blue")


def test_fail_inserted(dynamodb_app_table):
    User.create(email="ada@example.com", name="Ada")
    assert_inserted(User, email="nobody@example.com", name="Ada")


def test_fail_not_inserted(dynamodb_app_table):
    Team.create(name="Green")
    assert_not_inserted(Team, name="Green")


def test_fail_capacity(dynamodb_app_table):
    with assert_consumed_capacity(max_wcu=0):
        Team.create(name="Gold")


def test_fail_unchecked(dynamodb_app_table):
    assert_queried("Scan")


def test_fail_unknown_attribute(dynamodb_app_table):
    assert_inserted(User, emial="ada@example.com")
"""


@pytest.fixture
def app_project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, dynamodb_endpoint: str
) -> pytest.Pytester:
    """An application project on the test engine (the subprocess reuses it)."""
    monkeypatch.setenv("DYNAMODB_ENDPOINT", dynamodb_endpoint)
    monkeypatch.delenv("DBTOOLING_TEST_ALLOW_REMOTE", raising=False)
    pytester.mkpydir("app")
    models = pytester.mkpydir("app/models")
    (models / "blog.py").write_text(MODELS)
    pytester.makeini(INI)
    pytester.makeconftest(CONFTEST)
    return pytester


def _tables_left(client: DynamoDBClient, output: str) -> list[str]:
    names = set(re.findall(r"test-app-[0-9a-f]{12}", output))
    return sorted(names & set(client.list_all_tables()))


def test_isolation_scopes_helpers_clock_and_stub(
    app_project: pytest.Pytester, dynamodb_client: DynamoDBClient
) -> None:
    app_project.makepyfile(
        test_1_isolation=ISOLATION,
        test_2_module_fixture=MODULE_FIXTURE,
        test_3_after=AFTER,
        test_4_helpers=HELPERS,
        test_5_clock=CLOCK,
    )
    web = importlib.util.find_spec("fastapi") is not None  # a dev dependency
    if web:
        app_project.makepyfile(test_6_web_app=WEB_APP)

    result = app_project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")

    result.assert_outcomes(passed=15 + 2 * web)
    assert _tables_left(dynamodb_client, result.stdout.str()) == []


def test_the_assertion_helpers_failure_messages(
    app_project: pytest.Pytester, dynamodb_client: DynamoDBClient
) -> None:
    app_project.makepyfile(test_failures=FAILURES)

    result = app_project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")

    result.assert_outcomes(failed=7)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: assert_queried('Query', index='GSI1'): no matching Query was sent",
            "*requests sent:",
            "*1. GetItem on test-app-* key {'pk': 'USER#nobody', 'sk': 'USER#nobody'} -> ok",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: assert_request_count(0): 1 request was sent, expected 0",
            "*1. PutItem on test-app-* -> ok",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: assert_inserted(User, email='nobody@example.com', name='Ada'): "
            "no matching User in table test-app-*; the table holds 1 User item (closest first):",
            "*- id='*', email='ada@example.com', name='Ada'",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*assert_not_inserted(Team, name='Green'): 1 matching Team stored in table test-app-*"]
    )
    result.stdout.fnmatch_lines(
        ["*assert_consumed_capacity(max_wcu=0): 1 write units were consumed, at most 0 expected"]
    )
    result.stdout.fnmatch_lines(
        ["*UncheckedAssertionWarning: assert_queried('Scan') checked nothing: use it as `with*"]
    )
    result.stdout.fnmatch_lines(
        [
            "*ValueError: assert_inserted(User, emial='ada@example.com'): User has no attribute "
            "'emial' (did you mean 'email'?); its attributes are *created_at*team_id*"
        ]
    )
    assert _tables_left(dynamodb_client, result.stdout.str()) == []


MANY = """
import pytest

from app.models.blog import Team, User
from dynamodb_tooling.testing import seed


@pytest.mark.parametrize("n", range(200))
def test_each_test_sees_only_its_own_data(seed, dynamodb_app, n):
    team = seed(Team, name=f"team {n}")
    seed(User, 3, team_id=team.id)
    assert len(User.query().where("team_id", team.id).get()) == 3
    assert dynamodb_app.item_count() == 7  # the team, 3 users, their 3 unique-email sentinels
"""


def test_two_hundred_tests_stay_isolated_and_fast(
    app_project: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app_project.makepyfile(test_many=MANY)

    started = time.perf_counter()
    result = app_project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    elapsed = time.perf_counter() - started

    result.assert_outcomes(passed=200)
    with capsys.disabled():
        print(f"\n200 user tests (4 items written, 2 reads each): {elapsed:.1f}s wall")


SCAN_MODE = """
import pytest

from app.models.blog import Team
from dynamodb_tooling.testing import assert_not_inserted


@pytest.mark.parametrize("n", range(3))
def test_scan_cleanup(dynamodb_app, n):
    assert_not_inserted(Team)
    Team.create(name=f"team {n}")
"""


def test_the_scan_cleanup_mode(app_project: pytest.Pytester) -> None:
    app_project.makeini(INI + "dynamodb_cleanup = scan\n")
    app_project.makepyfile(test_scan=SCAN_MODE)

    result = app_project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")

    result.assert_outcomes(passed=3)


def test_configuration_mistakes_are_named(app_project: pytest.Pytester) -> None:
    app_project.makepyfile(test_any="def test_any(dynamodb_app_table):\n    pass\n")

    app_project.makeini("[pytest]\ndynamodb_models = app/modles\n")
    result = app_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*dynamodb_models = app/modles is not a folder*"])

    app_project.makeini("[pytest]\ndynamodb_models = app/models\ndynamodb_cleanup = wipe\n")
    result = app_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*dynamodb_cleanup = wipe is not a cleanup mode; use tracked*"])


def test_no_models_is_a_clear_failure(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, dynamodb_endpoint: str
) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT", dynamodb_endpoint)
    pytester.makepyfile(test_any="def test_any(dynamodb_app_table):\n    pass\n")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*dynamodb_app_table found no models: import your models*"])


def test_the_plugin_comes_from_the_entry_point_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_any="def test_any(frozen_clock, dynamodb_stub):\n    pass\n")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--trace-config")

    result.assert_outcomes(passed=1)
    # Registered once, under the entry point's name (a second registration would be an error).
    result.stdout.fnmatch_lines(["*dynamodb_tooling*: */dynamodb_tooling/testing/plugin.py"])
    lines = result.stdout.lines
    assert (
        sum("PLUGIN registered: <module 'dynamodb_tooling.testing.plugin'" in x for x in lines) == 1
    )
