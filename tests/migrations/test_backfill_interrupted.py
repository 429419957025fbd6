"""A backfill killed mid-run (SIGKILL, in a subprocess) resumes from its checkpoints and
finishes with every item correct and none duplicated."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import dynamodb_tooling
from dynamodb_tooling.config import set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS
from dynamodb_tooling.errors import PerformanceWarning
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations.backfill import BackfillPlanner, BackfillProgress, backfill
from dynamodb_tooling.schema import Registry
from tests.migrations.test_backfill_engine import (
    NewUser,
    registries,  # noqa: F401  (fixture)
    write_old_users,
)

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]

RUN_ID = "killed"
SEGMENTS = 2
PAGE_SIZE = 10


def child() -> None:
    """The subprocess: a slow backfill of the test table (it is killed before it ends)."""
    key_id, secret = EMBEDDED_CREDENTIALS
    config = validate_config(
        endpoint=os.environ["BACKFILL_ENDPOINT"],
        engine="auto",
        credentials={"access_key_id": key_id, "secret_access_key": secret},
        profile=None,
        region=os.environ["BACKFILL_REGION"],
        driver=os.environ.get("DBTOOLING_DRIVER") or "botocore",
        default_table_name=os.environ["BACKFILL_TABLE"],
        table_name_prefix="",
        table_name_suffix="",
    )
    set_config(config)

    def slowly(progress: BackfillProgress) -> None:
        time.sleep(0.15)  # time for the test to kill it between checkpoints

    with DynamoDBClient(config=config) as client:
        backfill(
            client,
            NewUser.__registry__,
            segments=SEGMENTS,
            page_size=PAGE_SIZE,
            run_id=RUN_ID,
            progress=slowly,
        )
    print("finished")  # never reached: the test kills the process first


def checkpoints(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    condition = (key("pk") == "_MIGRATION") & key("sk").begins_with(f"BACKFILL#{RUN_ID}#")
    pages = client.query_all(table, condition, consistent_read=True)
    return [unmarshall_item(i) for i in pages.items]


def entity_items(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    items = (unmarshall_item(i) for i in client.scan_all(table, consistent_read=True).items)
    return [i for i in items if i["pk"] != "_MIGRATION"]


def test_a_backfill_killed_mid_run_resumes_and_finishes(
    dynamodb_endpoint: str,
    dynamodb_config: Any,
    dynamodb_client: DynamoDBClient,
    dynamodb_table: str,
    registries: tuple[Registry, Registry],  # noqa: F811
) -> None:
    before, after = registries
    write_old_users(dynamodb_client, dynamodb_table, before, 200)
    written = sorted(i["id"] for i in entity_items(dynamodb_client, dynamodb_table))
    source = Path(dynamodb_tooling.__file__).resolve().parents[1]
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(source), str(root)]),
        "BACKFILL_ENDPOINT": dynamodb_endpoint,
        "BACKFILL_REGION": dynamodb_config.region,
        "BACKFILL_TABLE": dynamodb_table,
    }
    code = "from tests.migrations.test_backfill_interrupted import child; child()"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=root, env=env, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            stored = checkpoints(dynamodb_client, dynamodb_table)
            if sum(c["pages"] for c in stored) >= 4:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the backfill ended before it could be interrupted"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL
    stopped = checkpoints(dynamodb_client, dynamodb_table)
    assert stopped
    assert not all(c["done"] for c in stopped)
    planner = BackfillPlanner(after)
    half = entity_items(dynamodb_client, dynamodb_table)
    fixed_before = sum(planner.is_correct(i) for i in half)
    assert 67 < fixed_before < 200  # 67 needed nothing; some, not all, were fixed

    report = backfill(dynamodb_client, after, segments=SEGMENTS, page_size=PAGE_SIZE, run_id=RUN_ID)

    assert report.resumed is True
    assert report.missing_after == 0
    assert report.failed == 0
    items = entity_items(dynamodb_client, dynamodb_table)
    assert sorted(i["id"] for i in items) == written  # none lost, none duplicated
    assert all(planner.is_correct(i) for i in items)
    assert all(c["done"] for c in checkpoints(dynamodb_client, dynamodb_table))
    # The checkpoints are internal: a model scan never returns them.
    with pytest.warns(PerformanceWarning, match="Scan"):
        assert len(NewUser.query().get()) == 200
    # Only what the killed run had not checkpointed was read again (at most a page a segment
    # was redone).
    done_earlier = sum(c["examined"] for c in stopped)
    assert report.examined <= 200 - done_earlier + SEGMENTS * PAGE_SIZE
