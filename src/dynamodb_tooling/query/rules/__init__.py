"""The planner's rules, one small class each, tried in this order (DESIGN §3 and §4).

Direct rules — the first that returns a plan wins:

1. :class:`PrimaryKeyRule` — primary-key equality (plus a collection child's ancestor ids)
   → GetItem.
2. :class:`KeyListRule` — ``where_in`` on the primary key → BatchGetItem (100 keys a request).
3. :class:`UniqueRule` — equality on a unique attribute → sentinel GetItem, then GetItem.

Query rules — each offers candidates; a range condition on a candidate's sort attribute folds
into its key condition (+10), ``order_by`` that attribute adds 5, ``use_index`` keeps only the
candidates on that index; the highest score wins, the earlier rule on a tie:

4. :class:`CollectionRule` — every ancestor id known → the item collection's partition (60).
5. :class:`LsiRule` — the same partition through an LSI, when ranged on or ordered by its
   sort attribute (58).
6. :class:`IndexPathRule` — equality on what a GSI path is keyed by: a collection child's id
   (70), a relation's foreign key, a polymorphic link's type and id, or an indexed attribute
   (50).
7. :class:`IndexPathInRule` — ``where_in`` on any of those (or on a collection parent's id,
   or on one half of a polymorphic link whose other half is equal) → one Query per value,
   run concurrently and merged (45).
8. :class:`ExpiryRule` — a condition on the TTL attribute → the expiry index (40).
9. :class:`ExtraIndexRule` — ``use_index(<configured extra GSI>)`` with equality on its
   partition attribute (30).

Fallback:

10. :class:`ScanRule` — a Scan filtered by entity type: warned, or refused when ``allow_scan``
    is off (``force_scan()`` skips every other rule; ``force_query()`` refuses instead).

Whatever a rule does not consume becomes the FilterExpression (or an after-fetch check for
GetItem and BatchGetItem). A new rule is one class: give it a ``name`` and ``plan(ctx)`` (direct)
or ``candidates(ctx)`` (Query), and put it in :data:`DIRECT_RULES` or :data:`QUERY_RULES` at its
place in the order.
"""

from dynamodb_tooling.query.rules.base import (
    Candidate,
    Context,
    DirectRule,
    FallbackRule,
    QueryRule,
)
from dynamodb_tooling.query.rules.direct import KeyListRule, PrimaryKeyRule, UniqueRule
from dynamodb_tooling.query.rules.path_in import IndexPathInRule
from dynamodb_tooling.query.rules.paths import (
    CollectionRule,
    ExpiryRule,
    ExtraIndexRule,
    IndexPathRule,
    LsiRule,
)
from dynamodb_tooling.query.rules.scan import ScanRule

#: Tried in order; the first to return a plan wins.
DIRECT_RULES: tuple[DirectRule, ...] = (PrimaryKeyRule(), KeyListRule(), UniqueRule())
#: Each offers Query candidates; the best score wins, the earlier rule on a tie.
QUERY_RULES: tuple[QueryRule, ...] = (
    CollectionRule(),
    LsiRule(),
    IndexPathRule(),
    IndexPathInRule(),
    ExpiryRule(),
    ExtraIndexRule(),
)
#: When no other rule serves.
FALLBACK: FallbackRule = ScanRule()
#: Every rule, in the order they are tried.
RULES: tuple[DirectRule | QueryRule | FallbackRule, ...] = (*DIRECT_RULES, *QUERY_RULES, FALLBACK)

__all__ = [
    "DIRECT_RULES",
    "FALLBACK",
    "QUERY_RULES",
    "RULES",
    "Candidate",
    "CollectionRule",
    "Context",
    "DirectRule",
    "ExpiryRule",
    "ExtraIndexRule",
    "FallbackRule",
    "IndexPathInRule",
    "IndexPathRule",
    "KeyListRule",
    "LsiRule",
    "PrimaryKeyRule",
    "QueryRule",
    "ScanRule",
    "UniqueRule",
]
