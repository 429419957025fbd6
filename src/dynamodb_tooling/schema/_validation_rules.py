"""The checks behind :mod:`.validation`: Laravel rule strings and Stacks validator chains
compiled into :class:`FieldRules` (see that module for the rules and their semantics)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from dynamodb_tooling.schema.definitions import RawCode
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.ts_literal import parse_call_chain

Number = int | float | Decimal
#: A check returns its default failure message, or ``None`` when the value passes.
Test = Callable[[Any], str | None]


def message_key(rule: str) -> str:
    """Rule names as message keys: ``min_length``, ``minLength`` and ``minlength`` agree."""
    return "*" if rule == "*" else rule.replace("_", "").replace("-", "").lower()


# Compiled rules.
@dataclass(frozen=True)
class _Check:
    rule: str
    test: Test
    custom: str | None = None
    is_type: bool = False


@dataclass(frozen=True)
class FieldRules:
    """The compiled rules of one attribute."""

    attribute: str
    checks: tuple[_Check, ...] = ()
    required: bool = False
    filled: bool = False
    required_message: str = "is required"
    required_if: tuple[str, tuple[str, ...]] | None = None

    def errors(self, values: Mapping[str, Any], *, partial: bool) -> list[str]:
        """The messages of every rule ``values`` break for this attribute."""
        if partial and self.attribute not in values:
            return []
        value = values.get(self.attribute)
        required = self.required or self._required_by_other(values)
        if value is None:
            return [self.required_message] if required else []
        if (required or self.filled) and _is_empty(value):
            return [self.required_message]
        failures: list[str] = []
        for check in self.checks:
            message = check.test(value)
            if message is not None:
                failures.append(check.custom or message)
                if check.is_type:
                    break
        return failures

    def _required_by_other(self, values: Mapping[str, Any]) -> bool:
        if self.required_if is None:
            return False
        other, expected = self.required_if
        return other in values and _text(values[other]) in expected


class RuleBuilder:
    """Collects checks while a rule is read; resolves custom messages."""

    def __init__(self, attribute: str, messages: Mapping[str, str]) -> None:
        self.attribute = attribute
        self.messages = dict(messages)
        self.checks: list[_Check] = []
        self.rules: list[str] = []
        self.required = False
        self.filled = False
        self.required_if: tuple[str, tuple[str, ...]] | None = None
        self.numeric = False

    def note(self, rule: str) -> None:
        self.rules.append(rule)

    def add(self, rule: str, test: Test, *, is_type: bool = False, **params: Any) -> None:
        self.note(rule)
        self.checks.append(_Check(rule, test, self.custom(rule, params), is_type))

    def custom(self, rule: str, params: Mapping[str, Any]) -> str | None:
        text = self.messages.get(message_key(rule), self.messages.get("*"))
        if text is None:
            return None
        filled_in = {**params, "attribute": self.attribute}
        for name, value in sorted(filled_in.items(), reverse=True):
            if value is None:
                continue
            shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
            text = text.replace(f":{name}", shown)
        return text

    def build(self) -> FieldRules:
        unused = set(self.messages) - {"*", *map(message_key, self.rules)}
        if unused:
            raise SchemaError(
                f"custom messages for {', '.join(sorted(unused))} name no rule of this "
                f"attribute (its rules: {', '.join(self.rules) or 'none'}); fix the message keys"
            )
        required_rule = "required" if "required" in map(message_key, self.rules) else "filled"
        required_message = self.custom(required_rule, {}) or "is required"
        # Type checks come first: when one fails the other checks would only add noise.
        checks = tuple(sorted(self.checks, key=lambda c: not c.is_type))
        return FieldRules(
            self.attribute,
            checks,
            self.required,
            self.filled,
            required_message,
            self.required_if,
        )


# Value helpers.
def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict | set | frozenset) and not value


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _text(value: Any) -> str | None:
    """A scalar as Laravel compares it in ``in:``/``required_if``."""
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():  # "Infinity", "-Infinity", "NaN", "sNaN": never an int
            return str(number)
        return str(int(number)) if number == number.to_integral_value() else str(number)
    return None


def _same(value: Any, option: Any) -> bool:
    """``value == option``, False where comparing raises (a signalling NaN)."""
    try:
        return bool(value == option)
    except ArithmeticError:
        return False


def _is_boolean(value: Any) -> bool:
    """A bool, 0/1 or "0"/"1" (as Laravel's ``boolean``); non-finite numbers are not."""
    value = _plain(value)
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value in ("0", "1")
    number = _number(value, strings=False)
    return number is not None and number in (0, 1)


def _number(value: Any, *, strings: bool) -> Number | None:
    value = _plain(value)
    if isinstance(value, bool):
        return None
    if strings and isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def _size(value: Any, numeric: bool, length_only: bool) -> tuple[Number, str] | None:
    """A value's size and its unit: a number's value, a text's length, a list's count."""
    number = _number(value, strings=numeric)
    if number is not None:
        return None if length_only else (number, "")
    value = _plain(value)
    if isinstance(value, str | bytes):
        return len(value), " characters"
    if isinstance(value, list | tuple | dict | set | frozenset):
        return len(value), " items"
    return None


def _bound(value: Any, rule: str) -> Number:
    number = _number(value, strings=True)
    if number is None:
        raise SchemaError(f"{rule} needs a number, got {value!r}")
    return number


def _size_check(
    builder: RuleBuilder,
    rule: str,
    low: Number | None,
    high: Number | None,
    *,
    length_only: bool = False,
) -> None:
    numeric = builder.numeric and not length_only
    measured = "a string or a list" if length_only else "a number, a string or a list"

    def test(value: Any) -> str | None:
        found = _size(value, numeric, length_only)
        if found is None:
            return f"must be {measured} to be measured"
        size, unit = found
        if low is not None and high is not None and low == high:
            return None if size == low else f"must be exactly {low}{unit}"
        if low is not None and high is not None and not low <= size <= high:
            return f"must be between {low} and {high}{unit}"
        if low is not None and size < low:
            return f"must be at least {low}{unit}"
        if high is not None and size > high:
            return f"must be at most {high}{unit}"
        return None

    builder.add(rule, test, min=low, max=high, size=low)


def _string_check(builder: RuleBuilder, rule: str, ok: Callable[[str], bool], what: str) -> None:
    def test(value: Any) -> str | None:
        value = _plain(value)
        return None if isinstance(value, str) and ok(value) else f"must {what}"

    builder.add(rule, test)


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme) and parts.netloc)


