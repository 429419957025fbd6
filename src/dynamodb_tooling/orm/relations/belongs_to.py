"""``BelongsTo``: the child side — the model holds its parent's id (``post.user_id``).

``post.user`` is the parent model or ``None``. Loading the parents of N children is one
``where_in`` on the parent's primary key: BatchGetItem, 100 keys per request, the requests
side by side; each distinct parent is fetched once. ``post.user = ada`` sets ``user_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import R, set_loaded
from dynamodb_tooling.orm.relations.base import identity as _identity
from dynamodb_tooling.orm.relations.base import unique_ids as _unique
from dynamodb_tooling.orm.relations.to_one import ToOne

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.schema.resolve import ParentLink


class BelongsTo(ToOne[R]):
    """The child side: the model holds the parent's id in ``<parent>_id``."""

    kind = "belongs_to"

    if TYPE_CHECKING:

        def __set__(self, instance: Model, value: R | None) -> None: ...

    @property
    def parent_link(self) -> ParentLink:
        if self.link is None:
            raise QueryError(f"{self.label} has no resolved foreign key")
        return self.link

    @property
    def key_name(self) -> str:
        """This model's attribute holding the parent's id (``user_id``)."""
        return self.parent_link.foreign_key

    def _owner_key(self) -> str:
        return self.related.__definition__.primary_key

    def assign(self, parent: Model, value: Any) -> None:
        """``post.user = ada`` (Eloquent's ``associate``): sets ``user_id`` and the loaded
        relation; ``post.user = None`` clears both (``dissociate``). Saved by ``save()``."""
        if value is None:
            setattr(parent, self.key_name, None)
            set_loaded(parent, self.name, None)
            return
        related = self.related
        if not isinstance(value, related):
            raise QueryError(
                f"{self.label} takes a {related.__name__} (or None), not "
                f"{type(value).__name__}; to set the id alone assign {self.key_name}"
            )
        key = value.get_key()
        if key is None:
            raise QueryError(
                f"{self.label}: the {related.__name__} has no id yet; save it before associating it"
            )
        setattr(parent, self.key_name, key)
        set_loaded(parent, self.name, value)

    def _full_key(self, child: Model) -> dict[str, Any]:
        """For a parent that is itself a collection child (``line.order``: the Order lives in
        its Shop's partition), the parent's ancestors' ids the child holds too — with them
        the parent's whole primary key is known (a GetItem instead of an id lookup)."""
        schema = self.owner_class.__registry__.schema
        ancestry = schema.entity(self.parent_link.parent).ancestry
        values = {a.foreign_key: getattr(child, a.foreign_key, None) for a in ancestry}
        return values if all(v is not None for v in values.values()) else {}

    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        query = query.where(self._owner_key(), getattr(parent, self.key_name))
        for name, value in self._full_key(parent).items():
            query = query.where(name, value)
        return query

    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        ids = _unique(getattr(p, self.key_name) for p in parents)
        if len(ids) == 1:  # one parent: GetItem
            first = next(p for p in parents if getattr(p, self.key_name) is not None)
            return self.add_constraints(query, first)
        return query.where_in(self._owner_key(), ids) if ids else None

    def match(self, parents: Sequence[Model], results: Sequence[R]) -> None:
        key = self._owner_key()
        by_id = {_identity(getattr(owner, key)): owner for owner in results}
        for parent in parents:
            set_loaded(parent, self.name, by_id.get(_identity(getattr(parent, self.key_name))))
