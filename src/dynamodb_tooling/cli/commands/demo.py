"""``dbtooling demo``: a guided tour on the engine (embedded unless configured otherwise).

Declares a few models, prints the single-table design derived from them, creates the table,
writes items under the derived keys (a unique email guarded by a sentinel, a collection, a
many-to-many edge), reads them back through the derived access paths, then shows batches, a
transaction and PartiQL on the low-level client, and deletes the table.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from dynamodb_tooling.cli.commands._demo_models import DemoModels, define_demo_models
from dynamodb_tooling.config import Config, full_table_name, get_config, set_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import TransactionCanceledError
from dynamodb_tooling.expressions import Update, attr, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests import items
from dynamodb_tooling.requests import transactions as tx
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.schema import KeyQuery, Registry

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
    config = _demo_config(get_config())
    client = DynamoDBClient(config=config)
    registry = Registry(config)
    models = define_demo_models(registry)
    console.print(f"[bold]dynamodb-tooling demo[/] on {client.driver.health_check().endpoint}\n")
    _design(registry)
    table = full_table_name(f"Demo-{uuid.uuid4().hex[:8]}", config)
    client.create_table(registry.table_definition(table))
    client.wait_for_table_active(table)
    console.print(f"\n[bold]Created[/] {table} from registry.table_definition()\n")
    try:
        Tour(client, registry, models, table).run()
    finally:
        if not keep:
            client.delete_table(table)
            client.wait_for_table_deleted(table)
            console.print(f"\n[bold]Deleted[/] {table}")
        client.close()


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
        self.step("Writing models: every key comes from the registry")
        team = self.models.Team(name="Analytical Engines")
        user = self.models.User(email="ada@example.com", name="Ada", team_id=team.id)
        role = self.models.Role(name="admin")
        self.client.put_item(self.table, team.to_item())
        self.create_unique(user)
        self.client.put_item(self.table, role.to_item())
        pivot = self.registry.schema.pivot("RoleUser")
        edge = {
            **self.keys.edge_keys(pivot, user.id, role.id),
            "user_id": user.id,
            "role_id": role.id,
        }
        self.client.put_item(self.table, edge)
        for title, status in (("Notes on the Engine", "published"), ("Draft", None)):
            post = self.models.Post(title=title, status=status, user_id=user.id)
            self.client.put_item(self.table, post.to_item())
        for total in (120, 80):
            order = self.models.Order(total=total, user_id=user.id)
            self.client.put_item(self.table, order.to_item())
        shown = {k: v for k, v in user.to_item().items() if k not in ("created_at", "updated_at")}
        console.print("User item:", shown)
        return team, user

    def create_unique(self, user: Any) -> None:
        """The user and its email sentinel in one transaction: both or neither."""
        entity = user.to_item()
        owner = {"pk": entity["pk"], "sk": entity["sk"]}
        sentinel = self.keys.sentinel_item("User", "email", user.email, owner)
        self.client.transact_write(
            [
                tx.TransactPut(self.table, entity, condition=attr("pk").not_exists()),
                tx.TransactPut(self.table, sentinel, condition=attr("pk").not_exists()),
            ]
        )

    def unique_violation(self, user: Any) -> None:
        self.step("A second user with the same email: the transaction writes nothing")
        twin = self.models.User(email=user.email, name="Impostor", team_id=user.team_id)
        try:
            self.create_unique(twin)
        except TransactionCanceledError as error:
            console.print(f"TransactionCanceledError: {error}")
        found = self.client.get_item(self.table, self.keys.primary_key("User", {"id": twin.id}))
        console.print(f"impostor stored: {'Item' in found}")

    def query(self, where: KeyQuery, title: str) -> list[dict[str, Any]]:
        condition = key(where.partition_attribute).eq(where.partition_value)
        if where.sort_prefix:
            condition = condition & key(where.sort_attribute).begins_with(where.sort_prefix)
        request = items.query(self.table, condition, index=where.index)
        params = request.params
        console.print(
            f"[cyan]{title}[/] → Query {where.index or 'table'}: "
            f"{where.partition_attribute} = {where.partition_value!r}"
            + (
                f", begins_with({where.sort_attribute}, {where.sort_prefix!r})"
                if where.sort_prefix
                else ""
            )
            + f"  ({len(params['ExpressionAttributeValues'])} values, all placeholders)"
        )
        return [
            unmarshall_item(i)
            for i in self.client.query_all(self.table, condition, index=where.index).items
        ]

    def read_back(self, team: Any, user: Any) -> None:
        self.step("Reading through the derived access paths")
        sentinel = self.client.get_item(
            self.table, self.keys.sentinel_key("User", "email", user.email)
        )
        owner = unmarshall_item(sentinel["Item"])["owner"]
        found = self.models.User.from_item(
            unmarshall_item(self.client.get_item(self.table, owner)["Item"])
        )
        console.print(f"[cyan]User by email[/] → GetItem sentinel, GetItem user: {found!r}")
        schema = self.registry.schema
        members = self.query(
            self.keys.children_query(schema.entity("User").parents[0], team.id), "Users of the team"
        )
        console.print([m["name"] for m in members])
        posts_link = next(c for c in schema.entity("User").children if c.child == "Post")
        posts = self.query(self.keys.children_query(posts_link, user.id), "Posts of the user")
        console.print([p["title"] for p in posts])
        published = self.query(
            self.keys.attribute_query("Post", "status", "published"),
            "Posts by status (sparse index: the draft has none)",
        )
        console.print([p["title"] for p in published])
        partition = replace(self.keys.id_query("User", user.id), sort_prefix="")
        collection = self.query(partition, "User with its orders and roles: ONE Query")
        console.print(sorted(i["_et"] for i in collection))

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
