"""``HasOne``: the parent side of a one-to-one relation (``user.profile``)."""

from __future__ import annotations

from dynamodb_tooling.orm.relations.base import R
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
from dynamodb_tooling.orm.relations.to_one import ToOne


class HasOne(ToOne[R], HasOneOrMany[R]):
    """The parent side of a one-to-one relation (``user.profile``): the model or ``None``."""

    kind = "has_one"
