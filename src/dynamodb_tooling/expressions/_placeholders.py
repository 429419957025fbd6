"""Placeholder allocation: every attribute name and every value goes through a placeholder."""

from __future__ import annotations

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.expressions._values import attribute_value


class Placeholders:
    """Allocates ``#n<i>`` and ``:v<i>`` placeholders, deterministically, in order of first use.

    Share one instance between every expression of a request so placeholders never clash.
    The same attribute name always gets the same name placeholder; each value gets a new one.

    >>> ph = Placeholders()
    >>> ph.name("age"), ph.name("age"), ph.value(30)
    ('#n0', '#n0', ':v0')
    >>> ph.names, ph.values
    ({'#n0': 'age'}, {':v0': {'N': '30'}})
    """

    __slots__ = ("_names", "_values")

    def __init__(self) -> None:
        self._names: dict[str, str] = {}  # attribute name → placeholder
        self._values: dict[str, AttributeValue] = {}  # placeholder → value

    def name(self, part: str) -> str:
        """The placeholder of one attribute name (one path element), allocated on first use."""
        placeholder = self._names.get(part)
        if placeholder is None:
            placeholder = self._names[part] = f"#n{len(self._names)}"
        return placeholder

    def value(self, value: object) -> str:
        """A new placeholder for one Python value, marshalled now."""
        return self.marshalled(attribute_value(value))

    def marshalled(self, value: AttributeValue) -> str:
        """A new placeholder for an already-marshalled AttributeValue."""
        placeholder = f":v{len(self._values)}"
        self._values[placeholder] = value
        return placeholder

    @property
    def names(self) -> dict[str, str]:
        """``ExpressionAttributeNames``: placeholder → attribute name (a copy)."""
        return {placeholder: name for name, placeholder in self._names.items()}

    @property
    def values(self) -> dict[str, AttributeValue]:
        """``ExpressionAttributeValues``: placeholder → AttributeValue (a copy)."""
        return dict(self._values)
