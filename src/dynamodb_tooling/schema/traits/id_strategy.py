"""The id strategy as a trait plug-in: which id a new item gets.

ULIDs need no plug-in (the default when no trait supplies an id). A model declared with
``uuid=True`` / ``"v4"`` gets random UUIDs, ``uuid="v7"`` time-ordered UUIDs, and a Stacks
model with ``primaryKey`` supplied by the caller (``id_strategy="caller"``) gets none: its
ids must be given. Another plug-in (:func:`~dynamodb_tooling.schema.traits.register_trait`)
can supply ids the same way, by implementing ``new_id``.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.ids import uuid7
from dynamodb_tooling.schema.traits.base import ModelTrait


class IdStrategyTrait(ModelTrait):
    """Random or time-ordered UUIDs, or caller-supplied ids, instead of ULIDs."""

    name: ClassVar[str] = "id_strategy"

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.traits.id_strategy != "ulid"

    def assigns_ids(self, definition: ModelDefinition) -> bool:
        return definition.traits.id_strategy != "caller"

    def new_id(self, definition: ModelDefinition) -> str | None:
        strategy = definition.traits.id_strategy
        if strategy == "uuid":
            return str(uuid.uuid4())
        if strategy == "uuid7":
            return str(uuid7())
        raise SchemaError(
            f"{definition.name} ids are supplied by the caller; pass "
            f"{definition.primary_key}=... when creating one"
        )
