"""Helpers of the engine relation tests: the table's ground truth and request counts."""

from typing import Any

from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import prevent_lazy_loading


def scan_all(app: Any) -> list[dict[str, Any]]:
    """Every item in the table (a Scan: the ground truth)."""
    pages = app.client.scan_all(app.config.default_table_name)
    return [unmarshall_item(item) for item in pages.items]


def label_edges(app: Any) -> set[tuple[str, str, str]]:
    """(type, model id, label id) of every polymorphic edge item in the table."""
    return {
        (i["labelable_type"], i["labelable_id"], i["label_id"])
        for i in scan_all(app)
        if i.get("_et") == "Labelable"
    }


def scan(model: Any) -> Any:
    return model.query().force_scan()


def reads(sent: Any) -> dict[str, int]:
    return dict(sent.by_operation())


def seed(app: Any, parents: int = 5) -> list[Any]:
    Owner, Parent = app.Owner, app.Parent
    owners = [Owner.create(name="O0", pin="1"), Owner.create(name="O1", pin="2")]
    made = []
    for n in range(parents):
        parent = Parent.create(name=f"P{n}", owner_id=owners[n % 2].id)
        for c in range(2):
            parent.children.create(title=f"P{n}-c{c}", score=c, secret="s")
        made.append(parent)
    return made


def check_loaded(parents: Any) -> None:
    with prevent_lazy_loading():
        for parent in parents:
            assert [c.title for c in parent.children] == [f"{parent.name}-c0", f"{parent.name}-c1"]
            assert parent.owner.name == f"O{int(parent.name[1:]) % 2}"
