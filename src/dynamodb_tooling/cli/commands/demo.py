"""``dbtooling demo``: a guided tour on the engine (embedded unless configured otherwise).

Declares a few models, prints the single-table design derived from them, creates the table,
writes items under the derived keys (a unique email guarded by a sentinel, a collection, a
many-to-many edge), reads them back through the derived access paths, then shows batches, a
transaction and PartiQL on the low-level client, and deletes the table.
"""

from __future__ import annotations

import uuid
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from dynamodb_tooling.cli.commands._demo_models import DemoModels, define_demo_models
from dynamodb_tooling.config import Config, full_table_name, get_config, set_config
from dynamodb_tooling.drivers import DynamoDBClient, get_client
from dynamodb_tooling.errors import UniqueConstraintError
from dynamodb_tooling.expressions import Update, attr
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query.builder import table
from dynamodb_tooling.requests import transactions as tx
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer

console = Console()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def _demo_config(config: Config) -> Config:
    """The configured engine when one is set; otherwise the embedded engine (never AWS)."""
    if config.endpoint or config.engine in ("aws", "local"):
        return config
    return set_config(engine="embedded")


def demo(
    keep: bool = typer.Option(False, "--keep", help="keep the demo table afterwards"),
) -> None:
    """Run a guided tour: models → single-table design → reads and writes on the engine."""
    table = f"Demo-{uuid.uuid4().hex[:8]}"
    config = set_config(_demo_config(get_config()), default_table_name=table)
    client = get_client()
    registry = Registry(config)
    models = define_demo_models(registry)
    console.print(f"[bold]dynamodb-tooling demo[/] on {client.driver.health_check().endpoint}\n")
    _design(registry)
    name = full_table_name(config=config)
    client.create_table(registry.table_definition())
    client.wait_for_table_active(name)
    console.print(f"\n[bold]Created[/] {name} from registry.table_definition()\n")
    try:
        Tour(client, registry, models, name).run()
    finally:
        if not keep:
            client.delete_table(name)
            client.wait_for_table_deleted(name)
            console.print(f"\n[bold]Deleted[/] {name}")


def _design(registry: Registry) -> None:
    console.rule("The single-table design derived from the models")
    console.print(registry.summary())
    grid = Table("entity", "access pattern", "operation", "index", title="Access patterns")
    for pattern in registry.access_patterns():
        grid.add_row(pattern.entity, pattern.name, pattern.operation, pattern.index or "table")
    console.print(grid)


class Tour:
    """The steps of the tour, each printing what it sent and what came back."""

    def __init__(
        self, client: DynamoDBClient, registry: Registry, models: DemoModels, table: str
    ) -> None:
        self.client, self.registry, self.models, self.table = client, registry, models, table
        self.keys = registry.keys

    def run(self) -> None:
        team, user = self.write_models()
        self.unique_violation(user)
        self.read_back(team, user)
        self.client_features(user)

    def step(self, title: str) -> None:
        console.rule(title)

    def write_models(self) -> tuple[Any, Any]:
        self.step("Saving models: every key comes from the registry")
        m = self.models
        team = m.Team.create(name="Analytical Engines")
        user = m.User.create(email="ada@example.com", name="Ada", team_id=team.id)
        role = m.Role.create(name="admin")
        edge = EntityTransformer(self.registry).edge_item(
            "RoleUser", owner_id=user.id, other_id=role.id
        )
        self.client.put_item(self.table, edge)
        for title, status in (("Notes on the Engine", "published"), ("Draft", None)):
            m.Post.create(title=title, status=status, user_id=user.id)
        for total in (120, 80):
            m.Order.create(total=total, user_id=user.id)
        shown = {k: v for k, v in user.to_item().items() if k not in ("created_at", "updated_at")}
        console.print(
            "User.create(...) wrote (with its email sentinel, in one transaction):", shown
        )
        return team, user

    def unique_violation(self, user: Any) -> None:
        self.step("A second user with the same email: nothing is written")
        try:
            self.models.User.create(email=user.email, name="Impostor", team_id=user.team_id)
        except UniqueConstraintError as error:
            console.print(f"UniqueConstraintError: {error}")
        impostors = self.models.User.where("team_id", user.team_id).where("name", "Impostor")
        console.print(f"impostor stored: {impostors.exists()}")

    def show(self, title: str, query: Any) -> list[Any]:
        plan = query.explain()
        where = f" {plan.index}" if plan.index else ""
        console.print(f"[cyan]{title}[/] → {plan.operation}{where}: {plan.key_condition}")
        return list(query.get())

    def read_back(self, team: Any, user: Any) -> None:
        self.step("Reading: the planner picks the cheapest request")
        m = self.models
        found = self.show("User by email", m.User.where("email", user.email))
        console.print([u.name for u in found])
        members = self.show("Users of the team", m.User.where("team_id", team.id))
        console.print([u.name for u in members])
        posts = self.show("Posts of the user", m.Post.where("user_id", user.id).latest("id"))
        console.print([p.title for p in posts])
        published = self.show(
            "Posts by status (sparse index: the draft has none)",
            m.Post.where("status", "published"),
        )
        console.print([p.title for p in published])
        partition = table(self.table).where("pk", f"USER#{user.id}")
        collection = self.show("User with its orders and roles: ONE Query", partition)
        console.print(sorted(i["_et"] for i in collection))
        console.print('\n[cyan]User.where("name", "Ada").explain()[/]:')
        console.print(str(m.User.where("name", "Ada").explain()), markup=False)

    def client_features(self, user: Any) -> None:
        self.step("The low-level client: batches, transactions, PartiQL")
        rows = [{"pk": "COUNTER#demo", "sk": f"N#{n:03d}", "n": n} for n in range(60)]
        written = self.client.batch_write({self.table: [put(r) for r in rows]})
        console.print(f"batch_write: {written} items in chunks of 25, sent concurrently")
        self.client.transact_write(
            [
                tx.TransactUpdate(
                    self.table, {"pk": "COUNTER#demo", "sk": "N#000"}, Update().increment("n", 100)
                ),
                tx.ConditionCheck(
                    self.table, self.keys.primary_key("User", {"id": user.id}), attr("pk").exists()
                ),
            ]
        )
        statement = f'SELECT * FROM "{self.table}" WHERE pk = ? AND sk = ?'
        result = self.client.execute_statement(statement, ["COUNTER#demo", "N#000"])
        console.print(f"PartiQL {statement} → n = {unmarshall_item(result['Items'][0])['n']}")
