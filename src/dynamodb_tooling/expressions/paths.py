"""Document paths: ``a.b[2].c`` parsed into names and list indexes, rendered via placeholders."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeAlias

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._placeholders import Placeholders

PathElement: TypeAlias = str | int
"""One step of a document path: an attribute (map key) name or a list index."""

_SEGMENT = re.compile(r"(?P<name>[^.\[\]]+)(?P<indexes>(?:\[\d+\])*)")
_INDEX = re.compile(r"\d+")
_SYNTAX_HINT = (
    "write names separated by dots with list indexes in brackets, e.g. 'a.b[2].c' "
    "(use Path.of(...) for names containing '.', '[' or ']')"
)


@dataclass(frozen=True, slots=True)
class Path:
    """A parsed document path; build with :func:`path` or :meth:`Path.of`."""

    elements: tuple[PathElement, ...]

    def __post_init__(self) -> None:
        if not self.elements or not isinstance(self.elements[0], str):
            raise ExpressionError(
                f"a document path must start with an attribute name, got {self.elements!r}"
            )
        for element in self.elements:
            _check_element(element)

    @classmethod
    def of(cls, *parts: PathElement) -> Path:
        """A path from literal parts: ``Path.of("weird.name", 0)`` is ``#n0[0]``, one name."""
        return cls(parts)

    def render(self, ph: Placeholders) -> str:
        """``#n0.#n1[2]``: every name through a placeholder, indexes inline."""
        return self._join(ph.name)

    def overlaps(self, other: Path) -> bool:
        """True when the paths are equal or one is inside the other (``a`` and ``a.b``)."""
        shortest = min(len(self.elements), len(other.elements))
        return self.elements[:shortest] == other.elements[:shortest]

    def __str__(self) -> str:
        return self._join(str)

    def _join(self, name: Callable[[str], str]) -> str:
        text = ""
        for element in self.elements:
            if isinstance(element, int):
                text += f"[{element}]"
            else:
                text += f".{name(element)}" if text else name(element)
        return text


def _check_element(element: object) -> None:
    if isinstance(element, bool) or not isinstance(element, str | int):
        raise ExpressionError(
            f"a path element must be a name (str) or a list index (int), got {element!r}"
        )
    if element == "":
        raise ExpressionError("a path element name may not be empty")
    if isinstance(element, int) and element < 0:
        raise ExpressionError(f"list index {element} is negative; DynamoDB list indexes start at 0")


def path(text: str) -> Path:
    """Parse ``"a.b[2].c"`` into a :class:`Path`; malformed text raises ExpressionError."""
    if not isinstance(text, str) or not text:
        raise ExpressionError(f"empty document path {text!r}; {_SYNTAX_HINT}")
    return _parse(text)


@lru_cache(maxsize=4096)  # the same attribute names are parsed on every request
def _parse(text: str) -> Path:
    elements: list[PathElement] = []
    for segment in text.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise ExpressionError(
                f"malformed document path {text!r}: {_problem(segment)}; {_SYNTAX_HINT}"
            )
        elements.append(match["name"])
        elements.extend(int(index) for index in _INDEX.findall(match["indexes"]))
    return Path(tuple(elements))


def _problem(segment: str) -> str:
    if not segment:
        return "empty name between dots"
    if segment.startswith("["):
        return f"{segment!r} has a list index without an attribute name before it"
    return f"{segment!r} has a list index that is not a non-negative integer in brackets"


class SupportsPath(Protocol):
    """Anything that refers to one document path, such as ``attr("a.b")``."""

    @property
    def path(self) -> Path: ...


PathRef: TypeAlias = str | Path | SupportsPath
"""Where the API takes a path: text (parsed), a :class:`Path`, or an ``Attr``."""


def as_path(ref: PathRef) -> Path:
    """Resolve a :data:`PathRef` to a :class:`Path`."""
    if isinstance(ref, str):
        return path(ref)
    if isinstance(ref, Path):
        return ref
    resolved = getattr(ref, "path", None)
    if not isinstance(resolved, Path):
        raise ExpressionError(
            f"expected a document path (str, Path or attr(...)), got {type(ref).__name__}"
        )
    return resolved