def _is_uuid(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", text))


def _is_date(value: Any) -> bool:
    if isinstance(value, date):
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_json(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")


def _is_integer(value: Any, strings: bool = True) -> bool:
    value = _plain(value)
    if isinstance(value, str):
        return strings and bool(re.fullmatch(r"\s*[+-]?\d+\s*", value))
    number = _number(value, strings=False)
    if isinstance(number, Decimal):
        return number == number.to_integral_value()
    return isinstance(number, int)


def _type_checks(builder: RuleBuilder, rule: str, name: str | None = None) -> bool:
    """Add a type rule's check (``name``: as the rule was written); False when ``rule`` is
    not a type rule."""
    tests: dict[str, tuple[Callable[[Any], bool], str]] = {
        "string": (lambda v: isinstance(_plain(v), str), "must be a string"),
        "integer": (_is_integer, "must be an integer"),
        "numeric": (lambda v: _number(v, strings=True) is not None, "must be a number"),
        "boolean": (
            _is_boolean,
            "must be true or false",
        ),
        "array": (
            lambda v: isinstance(v, list | tuple | dict | set | frozenset),
            "must be a list",
        ),
        "date": (_is_date, "must be a date (ISO 8601)"),
        "json": (_is_json, "must be valid JSON"),
    }
    if rule not in tests:
        return False
    ok, message = tests[rule]
    builder.add(name or rule, lambda v: None if ok(v) else message, is_type=True)
    builder.numeric = builder.numeric or rule in ("integer", "numeric")
    return True


def _options_check(builder: RuleBuilder, rule: str, options: Sequence[Any], allowed: bool) -> None:
    texts = tuple(_text(o) for o in options)
    shown = ", ".join(map(str, options))

    def test(value: Any) -> str | None:
        value = _plain(value)
        text = _text(value)
        found = text in texts if text is not None else any(_same(value, o) for o in options)
        if found == allowed:
            return None
        return f"must be one of: {shown}" if allowed else f"must not be one of: {shown}"

    builder.add(rule, test, values=list(options))


def _regex_check(builder: RuleBuilder, rule: str, source: str, matches: bool) -> None:
    pattern = _regex(source, rule)

    def test(value: Any) -> str | None:
        value = _plain(value)
        if isinstance(value, str) and bool(pattern.search(value)) == matches:
            return None
        return "has an invalid format"

    builder.add(rule, test)


_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def _regex(source: str, rule: str) -> re.Pattern[str]:
    """``/pattern/flags`` (PHP / JavaScript style) or a bare pattern, compiled."""
    flags = 0
    delimited = re.fullmatch(r"/(.*)/([a-zA-Z]*)", source, re.DOTALL)
    if delimited is not None:
        source = delimited.group(1)
        for flag in delimited.group(2):
            if flag not in _REGEX_FLAGS and flag not in "guy":
                raise SchemaError(f"{rule}: unknown regular expression flag {flag!r}")
            flags |= _REGEX_FLAGS.get(flag, 0)
    try:
        return re.compile(source, flags)
    except re.error as exc:
        raise SchemaError(f"{rule}: invalid regular expression {source!r} ({exc})") from None


# Laravel rule strings.
_MODIFIERS = ("nullable", "sometimes", "bail")
_HINTS = {
    "unique": "declare the attribute unique: true (enforced with a sentinel item)",
    "confirmed": "compare the two values before saving",
}
_LARAVEL_RULES = (
    "required required_if filled nullable sometimes bail string integer numeric boolean "
    "array date json email url uuid ulid alpha alpha_num alpha_dash min max between size in "
    "not_in regex not_regex starts_with ends_with"
)


def _split(rule: str) -> list[str]:
    """``a|b:c|regex:/x|y/`` → parts; a ``regex:/…/`` keeps the ``|`` inside its pattern."""
    parts: list[str] = []
    for piece in rule.split("|"):
        open_regex = parts and re.match(r"(?:not_)?regex:/", parts[-1])
        if open_regex and not re.search(r".+/[a-zA-Z]*$", parts[-1].split(":", 1)[1][1:]):
            parts[-1] += "|" + piece
        else:
            parts.append(piece)
    return [part.strip() for part in parts if part.strip()]


def read_laravel(builder: RuleBuilder, rule: str) -> None:
    for part in _split(rule):
        name, _, argument = part.partition(":")
        name = name.strip().lower()
        args = [a.strip() for a in argument.split(",")] if argument else []
        try:
            _laravel_rule(builder, name, args, argument)
        except SchemaError as exc:
            raise SchemaError(f"validation rule {part!r} in {rule!r}: {exc}") from None


def _arity(name: str, args: Sequence[Any], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low}+" if high > 99 else f"{low}-{high}"
        raise SchemaError(f"{name} takes {wanted} argument(s), got {len(args)}")


def _laravel_rule(builder: RuleBuilder, name: str, args: list[str], argument: str) -> None:
    if name in ("required", "filled") or name in _MODIFIERS:
        _arity(name, args, 0)
        builder.note(name)
        builder.required = builder.required or name == "required"
        builder.filled = builder.filled or name == "filled"
    elif name == "required_if":
        _arity(name, args, 2, 999)
        builder.note(name)
        builder.required_if = (args[0], tuple(args[1:]))
    elif _type_checks(builder, name):
        _arity(name, args, 0)
    elif name in _STRING_RULES:
        _arity(name, args, 0)
        _string_check(builder, name, *_STRING_RULES[name])
    elif name in ("min", "max", "size"):
        _arity(name, args, 1)
        bound = _bound(args[0], name)
        low = None if name == "max" else bound
        high = None if name == "min" else bound
        _size_check(builder, name, low, high)
    elif name == "between":
        _arity(name, args, 2)
        _size_check(builder, name, _bound(args[0], name), _bound(args[1], name))
    elif name in ("in", "not_in"):
        _arity(name, args, 1, 999)
        _options_check(builder, name, args, name == "in")
    elif name in ("regex", "not_regex"):
        _arity(name, [argument] if argument else [], 1)
        _regex_check(builder, name, argument, name == "regex")
    elif name in ("starts_with", "ends_with"):
        _arity(name, args, 1, 999)
        _affix_check(builder, name, args, name == "starts_with")
    else:
        hint = _HINTS.get(name, f"known rules: {', '.join(_LARAVEL_RULES.split())}")
        raise SchemaError(f"unknown validation rule {name!r}; {hint}")


_STRING_RULES: dict[str, tuple[Callable[[str], bool], str]] = {
    "email": (lambda t: bool(_EMAIL.match(t)), "be a valid email address"),
    "url": (_is_url, "be a valid URL"),
    "uuid": (_is_uuid, "be a valid UUID"),
    "ulid": (lambda t: bool(_ULID.match(t)), "be a valid ULID"),
    "alpha": (lambda t: t.isalpha(), "be only letters"),
    "alpha_num": (lambda t: t.isalnum(), "be only letters and digits"),
    "alpha_dash": (lambda t: bool(re.fullmatch(r"[\w-]+", t)), "be only letters, digits, - and _"),
}


# Stacks validator chains.
_CHAIN_TYPES = {"string": "string", "number": "numeric", "boolean": "boolean", "date": "date"}
_CHAIN_STRING = {"email": "email", "url": "url", "uuid": "uuid", "ulid": "ulid", "alpha": "alpha"}
_CHAIN_STRING |= {"alphaNumeric": "alpha_num", "alphanumeric": "alpha_num"}


def read_chain(builder: RuleBuilder, text: str) -> None:
    try:
        root, calls = parse_call_chain(text)
    except SchemaError:
        root, calls = "", []
    if root not in ("schema", "vine", "v") or not calls:
        raise SchemaError(
            f"validation code `{text}` is not a validator chain this library can check; "
            "write a Laravel rule string ('required|email') or a chain such as "
            "schema.string().email() / schema.number().min(0)"
        )
    base, args = calls[0]
    try:
        _chain_base(builder, base, args)
        for method, arguments in calls[1:]:
            _chain_method(builder, base, method, arguments)
    except SchemaError as exc:
        raise SchemaError(f"validation code `{text}`: {exc}") from None


def _chain_base(builder: RuleBuilder, base: str, args: list[Any]) -> None:
    if base in _CHAIN_TYPES:
        _arity(f"{base}()", args, 0)
        _type_checks(builder, _CHAIN_TYPES[base], base)
    elif base == "enum":
        _arity("enum()", args, 1)
        if not isinstance(args[0], list) or not args[0]:
            given = args[0]
            shown = f"code `{given.text}`" if isinstance(given, RawCode) else repr(given)
            raise SchemaError(
                f"enum() needs a list of values (enum(['a', 'b'])), got {shown}; write the "
                "values inline, or name a const declared with a literal in the same file"
            )
        _options_check(builder, "enum", args[0], True)
    elif base == "array":
        if args:
            raise SchemaError("array(...) element validators are not supported yet; use array()")
        _type_checks(builder, "array")
    else:
        known = ", ".join([*_CHAIN_TYPES, "enum", "array"])
        raise SchemaError(f"unknown validator {base}(); known: {known}")


def _affix_check(builder: RuleBuilder, rule: str, affixes: Sequence[Any], start: bool) -> None:
    if not affixes or not all(isinstance(a, str) for a in affixes):
        raise SchemaError(f"{rule} needs strings, got {list(affixes)!r}")
    found = tuple(affixes)
    shown = ", ".join(found)
    what = f"{'start' if start else 'end'} with one of: {shown}"
    ok = (lambda t: t.startswith(found)) if start else (lambda t: t.endswith(found))
    _string_check(builder, rule, ok, what)


def _chain_method(builder: RuleBuilder, base: str, method: str, args: list[Any]) -> None:
    call = f".{method}()"
    if method in ("required", "optional", "nullable"):
        _arity(call, args, 0)
        builder.note(method)
        builder.required = builder.required or method == "required"
    elif base == "string" and method in _CHAIN_STRING:
        _arity(call, args, 0)
        _string_check(builder, method, *_STRING_RULES[_CHAIN_STRING[method]])
    elif base in ("string", "array") and method in _LENGTHS:
        _arity(call, args, 1)
        bound = _whole(args[0], call)
        low, high = _LENGTHS[method](bound)
        _size_check(builder, method, low, high, length_only=True)
    elif base == "array" and method == "notEmpty":
        _arity(call, args, 0)
        _size_check(builder, method, 1, None, length_only=True)
    elif base == "string" and method in ("regex", "matches"):
        _arity(call, args, 1)
        source = args[0].text if isinstance(args[0], RawCode) else args[0]
        if not isinstance(source, str):
            raise SchemaError(f"{call} needs a regular expression, got {args[0]!r}")
        _regex_check(builder, method, source, True)
    elif base == "number" and method in _NUMBER_METHODS:
        _number_method(builder, method, args)
    elif base == "string" and method in ("startsWith", "endsWith"):
        _arity(call, args, 1, 999)
        _affix_check(builder, method, args, method == "startsWith")
    elif base in ("string", "number") and method in ("in", "notIn"):
        _arity(call, args, 1)
        if not isinstance(args[0], list):
            raise SchemaError(f"{call} needs a list of values, got {args[0]!r}")
        _options_check(builder, method, args[0], method == "in")
    else:
        raise SchemaError(f"{call} is not a known check of {base}() (it is not supported yet)")


def _whole(value: Any, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SchemaError(f"{call} needs a whole number ≥ 0, got {value!r}")
    return value


_LENGTHS: dict[str, Callable[[int], tuple[int | None, int | None]]] = {
    "minLength": lambda n: (n, None),
    "maxLength": lambda n: (None, n),
    "min": lambda n: (n, None),
    "max": lambda n: (None, n),
    "fixedLength": lambda n: (n, n),
    "length": lambda n: (n, n),
}
_NUMBER_METHODS = frozenset(
    ["min", "max", "range", "between", "positive", "negative", "integer", "withoutDecimals"]
)


def _number_method(builder: RuleBuilder, method: str, args: list[Any]) -> None:
    call = f".{method}()"
    if method in ("min", "max"):
        _arity(call, args, 1)
        bound = _bound(args[0], call)
        _size_check(builder, method, *((bound, None) if method == "min" else (None, bound)))
    elif method in ("range", "between"):
        values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        _arity(call, values, 2)
        _size_check(builder, method, _bound(values[0], call), _bound(values[1], call))
    elif method in ("positive", "negative"):
        _arity(call, args, 0)
        sign = 1 if method == "positive" else -1
        builder.add(
            method,
            lambda v: None if (_number(v, strings=True) or 0) * sign > 0 else f"must be {method}",
        )
    else:
        _arity(call, args, 0)
        builder.add(method, lambda v: None if _is_integer(v) else "must be an integer")
