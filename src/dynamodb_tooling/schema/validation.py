"""Validation rules of model attributes, compiled once per model definition.

A rule comes from ``attribute(validation="required|email")`` or a Stacks ``validation``
property, and is either a Laravel rule string or a Stacks validator chain kept as text::

    "required|string|max:255"            "email"            "nullable|integer|between:1,10"
    schema.string().minLength(1).maxLength(255)          schema.number().min(0)
    schema.string().email().required()                   schema.enum(['draft', 'published'])

Laravel rules: ``required``, ``required_if:other,value,...``, ``filled``, ``nullable``,
``sometimes``, ``bail``, ``string``, ``integer``, ``numeric``, ``boolean``, ``array``, ``date``,
``json``, ``email``, ``url``, ``uuid``, ``ulid``, ``alpha``, ``alpha_num``, ``alpha_dash``,
``min:n``, ``max:n``, ``between:a,b``, ``size:n``, ``in:a,b``, ``not_in:a,b``,
``regex:/…/flags`` (may contain ``|``), ``not_regex:/…/``, ``starts_with:a,b``, ``ends_with:a,b``.
Chains on ``schema``/``vine``/``v``: ``string()``, ``number()``, ``boolean()``, ``date()``,
``enum([...])``, ``array()``, then ``required()``/``optional()``/``nullable()``; for strings
``email() url() uuid() ulid() alpha() alphaNumeric() minLength(n) maxLength(n) min(n) max(n)
fixedLength(n) length(n) regex(/…/) matches(/…/) startsWith(s) endsWith(s) in([...])
notIn([...])``; for numbers ``min max range([a, b]) between(a, b) positive negative integer
withoutDecimals in notIn``; for arrays ``minLength maxLength min max length notEmpty``.

An unknown rule (or a malformed argument) is a :class:`SchemaError` when the model is defined,
never a rule silently skipped. :func:`validate_values` checks values before a write and raises
one :class:`ModelValidationError` listing every failing attribute. ``partial=True`` (updates)
checks only the attributes given, so ``required`` only forces a value on inserts and full puts;
given ``None`` (removing the attribute) still breaks ``required``.

Semantics, Laravel's where they apply: ``None`` skips every rule but ``required``; ``required``
(and ``filled``) also refuse ``""`` and empty lists/maps; a failed type rule (``string``,
``integer``, ``numeric``, ``boolean``, ``array``, ``date``, ``json``, a chain's
``schema.string()`` …) stops the attribute's other checks. ``min``/``max``/``between``/``size``
measure a number's value, a string's length or a list's (map's) item count; a numeric string
counts as a number when the attribute also has ``numeric``/``integer``.

Custom messages are keyed by rule name (``{"email": "Use a work address"}``; ``min_length`` and
``minLength`` are the same key) or given as one string for every rule; ``:attribute`` and the
rule's parameters (``:min``, ``:max``, ``:size``, ``:values``) are filled in.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, overload

from dynamodb_tooling.errors import ModelValidationError
from dynamodb_tooling.schema._validation_rules import (
    FieldRules,
    RuleBuilder,
    message_key,
    read_chain,
    read_laravel,
)
from dynamodb_tooling.schema.definitions import AttributeDefinition, ModelDefinition, RawCode
from dynamodb_tooling.schema.errors import SchemaError

__all__ = [
    "FieldRules",
    "ModelValidationError",
    "ModelValidator",
    "RuleCode",
    "Rules",
    "compile_rules",
    "compile_validator",
    "validate_values",
    "with_messages",
]


# Rules with custom messages.
class Rules(str):
    """A Laravel rule string carrying custom messages (by rule name; a string for every rule).

    >>> email: str = attribute(validation=Rules("required|email", {"email": "Use your email"}))
    """

    messages: Mapping[str, str]

    def __new__(cls, rule: str, messages: Mapping[str, str] | str | None = None) -> Rules:
        self = super().__new__(cls, rule)
        self.messages = _message_table(messages, f"the messages of {rule!r}")
        return self


@dataclass(frozen=True, eq=False)
class RuleCode(RawCode):
    """A validator chain kept as text, carrying custom messages; equal to its :class:`RawCode`."""

    messages: Mapping[str, str] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawCode):
            return (self.text, self.note) == (other.text, other.note)
        return NotImplemented

    __hash__ = RawCode.__hash__


@overload
def with_messages(rule: str, messages: Any) -> str: ...
@overload
def with_messages(rule: RawCode, messages: Any) -> RawCode: ...
@overload
def with_messages(rule: None, messages: Any) -> None: ...
def with_messages(rule: str | RawCode | None, messages: Any) -> str | RawCode | None:
    """``rule`` carrying ``messages`` (a mapping by rule name, or one string for every rule)."""
    table = _message_table(messages, "validation.message")
    if rule is None or not table:
        return rule
    if isinstance(rule, RawCode):
        return RuleCode(rule.text, rule.note, table)
    return Rules(rule, table)


def _message_table(messages: Any, what: str) -> dict[str, str]:
    if messages is None:
        return {}
    if isinstance(messages, str):
        return {"*": messages}
    if not isinstance(messages, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in messages.items()
    ):
        raise SchemaError(
            f"{what} must be a message string or an object of messages by rule name "
            f"(e.g. {{email: 'Use your email'}}), got {messages!r}"
        )
    return {message_key(name): text for name, text in messages.items()}


@dataclass(frozen=True)
class ModelValidator:
    """Every attribute's compiled rules for one model."""

    model: str
    fields: tuple[FieldRules, ...] = ()

    def errors(self, values: Mapping[str, Any], *, partial: bool) -> dict[str, list[str]]:
        found = ((f.attribute, f.errors(values, partial=partial)) for f in self.fields)
        return {name: messages for name, messages in found if messages}

    def validate(self, values: Mapping[str, Any], *, partial: bool) -> None:
        if not self.fields:
            return
        errors = self.errors(values, partial=partial)
        if errors:
            raise ModelValidationError(self.model, errors)


