"""AppTable with models in their own table (``table=``): every table is created with a
unique name for the session, tracked, cleaned and dropped like the app table."""

from __future__ import annotations

import pytest

from dynamodb_tooling import BelongsTo, Model, attribute
from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted, plugin
from dynamodb_tooling.testing.app_table import AppTable

REGISTRY = Registry()


class Owner(Model, registry=REGISTRY):
    name: str


class Entry(Model, registry=REGISTRY, table="Ledger"):
    code: str = attribute(unique=True)
    owner = BelongsTo(Owner)


def _open(client: DynamoDBClient, config: Config) -> AppTable:
    assert config.endpoint is not None
    options = {**plugin._endpoint_options(config.endpoint), "region": config.region}
    options["driver"] = config.driver
    return AppTable(client, REGISTRY, make_driver=plugin._driver_for, options=options)


@pytest.mark.integration
def test_every_table_is_isolated_tracked_cleaned_and_dropped(
    dynamodb_client: DynamoDBClient, dynamodb_config: Config
) -> None:
    with _open(dynamodb_client, dynamodb_config) as app:
        ledger = full_table_name("Ledger")
        assert app.tables == (app.name, ledger)
        assert full_table_name() == app.name
        assert ledger.startswith("Ledger-")
        assert ledger.removeprefix("Ledger") == app.name.removeprefix("test-app")
        listed = dynamodb_client.list_all_tables()
        assert app.name in listed
        assert ledger in listed

        with app.untracked():
            session = Owner.create(name="session")
            Entry.create(code="kept", owner_id=session.id)
        ada = Owner.create(name="ada")
        Entry.create(code="e-1", owner_id=ada.id)
        assert app.item_count(app.name) == 2
        assert app.item_count(ledger) == 4  # two entries, two unique sentinels
        assert app.item_count() == 6

        assert app.clean_test() == 3  # ada, her entry and its sentinel
        assert [e.code for e in session_entries(session)] == ["kept"]
        assert_inserted(Entry, code="kept")  # looks in the model's own table
        assert_not_inserted(Entry, code="e-1")
        assert app.item_count(ledger) == 2
        assert app.truncate() == 3
        assert app.item_count() == 0
    listed = dynamodb_client.list_all_tables()
    assert app.name not in listed
    assert ledger not in listed


def session_entries(owner: Owner) -> list[Entry]:
    return list(Entry.where("owner_id", owner.id).get())
