"""The stub table and round recorder the relation-flow tests send to, and helpers."""

import re
from typing import Any, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.marshal import marshall_item, unmarshall, unmarshall_item
from dynamodb_tooling.orm import (
    Model,
)
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep, drive
from dynamodb_tooling.testing.stub import StubExecutor

T = TypeVar("T")

TABLE = "MainTable"


class FakeTable:
    """Items by key, answering the reads relations send: GetItem, BatchGetItem, Query (the
    partition, a ``begins_with`` on the sort key, ``=`` filters, ``Select=COUNT``) and Scan
    (``=`` filters). Writes are acknowledged and not applied."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, *items: Any) -> None:
        for item in items:
            self.items.append(item.to_item() if isinstance(item, Model) else dict(item))

    def _get(self, wire_key: dict[str, Any]) -> dict[str, Any] | None:
        key = unmarshall_item(wire_key)
        return next((i for i in self.items if all(i.get(k) == v for k, v in key.items())), None)

    def answer(self, request: Request) -> Response:
        params = request.params
        if request.operation == "GetItem":
            found = self._get(params["Key"])
            return {"Item": marshall_item(found)} if found else {}
        if request.operation == "BatchGetItem":
            responses = {
                table: [marshall_item(f) for k in spec["Keys"] if (f := self._get(k)) is not None]
                for table, spec in params["RequestItems"].items()
            }
            return {"Responses": responses, "UnprocessedKeys": {}}
        if request.operation in ("Query", "Scan"):
            found = [i for i in self.items if _matches(params, i)]
            if params.get("Select") == "COUNT":
                return {"Count": len(found), "ScannedCount": len(found)}
            return {"Items": [marshall_item(i) for i in found], "Count": len(found)}
        return {}


def _matches(params: dict[str, Any], item: dict[str, Any]) -> bool:
    names = params.get("ExpressionAttributeNames", {})
    values = {k: unmarshall(v) for k, v in params.get("ExpressionAttributeValues", {}).items()}
    for expression in (params.get("KeyConditionExpression"), params.get("FilterExpression")):
        for clause in (expression or "").split(" AND "):
            if not clause:
                continue
            equal = re.fullmatch(r"\(?(#\w+) = (:\w+)\)?", clause)
            prefix = re.fullmatch(r"begins_with\((#\w+), (:\w+)\)", clause)
            absent = re.fullmatch(r"attribute_not_exists\((#\w+)\)", clause)
            if equal:
                if item.get(names[equal[1]]) != values[equal[2]]:
                    return False
            elif prefix:
                if not str(item.get(names[prefix[1]], "")).startswith(values[prefix[2]]):
                    return False
            elif absent:
                if names[absent[1]] in item:
                    return False
            else:  # an expression this fake does not read: the test must not rely on it
                raise AssertionError(f"FakeTable cannot evaluate {clause!r}")
    return True


class RoundRecorder(StubExecutor):
    """A stub executor that also keeps every flow step it runs: ``rounds`` lists, per
    step, the requests sent together."""

    def __init__(self, table: FakeTable) -> None:
        super().__init__(answer=table.answer)
        self.rounds: list[list[Request]] = []

    def run(self, flow: Flow[T]) -> T:
        return drive(flow, self._step)

    def _step(self, step: Request | Concurrently | Sleep) -> Any:
        if isinstance(step, Sleep):
            return None
        if isinstance(step, Request):
            self.rounds.append([step])
            return self.execute(step)
        self.rounds.append(list(step.requests))
        answers: list[Any] = []
        for request in step.requests:
            try:
                answers.append(self.execute(request))
            except Exception as exc:
                if not step.return_exceptions:
                    raise
                answers.append(exc)
        return answers

    def shape(self) -> list[list[str]]:
        """Each round's operations, in order."""
        return [[r.operation for r in found] for found in self.rounds]

    def reset(self) -> None:
        self.requests.clear()
        self.rounds.clear()


def stored(model: type[Model], **values: Any) -> Any:
    """A model as read from the table (``exists``), without a request."""
    return model.from_item(model(**values).to_item())


def key_value(request: Request, name: str = ":v0") -> Any:
    return unmarshall(request.params["ExpressionAttributeValues"][name])


def batch_keys(request: Request) -> list[str]:
    (spec,) = request.params["RequestItems"].values()
    return [unmarshall_item(k)["pk"] for k in spec["Keys"]]


def family(m: Any, table: FakeTable) -> list[Any]:
    """Owners o0, o1; parents p0..p2 (p0 and p2 share o0); children c<parent><n>; toys."""
    owners = [stored(m.Owner, id=f"o{i}", name=f"O{i}") for i in range(2)]
    parents = [stored(m.Parent, id=f"p{i}", name=f"P{i}", owner_id=f"o{i % 2}") for i in range(3)]
    table.add(*owners, *parents)
    for parent in parents:
        for n in range(2):
            child = stored(m.Child, id=f"c{parent.id}{n}", title=f"{parent.name}-{n}")
            child.parent_id = parent.id
            table.add(child)
            table.add(stored(m.Toy, id=f"t{child.id}", name="toy", child_id=child.id))
    return parents


def bound(model: type[Model], name: str) -> Any:
    from dynamodb_tooling.orm.relations.registry import relation_of

    return relation_of(model, name)
