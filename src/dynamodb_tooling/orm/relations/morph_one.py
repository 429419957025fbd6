"""``MorphOne``: the parent side of a polymorphic one-to-one (``post.image``)."""

from __future__ import annotations

from dynamodb_tooling.orm.relations.base import R
from dynamodb_tooling.orm.relations.morph_one_or_many import MorphOneOrMany
from dynamodb_tooling.orm.relations.to_one import ToOne


class MorphOne(ToOne[R], MorphOneOrMany[R]):
    """``post.image``: the one child of a polymorphic link, or ``None``."""

    kind = "morph_one"
