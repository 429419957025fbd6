"""ProjectionExpression: the attributes a read returns."""

from __future__ import annotations

from dataclasses import dataclass

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions.paths import Path, PathRef, as_path


@dataclass(frozen=True, slots=True)
class Projection:
    """A ProjectionExpression: ``#n0, #n1.#n2[2]``; build with :func:`projection`."""

    paths: tuple[Path, ...]

    def __post_init__(self) -> None:
        if not self.paths:
            raise ExpressionError(
                "a projection needs at least one path; pass projection=None to read every attribute"
            )

    def render(self, ph: Placeholders) -> str:
        return ", ".join(p.render(ph) for p in self.paths)


def projection(*paths: PathRef) -> Projection:
    """The attributes to read; repeated paths and paths inside another listed path are dropped
    (DynamoDB rejects overlapping projection paths, and ``a`` already returns ``a.b``)."""
    unique = list(dict.fromkeys(as_path(p) for p in paths))
    kept = [p for p in unique if not any(_inside(p, other) for other in unique)]
    return Projection(tuple(kept))


def _inside(inner: Path, outer: Path) -> bool:
    return inner != outer and inner.overlaps(outer) and len(inner.elements) > len(outer.elements)
