"""Validation in Python, beside the rule strings (``attribute(validation="required|email")``).

``@validator("email", "backup_email")`` marks a model method that checks attribute values before
any write (SQLAlchemy's ``@validates``, pydantic's ``field_validator`` spelling). It is called
as ``method(self, name, value)`` for each named attribute being written — every attribute on an
insert, the changed ones on an update — and reports a problem by raising ``ValueError`` (its
message is the error) or returning a message string; returning ``None`` or ``True`` accepts.
Errors of rule strings and of validators are reported together: one
:class:`~dynamodb_tooling.errors.ModelValidationError` with the messages per attribute, raised
before any request. ``instance.validate()`` runs every check without writing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dynamodb_tooling.errors import ModelValidationError
from dynamodb_tooling.schema import ModelDefinition, Registry, SchemaError
from dynamodb_tooling.schema.validation import compile_validator

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__dbtooling_validates__"


def validator(*attributes: str) -> Callable[[F], F]:
    """Mark a method ``(self, name, value)`` as the validator of ``attributes``."""
    if not attributes or not all(isinstance(a, str) and a for a in attributes):
        raise SchemaError(
            "@validator(...) needs the attribute names it checks, e.g. @validator('email')"
        )

    def mark(function: F) -> F:
        setattr(function, _MARK, (*getattr(function, _MARK, ()), *attributes))
        return function

    return mark


class ValidatesAttributes:
    """Runs ``@validator`` methods with the rule strings before writes; ``validate()``."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        def to_values(self) -> dict[str, Any]: ...

    @classmethod
    def _validators(cls) -> dict[str, tuple[Callable[..., Any], ...]]:
        """Validator methods by attribute, base classes first (found once per class)."""
        found = cls.__dict__.get("_validator_methods")
        if found is None:
            by_name: dict[str, list[Callable[..., Any]]] = {}
            seen: set[str] = set()
            known = {
                cls.__definition__.primary_key,
                *(a.name for a in cls.__definition__.attributes),
            }
            for klass in reversed(cls.__mro__):
                for name, value in klass.__dict__.items():
                    names = getattr(value, _MARK, ())
                    if not names or name in seen:
                        continue
                    seen.add(name)
                    for attribute in names:
                        if attribute not in known:
                            raise SchemaError(
                                f"{cls.__definition__.name}.{name}: @validator names "
                                f"{attribute!r}, which is not an attribute of the model"
                            )
                        by_name.setdefault(attribute, []).append(getattr(cls, name))
            found = {k: tuple(v) for k, v in by_name.items()}
            type.__setattr__(cls, "_validator_methods", found)
        return found

    def _validator_errors(self, values: Mapping[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for attribute, checks in type(self)._validators().items():
            if attribute not in values:
                continue
            for check in checks:
                try:
                    result = check(self, attribute, values[attribute])
                except ValueError as exc:
                    result = str(exc) or f"{attribute} is invalid"
                if isinstance(result, str):
                    errors.setdefault(attribute, []).append(result)
        return errors

    def _check_before_write(self, values: Mapping[str, Any], write: Callable[[], Any]) -> Any:
        """Run ``write`` (which compiles the request and applies the rule strings) after the
        validators of ``values``; every error of both, together, before anything is sent."""
        if not type(self)._validators():  # the usual case: only the rule strings
            return write()
        found = self._validator_errors(values)
        try:
            result = write()
        except ModelValidationError as exc:
            for name, messages in found.items():
                exc.errors.setdefault(name, []).extend(messages)
            raise ModelValidationError(exc.model, exc.errors) from None
        if found:
            raise ModelValidationError(type(self).__definition__.name, found)
        return result

    def validate(self) -> None:
        """Check every attribute (rule strings and ``@validator`` methods) as an insert
        would; raise one :class:`ModelValidationError`, write nothing."""
        values = self.to_values()
        definition = type(self).__definition__
        errors = compile_validator(definition).errors(values, partial=False)
        for name, messages in self._validator_errors(values).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ModelValidationError(definition.name, errors)
