"""Stacks ``factory`` functions read as Python Faker calls.

A Stacks model may carry ``factory: (faker) => ({ email: faker.internet.email(), ... })``;
discovery keeps it as text (:class:`~dynamodb_tooling.schema.definitions.RawCode`), never
executed. Where it is a plain object literal (an arrow function returning one, or a
``function (faker) { return { ... } }``) whose values are literals or single calls of
`@faker-js/faker` methods this module knows (``faker.person.fullName()``,
``faker.number.int({ min: 1, max: 9 })``, ``faker.helpers.arrayElement(['a', 'b'])`` …), each
entry becomes the matching Python Faker call. Anything else — template literals, expressions,
helper functions, unknown methods — is left out, and that attribute gets the generated value
(:mod:`.generated`); :func:`read_stacks_factory` says which entries were left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.schema.definitions import RawCode
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.ts_literal import parse_literal

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["StacksFactory", "read_stacks_factory"]

#: ``faker`` receives the Python Faker; ``args`` the call's parsed arguments.
Maker = Callable[["Faker", list[Any]], Any]

_ARROW = re.compile(r"^\s*(?:async\s+)?\(?\s*(\w+)?\s*\)?\s*=>\s*\(\s*(\{.*\})\s*\)\s*;?\s*$", re.S)
_FUNCTION = re.compile(
    r"^\s*function\s*\w*\s*\(\s*(\w+)?\s*\)\s*\{\s*return\s*(\{.*\})\s*;?\s*\}\s*$", re.S
)
_CALL = re.compile(r"^(\w+)\.(\w+)\.(\w+)\((.*)\)$", re.S)


def _opt(args: list[Any], key: str, default: Any) -> Any:
    first = args[0] if args else None
    return first.get(key, default) if isinstance(first, Mapping) else default


def _int(faker: Faker, args: list[Any]) -> int:
    if args and isinstance(args[0], int | float):
        return faker.random_int(0, int(args[0]))
    return faker.random_int(int(_opt(args, "min", 0)), int(_opt(args, "max", 1000)))


def _float(faker: Faker, args: list[Any]) -> Decimal:
    low, high = _opt(args, "min", 0), _opt(args, "max", 1000)
    return Decimal(faker.random_int(int(low * 100), int(high * 100))) / 100


def _args_int(args: list[Any], index: int, default: int) -> int:
    value = args[index] if len(args) > index else default
    return int(value) if isinstance(value, int | float) else default


#: ``module.method`` of @faker-js/faker → the Python Faker equivalent.
_MAKERS: dict[str, Maker] = {
    "person.fullName": lambda f, a: f.name(),
    "person.firstName": lambda f, a: f.first_name(),
    "person.lastName": lambda f, a: f.last_name(),
    "person.jobTitle": lambda f, a: f.job(),
    "person.bio": lambda f, a: f.sentence(),
    "person.sex": lambda f, a: f.random_element(["female", "male"]),
    "internet.email": lambda f, a: f.email(),
    "internet.exampleEmail": lambda f, a: f.email(),
    "internet.userName": lambda f, a: f.user_name(),
    "internet.username": lambda f, a: f.user_name(),
    "internet.url": lambda f, a: f.url(),
    "internet.domainName": lambda f, a: f.domain_name(),
    "internet.ip": lambda f, a: f.ipv4(),
    "internet.ipv4": lambda f, a: f.ipv4(),
    "internet.password": lambda f, a: f.password(length=_args_int(a, 0, 16)),
    "phone.number": lambda f, a: f.phone_number(),
    "lorem.word": lambda f, a: f.word(),
    "lorem.words": lambda f, a: " ".join(f.words(_args_int(a, 0, 3))),
    "lorem.sentence": lambda f, a: f.sentence(),
    "lorem.sentences": lambda f, a: " ".join(f.sentences(_args_int(a, 0, 3))),
    "lorem.paragraph": lambda f, a: f.paragraph(),
    "lorem.paragraphs": lambda f, a: "\n\n".join(f.paragraphs(_args_int(a, 0, 3))),
    "lorem.lines": lambda f, a: "\n".join(f.sentences(_args_int(a, 0, 3))),
    "lorem.text": lambda f, a: f.text(),
    "lorem.slug": lambda f, a: f.slug(),
    "company.name": lambda f, a: f.company(),
    "company.catchPhrase": lambda f, a: f.catch_phrase(),
    "location.city": lambda f, a: f.city(),
    "location.country": lambda f, a: f.country(),
    "location.streetAddress": lambda f, a: f.street_address(),
    "location.zipCode": lambda f, a: f.postcode(),
    "location.state": lambda f, a: f.state(),
    "string.uuid": lambda f, a: str(f.uuid4()),
    "string.alphanumeric": lambda f, a: f.pystr_format("?" * _args_int(a, 0, 8)),
    "string.alpha": lambda f, a: f.pystr_format("?" * _args_int(a, 0, 8)),
    "number.int": _int,
    "number.float": _float,
    "datatype.boolean": lambda f, a: f.pybool(),
    "date.past": lambda f, a: f.date_time_between("-1y", "now", tzinfo=UTC),
    "date.recent": lambda f, a: f.date_time_between("-7d", "now", tzinfo=UTC),
    "date.future": lambda f, a: f.date_time_between("now", "+1y", tzinfo=UTC),
    "date.anytime": lambda f, a: f.date_time(tzinfo=UTC),
    "date.birthdate": lambda f, a: f.date_of_birth(minimum_age=18, maximum_age=90),
    "commerce.productName": lambda f, a: f.catch_phrase(),
    "commerce.price": lambda f, a: Decimal(f.random_int(100, 100_000)) / 100,
    "image.url": lambda f, a: f.image_url(),
    "image.avatar": lambda f, a: f.image_url(),
    "color.human": lambda f, a: f.color_name(),
    "finance.currencyCode": lambda f, a: f.currency_code(),
    "helpers.arrayElement": lambda f, a: f.random_element(a[0]),
}


@dataclass(frozen=True)
class StacksFactory:
    """A Stacks factory read as Faker calls: ``values(faker)`` gives the translated entries;
    ``skipped`` names the entries that could not be read (they take generated values)."""

    makers: Mapping[str, Callable[[Faker], Any]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    readable: bool = True

    def values(self, faker: Faker) -> dict[str, Any]:
        return {name: make(faker) for name, make in self.makers.items()}


def read_stacks_factory(code: RawCode) -> StacksFactory:
    """Translate a Stacks factory function (see the module docstring)."""
    match = _ARROW.match(code.text) or _FUNCTION.match(code.text)
    if match is None:
        return StacksFactory(readable=False)
    parameter, body = match.group(1) or "faker", match.group(2)
    try:
        entries = parse_literal(body, source="<stacks factory>")
    except SchemaError:
        return StacksFactory(readable=False)
    if not isinstance(entries, Mapping):
        return StacksFactory(readable=False)
    makers: dict[str, Callable[[Faker], Any]] = {}
    skipped: list[str] = []
    for name, value in entries.items():
        maker = _entry(parameter, value)
        if maker is None:
            skipped.append(name)
        else:
            makers[name] = maker
    return StacksFactory(makers, tuple(skipped))


def _entry(parameter: str, value: Any) -> Callable[[Faker], Any] | None:
    if not isinstance(value, RawCode):
        return lambda faker: value  # a literal: the same value every time
    call = _CALL.match(value.text.strip())
    if call is None or call.group(1) != parameter:
        return None
    maker = _MAKERS.get(f"{call.group(2)}.{call.group(3)}")
    if maker is None:
        return None
    try:
        args = parse_literal(f"[{call.group(4)}]", source="<stacks factory>")
    except SchemaError:
        return None
    if not isinstance(args, list) or any(isinstance(a, RawCode) for a in args):
        return None
    found = maker
    return lambda faker: found(faker, args)
