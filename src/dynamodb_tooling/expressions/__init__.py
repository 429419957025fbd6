"""Pure builders for DynamoDB expressions: conditions, key conditions, updates, projections.

Builders produce immutable AST nodes; ``node.render(ph)`` renders one expression with a shared
:class:`Placeholders`, and :func:`compile_expressions` renders several into request parameters.
Every attribute name and value goes through a placeholder, so reserved words and expression
injection are non-issues.

>>> from dynamodb_tooling.expressions import attr, key, compile_expressions
>>> params = compile_expressions(
...     key_condition=(key("pk") == "USER#1") & key("sk").begins_with("POST#"),
...     filter=(attr("status") == "live") | (attr("views") > 100),
...     projection=["title", "views"],
... )
>>> params["KeyConditionExpression"], params["FilterExpression"]
('#n0 = :v0 AND begins_with(#n1, :v1)', '#n2 = :v2 OR #n3 > :v3')

Choices worth knowing:

- Python's ``&`` binds tighter than ``==``: parenthesize comparisons, ``(a == 1) & (b > 2)``.
  Using a condition as a bool (``and``, ``or``, ``if``) raises ExpressionError, except
  ``attr("a") == attr("a")`` which is truthy so attributes can be dict keys (as in SQLAlchemy).
- Python sets become SS/NS/BS with sorted elements; empty or mixed sets are errors.
- ``Update.increment``/``decrement`` render ``SET #p = if_not_exists(#p, :v0) + :v1``.
- ``projection("a", "a.b")`` keeps only ``a`` (DynamoDB rejects overlapping projection paths).
"""

from dynamodb_tooling.expressions._operand import Operand, Value
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions.compile import compile_expressions
from dynamodb_tooling.expressions.conditions import (
    And,
    Between,
    Comparison,
    Condition,
    FunctionCondition,
    In,
    Not,
    Or,
    and_,
    not_,
    or_,
)
from dynamodb_tooling.expressions.key_conditions import KeyAttr, KeyCondition, KeyTerm, key
from dynamodb_tooling.expressions.operands import Attr, AttributeTypeName, Size, attr
from dynamodb_tooling.expressions.paths import Path, PathElement, PathRef, SupportsPath, path
from dynamodb_tooling.expressions.projections import Projection, projection
from dynamodb_tooling.expressions.update_operands import (
    Arithmetic,
    IfNotExists,
    ListAppend,
    if_not_exists,
    list_append,
)
from dynamodb_tooling.expressions.updates import Update, UpdateAction

__all__ = [
    "And",
    "Arithmetic",
    "Attr",
    "AttributeTypeName",
    "Between",
    "Comparison",
    "Condition",
    "FunctionCondition",
    "IfNotExists",
    "In",
    "KeyAttr",
    "KeyCondition",
    "KeyTerm",
    "ListAppend",
    "Not",
    "Operand",
    "Or",
    "Path",
    "PathElement",
    "PathRef",
    "Placeholders",
    "Projection",
    "Size",
    "SupportsPath",
    "Update",
    "UpdateAction",
    "Value",
    "and_",
    "attr",
    "compile_expressions",
    "if_not_exists",
    "key",
    "list_append",
    "not_",
    "or_",
    "path",
    "projection",
]