_VALIDATORS: dict[int, ModelValidator] = {}


def compile_validator(definition: ModelDefinition) -> ModelValidator:
    """The validator of ``definition``, compiled on first use and kept with it.

    Raises :class:`SchemaError` naming the model, the attribute and the rule when a rule is
    unknown or malformed.
    """
    key = id(definition)
    found = _VALIDATORS.get(key)
    if found is None:
        rules = (_field(definition.name, a) for a in definition.attributes)
        found = ModelValidator(definition.name, tuple(r for r in rules if r is not None))
        _VALIDATORS[key] = found
        weakref.finalize(definition, _VALIDATORS.pop, key, None)
    return found


def validate_values(
    definition: ModelDefinition, values: Mapping[str, Any], *, partial: bool
) -> None:
    """Check ``values`` against the model's rules; raise one :class:`ModelValidationError`.

    ``partial=False`` for inserts and full puts (absent attributes count as ``None``),
    ``partial=True`` for updates (only the attributes given are checked).
    """
    compile_validator(definition).validate(values, partial=partial)


def _field(model: str, attribute: AttributeDefinition) -> FieldRules | None:
    if attribute.validation is None:
        return None
    try:
        rules = compile_rules(attribute.validation, attribute.name)
    except SchemaError as exc:
        raise SchemaError(f"{model}.{attribute.name}: {exc}") from None
    if attribute.nullable and rules.required:
        # A nullable attribute may be absent (the definition says so); required still
        # refuses an empty value.
        rules = replace(rules, required=False, filled=True)
    return rules


def compile_rules(rule: str | RawCode, attribute: str = "value") -> FieldRules:
    """The compiled checks of one rule (a Laravel string or a Stacks chain as :class:`RawCode`).

    >>> compile_rules("required|email", "email").required
    True
    """
    messages = getattr(rule, "messages", {})
    builder = RuleBuilder(attribute, messages)
    if isinstance(rule, RawCode):
        read_chain(builder, rule.text)
    elif isinstance(rule, str):
        read_laravel(builder, rule)
    else:
        raise SchemaError(f"a validation rule must be a rule string or code, got {rule!r}")
    return builder.build()
