"""A project of ``.py`` + ``.ts`` + ``.json`` models, loaded by ``load_models`` and used through
the returned classes against the engine."""

from typing import Any

import pytest

from dynamodb_tooling import BelongsTo, get_model, load_models
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import UniqueConstraintError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry
from tests.orm.test_loading import Project, project  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration

TEAM_PY = """
    from dynamodb_tooling import Model


    class Team(Model):
        name: str
"""

AUTHOR_PY = """
    from dynamodb_tooling import BelongsTo, Model, attribute
    from models.team import Team


    class Author(Model):
        email: str = attribute(unique=True)
        team = BelongsTo(Team)
"""

POST_TS = """
    import { schema } from '@stacksjs/validation'

    export default {
      name: 'Post',
      belongsTo: ['Team'],
      attributes: {
        title: { validation: { rule: schema.string().minLength(1) } },
        status: { nullable: true, index: true },
      },
      traits: { useTimestamps: true },
    }
"""

COMMENT_JSON = """
    {"name": "Comment", "belongsTo": ["Post"], "attributes": {"body": {}}}
"""


@pytest.fixture
def models(project: Project) -> dict[str, type[Model]]:  # noqa: F811
    project.write("models/team.py", TEAM_PY)
    project.write("models/author.py", AUTHOR_PY)
    project.write("models/Post.ts", POST_TS)
    project.write("models/comment.json", COMMENT_JSON)
    return {cls.__name__: cls for cls in load_models(project.root / "models")}


@pytest.fixture
def dynamodb_registry(models: dict[str, type[Model]], project: Project) -> Registry:  # noqa: F811
    return project.registry  # the application registry the models were loaded into


def stored_types(client: DynamoDBClient, table: str) -> list[str]:
    return sorted(unmarshall_item(i)["_et"] for i in client.scan_all(table).items)


def test_loaded_classes_create_find_and_query(
    models: dict[str, type[Model]], dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    Team, Author, Post, Comment = (models[n] for n in ("Team", "Author", "Post", "Comment"))
    assert sorted(models) == ["Author", "Comment", "Post", "Team"]
    assert isinstance(vars(Post)["team"], BelongsTo)
    assert isinstance(vars(Comment)["post"], BelongsTo)
    assert get_model("Comment") is Comment

    team = Team.create(name="Blue")
    author = Author.create(email="ada@example.com", team_id=team.id)
    post = Post.create(title="Hello", team_id=team.id, status="draft")
    Post.create(title="Other team", team_id="t-other")
    comment = get_model("Comment").create(body="Nice", post_id=post.id)

    found: Any = Post.find(post.id)
    assert (found.title, found.status, found.team_id) == ("Hello", "draft", team.id)
    assert found.created_at is not None  # the Stacks trait useTimestamps
    assert Author.find(author.id) == author
    by_team = Post.where("team_id", team.id)
    assert by_team.explain().operation == "Query"
    assert [p.id for p in by_team.get()] == [post.id]
    assert [p.id for p in Post.where("status", "draft").get()] == [post.id]
    assert [c.id for c in Comment.where("post_id", post.id).get()] == [comment.id]
    with pytest.raises(UniqueConstraintError):
        Author.create(email="ada@example.com", team_id=team.id)
    assert stored_types(dynamodb_client, dynamodb_table) == [
        "Author",
        "Comment",
        "Post",
        "Post",
        "Team",
        "_Unique",
    ]
