"""``BelongsTo``: the child side — the model holds its parent's id (``post.user_id``).

``post.user`` is the parent model or ``None``. Loading the parents of N children is one
``where_in`` on the parent's primary key: BatchGetItem, 100 keys per request, the requests
side by side; each distinct parent is fetched once. ``post.user = ada`` sets ``user_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import R, Relation, set_loaded
from dynamodb_tooling.orm.relations.has_many import _identity, _unique

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.schema.resolve import ParentLink


class BelongsTo(Relation[R]):
    """The child side: the model holds the parent's id in ``<parent>_id``."""

    kind = "belongs_to"
    many: ClassVar[bool] = False

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> R | None: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...
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

    def value_for(self, parent: Model) -> R | None:
        from dynamodb_tooling.orm.relations.lazy import loaded_or_load

        found: R | None = loaded_or_load(self, parent)
        return found

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

    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        return query.where(self._owner_key(), getattr(parent, self.key_name))

    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        ids = _unique(getattr(p, self.key_name) for p in parents)
        if len(ids) == 1:  # one parent: GetItem
            return query.where(self._owner_key(), ids[0])
        return query.where_in(self._owner_key(), ids) if ids else None

    def match(self, parents: Sequence[Model], results: Sequence[R]) -> None:
        key = self._owner_key()
        by_id = {_identity(getattr(owner, key)): owner for owner in results}
        for parent in parents:
            set_loaded(parent, self.name, by_id.get(_identity(getattr(parent, self.key_name))))
