"""Fake values from a model's attribute types, names and validation rules.

What a factory without a ``definition()`` of its own produces (``User.factory()`` when no
``UserFactory`` is registered). Per attribute:

* an ``Enum`` type or an ``in:a,b`` / ``enum([...])`` rule → one of its values;
* a string → a value chosen by its name (``email``, ``name``, ``first_name``, ``title``,
  ``url``, ``phone``, ``city``, ``description`` …, else a word), then fitted to its rules
  (``email``, ``url``, ``uuid``, ``alpha``…, ``min``/``max``/``size``/``between`` lengths);
* integers, numbers and decimals within ``min``/``max``/``between`` (by name: ``age``,
  ``year``, ``price``, ``quantity`` …); booleans, dates, datetimes (UTC), sets (never empty),
  lists, maps, binary.

Every value is checked with the model's own validator before it is used; a rule the generator
cannot satisfy is a :class:`FactoryError` naming the attribute and the rule (write a factory
``definition()`` for it). Attributes with a non-``None`` default keep their default.
"""

from __future__ import annotations

import re
import string
import uuid
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from ulid import ULID

from dynamodb_tooling.factories.errors import FactoryError
from dynamodb_tooling.schema.definitions import AttributeDefinition, ModelDefinition, RawCode
from dynamodb_tooling.schema.validation import compile_rules

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["constraints_of", "fake_value", "generated_definition"]

_ATTEMPTS = 12


@dataclass
class Constraints:
    """What a rule asks of a value, as far as generating one needs to know."""

    options: list[Any] | None = None
    low: float | None = None
    high: float | None = None
    kind: str | None = None  # email, url, uuid, ulid, alpha, alpha_num, alpha_dash
    prefix: str = ""


_LARAVEL_KINDS = {"email", "url", "uuid", "ulid", "alpha", "alpha_num", "alpha_dash"}
_CHAIN_KINDS = {"email": "email", "url": "url", "uuid": "uuid", "ulid": "ulid", "alpha": "alpha"}
_CHAIN_KINDS["alphaNumeric"] = "alpha_num"


def constraints_of(rule: str | RawCode | None) -> Constraints:
    """The options, bounds and format a rule asks for (approximate: the validator decides)."""
    found = Constraints()
    if rule is None:
        return found
    if isinstance(rule, RawCode):
        _read_chain(rule.text, found)
        return found
    for part in str(rule).split("|"):
        name, _, argument = part.partition(":")
        _read_laravel(name.strip(), argument.split(",") if argument else [], found)
    return found


def _read_laravel(name: str, args: list[str], found: Constraints) -> None:
    if name == "in":
        found.options = [a.strip() for a in args]
    elif name in ("min", "max", "size") and args and _is_number(args[0]):
        bound = float(args[0])
        if name in ("min", "size"):
            found.low = bound
        if name in ("max", "size"):
            found.high = bound
    elif name == "between" and len(args) == 2 and all(_is_number(a) for a in args):
        found.low, found.high = float(args[0]), float(args[1])
    elif name in _LARAVEL_KINDS:
        found.kind = name
    elif name == "starts_with" and args:
        found.prefix = args[0]


_CALL = re.compile(r"\.(\w+)\(([^()]*)\)")


def _read_chain(text: str, found: Constraints) -> None:
    for method, raw in _CALL.findall(text):
        args = [a.strip().strip("'\"") for a in raw.strip("[] ").split(",") if a.strip()]
        numbers = [float(a) for a in args if _is_number(a)]
        if method in ("enum", "in") and args:
            found.options = args
        elif method in ("min", "minLength") and numbers:
            found.low = numbers[0]
        elif method in ("max", "maxLength") and numbers:
            found.high = numbers[0]
        elif method in ("length", "fixedLength") and numbers:
            found.low = found.high = numbers[0]
        elif method in ("between", "range") and len(numbers) == 2:
            found.low, found.high = numbers
        elif method == "positive":
            found.low = max(found.low or 1, 1)
        elif method in _CHAIN_KINDS:
            found.kind = _CHAIN_KINDS[method]
        elif method == "startsWith" and args:
            found.prefix = args[0]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def generated_definition(definition: ModelDefinition, faker: Faker) -> dict[str, Any]:
    """Fake values for every attribute of ``definition`` without a non-``None`` default."""
    return {
        a.name: fake_value(definition.name, a, faker)
        for a in definition.attributes
        if not (a.has_default and a.default is not None)
    }


