"""What type checkers see on model events and ORM transactions (checked by mypy, not run)."""

from typing import assert_type

from dynamodb_tooling.orm import Model, hook, transaction
from dynamodb_tooling.orm.transaction import ModelTransaction
from dynamodb_tooling.query.writes import WritePlan


def check() -> None:
    class Team(Model):
        name: str

        @hook("creating")
        def named(self) -> None: ...

    @Team.on("created")
    def announce(team: Team) -> None: ...

    assert_type(announce(Team(name="z")), None)
    Team.add_hook("saved", lambda team: None)
    Team.add_hook("sved", lambda team: None)  # type: ignore[arg-type]
    assert_type(Team(name="x").save_quietly(), Team)
    with transaction() as tx:
        assert_type(tx, ModelTransaction)
        assert_type(tx.insert(Team, {"name": "Blue"}), Team)
        assert_type(tx.insert("Team", {"name": "Blue"}), WritePlan)
        assert_type(tx.save(Team(name="y")), Team)
