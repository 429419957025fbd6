"""The blog: the example app ``dbtooling demo`` runs and ``examples/blog_api`` serves.

Teams, users (unique email, timestamps), posts (sparse ``status`` index) with comments in the
post's partition, orders with lines in the order's partition, and roles linked many-to-many
with a ``granted_at`` pivot. The models live in their own registry :data:`BLOG`, which
follows the active configuration (see :mod:`.models` for the design and why):

>>> from dynamodb_tooling.examples.blog import BLOG, BlogSeeder, User  # doctest: +SKIP
>>> migrate(BLOG)                                                    # doctest: +SKIP
>>> run_seeders([BlogSeeder])                                        # doctest: +SKIP
>>> User.with_("posts", "team").where("email", "ada@example.com").first()  # doctest: +SKIP

:mod:`.factories` has a factory per model (``User.factory()``), :mod:`.seeders` the seeders.
"""

from dynamodb_tooling.examples.blog.factories import (
    CommentFactory,
    OrderFactory,
    OrderLineFactory,
    PostFactory,
    RoleFactory,
    TeamFactory,
    UserFactory,
)
from dynamodb_tooling.examples.blog.models import (
    BLOG,
    Comment,
    Order,
    OrderLine,
    Post,
    Role,
    Team,
    User,
)
from dynamodb_tooling.examples.blog.seeders import (
    ROLE_NAMES,
    SHOWCASE_EMAIL,
    BlogSeeder,
    OrderSeeder,
    PostSeeder,
    RoleSeeder,
    ShowcaseSeeder,
    TeamSeeder,
    UserSeeder,
)

__all__ = [
    "BLOG",
    "ROLE_NAMES",
    "SHOWCASE_EMAIL",
    "BlogSeeder",
    "Comment",
    "CommentFactory",
    "Order",
    "OrderFactory",
    "OrderLine",
    "OrderLineFactory",
    "OrderSeeder",
    "Post",
    "PostFactory",
    "PostSeeder",
    "Role",
    "RoleFactory",
    "RoleSeeder",
    "ShowcaseSeeder",
    "Team",
    "TeamFactory",
    "TeamSeeder",
    "User",
    "UserFactory",
    "UserSeeder",
]
