"""The blog fixture as the canonical definitions every front end must produce.

User, Team, Post, Comment, Role (many-to-many with User), Order as a collection of User sorted by
``created_at`` with OrderLine nested in it, a unique ``email`` and an indexed ``status``.
"""

from dynamodb_tooling.schema import ModelDefinition, RelationDefinition, Traits
from dynamodb_tooling.schema.naming import make_attribute as attr

TEAM = ModelDefinition(
    name="Team",
    prefix="TEAM",
    attributes=(attr("name", "string"),),
    relations=(RelationDefinition("users", "has_many", "User"),),
)
USER = ModelDefinition(
    name="User",
    prefix="USER",
    attributes=(
        attr("email", "string", unique=True),
        attr("name", "string"),
        attr("age", "integer", nullable=True),
        attr("password", "string", nullable=True, hidden=True),
    ),
    relations=(
        RelationDefinition("team", "belongs_to", "Team"),
        RelationDefinition("posts", "has_many", "Post"),
        RelationDefinition("roles", "belongs_to_many", "Role"),
        RelationDefinition("orders", "has_many", "Order", collection=True, sort_by="created_at"),
    ),
    traits=Traits(timestamps=True, soft_deletes=True),
)
POST = ModelDefinition(
    name="Post",
    prefix="POST",
    attributes=(
        attr("title", "string"),
        attr("status", "string", nullable=True, index=True),
    ),
    relations=(
        RelationDefinition("user", "belongs_to", "User"),
        RelationDefinition("comments", "has_many", "Comment"),
    ),
    traits=Traits(timestamps=True),
)
COMMENT = ModelDefinition(
    name="Comment",
    prefix="COMMENT",
    attributes=(attr("body", "string"),),
    relations=(
        RelationDefinition("post", "belongs_to", "Post"),
        RelationDefinition("user", "belongs_to", "User"),
    ),
)
ROLE = ModelDefinition(name="Role", prefix="ROLE", attributes=(attr("name", "string"),))
ORDER = ModelDefinition(
    name="Order",
    prefix="ORDER",
    attributes=(attr("total", "integer"), attr("status", "string")),
    relations=(RelationDefinition("lines", "has_many", "OrderLine", collection=True),),
    traits=Traits(timestamps=True),
)
ORDER_LINE = ModelDefinition(
    name="OrderLine",
    prefix="LINE",
    attributes=(attr("sku", "string"), attr("quantity", "integer")),
)

BLOG = (COMMENT, ORDER, ORDER_LINE, POST, ROLE, TEAM, USER)
