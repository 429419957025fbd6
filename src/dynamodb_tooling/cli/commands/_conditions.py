"""The one condition syntax of ``dbtooling query|scan|export``: ``--where``/``--filter`` → builder.

``--where ATTR=VALUE`` is one equality (repeatable). ``--filter EXPR`` is an expression::

    expr       := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" factor | "(" expr ")" | condition
    condition  := ATTR ("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") VALUE
                | ATTR "between" VALUE "and" VALUE
                | ATTR ["not"] "in" "(" VALUE ("," VALUE)* ")"
                | ATTR ("begins_with" | "contains") VALUE
                | ATTR "is" ["not"] "null"
                | ATTR ["not"] "exists"

Keywords are case-insensitive. A VALUE in quotes (``'...'`` or ``"..."``) is a string; a bare
value is typed by the model's attribute (a string attribute keeps the text, an integer one
gets a number) or, on a raw table or an untyped attribute, read as JSON when it is a number,
``true``, ``false`` or ``null`` and as text otherwise. Every ``--where`` and ``--filter`` is
AND-ed; the planner decides which conditions become the key condition and which the filter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.schema import ModelDefinition

B = TypeVar("B", bound=QueryBuilder[Any])
Apply = Callable[[B], B]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[^\s()=<>!,'"]+)
    )""",
    re.VERBOSE,
)
_COMPARISONS = {"=", "!=", "<>", "<", "<=", ">", ">="}
#: Attribute types whose bare values stay text (``name = 30`` means the string "30").
_TEXT_TYPES = {"string", "datetime", "date", "string_set", "binary", "binary_set"}


@dataclass(frozen=True)
class _Token:
    kind: str  # string | op | punct | word | end
    text: str
    position: int


def _tokens(expression: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    stripped = expression.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.lastgroup is None:
            raise _error(expression, position, "unexpected character")
        found.append(_Token(match.lastgroup, match.group(match.lastgroup), match.start(0)))
        position = match.end()
    found.append(_Token("end", "", len(stripped)))
    return found


def _error(expression: str, position: int, problem: str) -> QueryError:
    return QueryError(
        f"--filter {expression!r}: {problem} at column {position + 1}; write conditions like "
        "\"age > 30 and name begins_with 'Ad'\" (see `dbtooling query --help`)"
    )


class _Parser:
    """Recursive descent over the tokens, producing builder transformations."""

    def __init__(self, expression: str, model: ModelDefinition | None) -> None:
        self.expression = expression
        self.model = model
        self.tokens = _tokens(expression)
        self.index = 0

    # Token helpers.
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token.kind == "word" and token.text.lower() in words:
            self.index += 1
            return True
        return False

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text.lower() != text:
            raise self.fail(token, f"expected {text!r}")

    def fail(self, token: _Token, problem: str) -> QueryError:
        seen = f"found {token.text!r}" if token.kind != "end" else "found the end"
        return _error(self.expression, token.position, f"{problem}, {seen}")

    # Grammar.
    def parse(self) -> Apply[Any]:
        apply = self.expr()
        if self.peek().kind != "end":
            raise self.fail(self.peek(), "expected 'and', 'or' or the end")
        return apply

    def expr(self) -> Apply[Any]:
        terms = [self.term()]
        while self.keyword("or"):
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]

        def any_of(query: B) -> B:
            def group(inner: B) -> B:
                for index, term in enumerate(terms):
                    inner = inner.where(term) if index == 0 else inner.or_where(term)
                return inner

            return query.where(group)

        return any_of

    def term(self) -> Apply[Any]:
        factors = [self.factor()]
        while self.keyword("and"):
            factors.append(self.factor())

        def all_of(query: B) -> B:
            for factor in factors:
                query = factor(query)
            return query

        return all_of

    def factor(self) -> Apply[Any]:
        if self.keyword("not"):
            inner = self.factor()
            return lambda query: query.where_not(inner)
        if self.peek().text == "(" and self.peek().kind == "punct":
            self.take()
            inner = self.expr()
            self.expect(")")
            return inner
        predicate = self.condition()
        return lambda query: query.where(predicate)

    def condition(self) -> Predicate:
        token = self.take()
        if token.kind != "word":
            raise self.fail(token, "expected an attribute name")
        name = token.text
        operator = self.peek()
        if operator.kind == "op":
            self.take()
            op = {"!=": "<>"}.get(operator.text, operator.text)
            return _predicate(name, op, self.value(name))
        if self.keyword("between"):
            low = self.value(name)
            self.expect("and")
            return Predicate(name, "between", low, self.value(name))
        if self.keyword("begins_with"):
            return Predicate(name, "begins_with", self.value(name, text=True))
        if self.keyword("contains"):
            return Predicate(name, "contains", self.value(name))
        if self.keyword("is"):
            negated = self.keyword("not")
            self.expect("null")
            return Predicate(name, "exists" if negated else "not_exists")
        if self.keyword("exists"):
            return Predicate(name, "exists")
        if self.keyword("in"):
            return Predicate(name, "in", self.values(name))
        if self.keyword("not"):
            if self.keyword("exists"):
                return Predicate(name, "not_exists")
            self.expect("in")
            return Predicate(name, "not_in", self.values(name))
        raise self.fail(
            self.peek(),
            "expected an operator (= != < <= > >= between in begins_with contains is exists)",
        )

    def values(self, name: str) -> tuple[Any, ...]:
        self.expect("(")
        found = [self.value(name)]
        while self.peek().text == ",":
            self.take()
            found.append(self.value(name))
        self.expect(")")
        return tuple(found)

    def value(self, name: str, *, text: bool = False) -> Any:
        token = self.take()
        if token.kind == "string":
            return _unquote(token.text)
        if token.kind != "word":
            raise self.fail(token, f"expected a value for {name!r}")
        return token.text if text else typed_value(token.text, name, self.model)


def _predicate(name: str, op: Any, value: Any) -> Predicate:
    if value is None:  # `x = null` / `x != null`: None is never stored
        return Predicate(name, "not_exists" if op == "=" else "exists")
    return Predicate(name, op, value)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def typed_value(text: str, name: str, model: ModelDefinition | None) -> Any:
    """A bare value from the command line, typed by the model's attribute (see the module)."""
    definition = model.attribute(name) if model is not None else None
    if definition is not None and definition.type in _TEXT_TYPES:
        return text
    if model is not None and name == model.primary_key:
        return text
    try:
        value = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        return text
    return value if value is None or isinstance(value, (bool, int, Decimal)) else text


def parse_filter(expression: str, model: ModelDefinition | None) -> Apply[Any]:
    """``--filter EXPR`` → a function adding its conditions to a builder."""
    if not expression.strip():
        raise QueryError('--filter is empty; give a condition such as "age > 30"')
    return _Parser(expression, model).parse()


def parse_where(text: str, model: ModelDefinition | None) -> Apply[Any]:
    """``--where ATTR=VALUE`` → a function adding the equality to a builder."""
    name, equals, raw = text.partition("=")
    name = name.strip()
    if not equals or not name:
        raise QueryError(
            f"--where {text!r} is not ATTR=VALUE (e.g. --where team_id=01H...); "
            "use --filter for other operators"
        )
    raw = raw.strip()
    quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\""
    value = _unquote(raw) if quoted else typed_value(raw, name, model)
    predicate = _predicate(name, "=", value)
    return lambda query: query.where(predicate)