def fake_value(model: str, attribute: AttributeDefinition, faker: Faker) -> Any:
    """One fake value of ``attribute`` that passes its validation rules."""
    rule = attribute.validation
    found = constraints_of(rule)
    checks = compile_rules(rule, attribute.name) if rule is not None else None
    for attempt in range(_ATTEMPTS):
        value = _candidate(attribute, found, faker, attempt)
        if checks is None or not checks.errors({attribute.name: value}, partial=False):
            return value
    raise FactoryError(
        f"{model}.{attribute.name}: no generated value satisfies its rule {_text(rule)!r}; "
        f"give the model a factory whose definition() sets {attribute.name}"
    )


def _text(rule: str | RawCode | None) -> str:
    return rule.text if isinstance(rule, RawCode) else str(rule)


def _candidate(
    attribute: AttributeDefinition, found: Constraints, faker: Faker, attempt: int
) -> Any:
    kind = attribute.type
    python_type = attribute.python_type
    if isinstance(python_type, type) and issubclass(python_type, Enum):
        return faker.random_element(list(python_type))
    if found.options:
        return _option(kind, faker.random_element(found.options))
    if kind == "string" or kind == "any":
        return _string(attribute.name, found, faker, attempt, unique=attribute.unique)
    return _scalar(kind, attribute.name, found, faker)


def _option(kind: str, option: Any) -> Any:
    if kind == "integer" and _is_number(str(option)):
        return int(float(option))
    if kind in ("number", "decimal") and _is_number(str(option)):
        return Decimal(str(option))
    return option


def _scalar(kind: str, name: str, found: Constraints, faker: Faker) -> Any:
    if kind == "integer":
        low, high = _int_range(name, found)
        return faker.random_int(low, high)
    if kind in ("number", "decimal"):
        low, high = _int_range(name, found)
        cents = faker.random_int(int(low * 100), int(high * 100))
        return Decimal(cents) / 100
    simple = _SIMPLE.get(kind)
    return simple(faker) if simple is not None else faker.word()


_SIMPLE: dict[str, Any] = {
    "boolean": lambda f: f.pybool(),
    "datetime": lambda f: f.date_time_between("-1y", "now", tzinfo=UTC).replace(microsecond=0),
    "date": lambda f: f.date_between("-1y", "today"),
    "binary": lambda f: f.binary(16),
    "string_set": lambda f: set(f.words(3, unique=True)),
    "number_set": lambda f: {f.random_int(0, 1000) for _ in range(3)},
    "binary_set": lambda f: {f.binary(8) for _ in range(2)},
    "list": lambda f: f.words(3),
    "map": lambda f: {"label": f.word(), "score": f.random_int(0, 100)},
    "json": lambda f: {"label": f.word(), "tags": f.words(2)},
}

_INT_RANGES = {"age": (18, 90), "year": (1970, 2030), "price": (1, 500), "amount": (1, 1000)}
_INT_RANGES |= {"quantity": (1, 20), "qty": (1, 20), "count": (0, 100), "total": (1, 5000)}
_INT_RANGES |= {"rating": (1, 5), "score": (0, 100), "stock": (0, 500)}


def _int_range(name: str, found: Constraints) -> tuple[int, int]:
    low, high = next((r for k, r in _INT_RANGES.items() if k in name.lower()), (0, 10_000))
    if found.low is not None:
        low = int(found.low) if found.low == int(found.low) else int(found.low) + 1
        high = max(high, low)
    if found.high is not None:
        high = int(found.high)
        low = min(low, high)
    return low, high


