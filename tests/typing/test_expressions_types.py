"""The types users see from ``dynamodb_tooling.expressions``; mypy checks the assert_type calls."""

from __future__ import annotations

from typing import Any, assert_type

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.expressions import (
    Arithmetic,
    Attr,
    Condition,
    IfNotExists,
    KeyAttr,
    KeyCondition,
    KeyTerm,
    ListAppend,
    Path,
    Placeholders,
    Projection,
    Size,
    Update,
    and_,
    attr,
    compile_expressions,
    if_not_exists,
    key,
    list_append,
    not_,
    or_,
    path,
    projection,
)


def test_expression_types() -> None:
    ph = Placeholders()
    assert_type(ph.name("a"), str)
    assert_type(ph.value(1), str)
    assert_type(ph.names, dict[str, str])
    assert_type(ph.values, dict[str, AttributeValue])

    assert_type(path("a.b[1]"), Path)
    assert_type(Path.of("a.b", 0), Path)
    assert_type(path("a").render(ph), str)

    assert_type(attr("a"), Attr)
    assert_type(attr("a") > 1, Condition)
    assert_type(attr("a") == 1, Condition)
    assert_type(attr("a") != attr("b"), Condition)
    assert_type(attr("a").between(1, 2), Condition)
    assert_type(attr("a").is_in([1, 2]), Condition)
    assert_type(attr("a").begins_with("x"), Condition)
    assert_type(attr("a").contains("x"), Condition)
    assert_type(attr("a").exists(), Condition)
    assert_type(attr("a").not_exists(), Condition)
    assert_type(attr("a").attribute_type("SS"), Condition)
    assert_type(attr("a").size(), Size)
    assert_type(attr("a").size() >= 2, Condition)
    assert_type((attr("a") > 1) & (attr("b") < 2), Condition)
    assert_type((attr("a") > 1) | (attr("b") < 2), Condition)
    assert_type(~(attr("a") > 1), Condition)
    assert_type(and_(attr("a").exists(), attr("b").exists()), Condition)
    assert_type(or_(attr("a").exists()), Condition)
    assert_type(not_(attr("a").exists()), Condition)
    assert_type(attr("a").render(ph), str)

    assert_type(key("pk"), KeyAttr)
    assert_type(key("pk") == "A", KeyCondition)
    assert_type((key("pk") == "A") & key("sk").begins_with("B"), KeyCondition)
    assert_type(key("sk").between(1, 2), KeyCondition)
    assert_type((key("pk") == "A").partition, KeyTerm)
    assert_type((key("pk") == "A").sort, KeyTerm | None)

    assert_type(attr("a") + 1, Arithmetic)
    assert_type(1 - attr("a"), Arithmetic)
    assert_type(if_not_exists("a", 0), IfNotExists)
    assert_type(if_not_exists("a", 0) + 1, Arithmetic)
    assert_type(list_append(attr("l"), [1]), ListAppend)

    assert_type(Update(), Update)
    assert_type(Update().set("a", 1), Update)
    assert_type(Update().set("a", attr("b") + 1).remove("c").add("n", 1), Update)
    assert_type(Update().add("s", {"x"}).delete("t", {1, 2}), Update)
    assert_type(Update().increment("n").decrement("m", by=2.5), Update)
    assert_type(Update().append_to_list("l", [1]).prepend_to_list("k", ["x"]), Update)
    assert_type(Update().set_if_not_exists("a", 1), Update)

    assert_type(projection("a", path("b"), attr("c")), Projection)

    assert_type(compile_expressions(), dict[str, Any])
    assert_type(
        compile_expressions(
            key_condition=key("pk") == 1,
            filter=attr("a") > 1,
            condition=attr("b").exists(),
            update=Update().remove("c"),
            projection=["d"],
        ),
        dict[str, Any],
    )