#: Name fragments → what a string attribute of that name holds (first match wins).
_BY_NAME: tuple[tuple[str, Any], ...] = (
    ("email", lambda f: f.email()),
    ("first_name", lambda f: f.first_name()),
    ("last_name", lambda f: f.last_name()),
    ("username", lambda f: f.user_name()),
    ("user_name", lambda f: f.user_name()),
    ("password", lambda f: f.password(length=16)),
    ("phone", lambda f: f.phone_number()),
    ("url", lambda f: f.url()),
    ("website", lambda f: f.url()),
    ("link", lambda f: f.url()),
    ("avatar", lambda f: f.image_url()),
    ("image", lambda f: f.image_url()),
    ("slug", lambda f: f.slug()),
    ("title", lambda f: f.sentence(nb_words=4).rstrip(".")),
    ("company", lambda f: f.company()),
    ("street", lambda f: f.street_address()),
    ("address", lambda f: f.address().replace("\n", ", ")),
    ("city", lambda f: f.city()),
    ("country", lambda f: f.country()),
    ("state", lambda f: f.state()),
    ("zip", lambda f: f.postcode()),
    ("postal", lambda f: f.postcode()),
    ("currency", lambda f: f.currency_code()),
    ("color", lambda f: f.color_name()),
    ("uuid", lambda f: str(f.uuid4())),
    ("ip", lambda f: f.ipv4()),
    ("token", lambda f: f.sha256()),
    ("secret", lambda f: f.sha256()),
    ("sku", lambda f: f.bothify("SKU-####-????").upper()),
    ("code", lambda f: f.bothify("??-####").upper()),
    ("description", lambda f: f.paragraph()),
    ("body", lambda f: f.paragraph(nb_sentences=5)),
    ("content", lambda f: f.paragraph(nb_sentences=5)),
    ("bio", lambda f: f.paragraph()),
    ("summary", lambda f: f.sentence()),
    ("text", lambda f: f.paragraph()),
    ("comment", lambda f: f.sentence()),
    ("label", lambda f: f.word()),
    ("tag", lambda f: f.word()),
    ("name", lambda f: f.name()),
)

_BY_KIND: dict[str, Any] = {
    "email": lambda f: f.email(),
    "url": lambda f: f.url(),
    "uuid": lambda f: str(f.uuid4()),
    "ulid": lambda f: str(ULID.from_timestamp(f.date_time(tzinfo=UTC))),
    "alpha": lambda f: f.pystr_format("?" * 10, letters=string.ascii_letters),
    "alpha_num": lambda f: f.pystr_format("?#?#?#?#", letters=string.ascii_letters),
    "alpha_dash": lambda f: f.slug(),
}


def _string(name: str, found: Constraints, faker: Faker, attempt: int, *, unique: bool) -> str:
    by_kind = _BY_KIND.get(found.kind or "")
    if by_kind is not None:
        text = str(by_kind(faker))
    elif attempt >= _ATTEMPTS // 2:  # the heuristics keep failing the rules: plain letters
        text = faker.pystr(max_chars=int(found.high or 20))
    else:
        make = next((m for key, m in _BY_NAME if key in name.lower()), lambda f: f.word())
        text = str(make(faker))
    if unique:
        text = _uniquely(text, faker)
    return _fitted(found.prefix + text, found, faker)


def _uniquely(text: str, faker: Faker) -> str:
    """A unique attribute's value: the value with a random token (from the seeded Faker) in
    it, so hundreds of creates do not collide on its sentinel; emails and URLs stay valid."""
    token = uuid.UUID(int=faker.random.getrandbits(128)).hex[:8]
    if "@" in text:
        local, _, domain = text.partition("@")
        return f"{local}.{token}@{domain}"
    if "://" in text:
        return f"{text.rstrip('/')}/{token}"
    return f"{text}-{token}"


def _fitted(text: str, found: Constraints, faker: Faker) -> str:
    """``text`` cut to the rule's maximum length and padded to its minimum."""
    if found.high is not None and len(text) > found.high:
        text = text[: max(int(found.high), 0)].rstrip() or text[: int(found.high)]
    if found.low is not None and len(text) < found.low:
        text += faker.pystr(min_chars=int(found.low) - len(text), max_chars=int(found.low))
    return text
