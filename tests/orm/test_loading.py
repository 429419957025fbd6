"""``load_models`` returns model classes for every kind of model file; ``get_model`` finds them.

Python model modules are imported the way the application imports them, so cross-imports
between model modules give one class; Stacks models become classes with relation attributes.
"""

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import dynamodb_tooling
from dynamodb_tooling import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    Model,
    define_model,
    get_model,
    load_models,
)
from dynamodb_tooling.orm import LazyLoadingViolationError, Relation, prevent_lazy_loading
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.schema import registry as registry_module
from dynamodb_tooling.schema.stacks import register_stacks_model


class Project:
    """A throwaway application folder, on ``sys.path`` like a project's root."""

    def __init__(self, root: Path, registry: Registry) -> None:
        self.root = root
        self.registry = registry  # the application registry while the test runs

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """A project root on ``sys.path`` and a fresh application registry; modules imported
    during the test are forgotten afterwards."""
    root = tmp_path / "project"
    root.mkdir()
    registry = Registry()
    monkeypatch.setattr(registry_module, "_global", registry)
    monkeypatch.syspath_prepend(str(root))
    modules = set(sys.modules)
    yield Project(root, registry)
    for name in set(sys.modules) - modules:
        del sys.modules[name]


TEAM_PY = """
    from dynamodb_tooling import HasMany, Model


    class Team(Model):
        name: str
        projects = HasMany("Project")
"""

POST_PY = """
    from dynamodb_tooling import BelongsTo, Model
    from models.team import Team


    class Post(Model):
        title: str
        team = BelongsTo(Team)
"""


# Python model modules: cross-imports give one class.
def test_a_model_module_importing_another_gives_one_class_per_model(project: Project) -> None:
    project.write("models/team.py", TEAM_PY)
    project.write("models/post.py", POST_PY)
    project.write(
        "models/project.py",
        "from dynamodb_tooling import Model\n\n\nclass Project(Model):\n    title: str\n",
    )
    Post, Project_, Team = load_models(project.root / "models")
    team_module = sys.modules["models.team"]
    assert Team is team_module.Team
    assert Post is sys.modules["models.post"].Post
    assert sys.modules["models.post"].Team is Team  # the module post.py imported: the same one
    assert [c.__name__ for c in (Post, Project_, Team)] == ["Post", "Project", "Team"]
    assert isinstance(Post.team, BelongsTo)
    assert isinstance(Team.projects, HasMany)
    assert [d.name for d in project.registry.models] == ["Post", "Project", "Team"]
    assert get_model("Team") is Team


def test_models_the_application_imported_first_are_returned_as_they_are(project: Project) -> None:
    project.write("app/__init__.py", "")
    project.write("app/models/__init__.py", "")
    project.write(
        "app/models/team.py", TEAM_PY.replace('        projects = HasMany("Project")\n', "")
    )
    project.write("app/models/post.py", POST_PY.replace("models.team", "app.models.team"))
    from app.models.post import Post  # type: ignore[import-not-found]

    loaded = load_models(project.root / "app" / "models")
    assert loaded == [Post, sys.modules["app.models.team"].Team]
    assert load_models(project.root / "app" / "models") == loaded  # again: the same classes


def test_relative_imports_work_in_a_folder_outside_sys_path(
    project: Project, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "models").mkdir(parents=True)
    (elsewhere / "models" / "team.py").write_text(textwrap.dedent(TEAM_PY), encoding="utf-8")
    (elsewhere / "models" / "post.py").write_text(
        textwrap.dedent(POST_PY).replace("from models.team", "from .team"), encoding="utf-8"
    )
    (elsewhere / "models" / "project.py").write_text(
        "from dynamodb_tooling import Model\n\n\nclass Project(Model):\n    title: str\n",
        encoding="utf-8",
    )
    (elsewhere / "models" / "orders").mkdir()
    (elsewhere / "models" / "orders" / "order.py").write_text(
        "from dynamodb_tooling import BelongsTo, Model\nfrom ..team import Team\n\n\n"
        "class Order(Model):\n    total: int\n    team = BelongsTo(Team)\n",
        encoding="utf-8",
    )
    Order, Post, _, Team = load_models(elsewhere / "models")
    assert sys.modules[Post.__module__].Team is Team
    assert Post.team.target is Team
    assert Order.team.target is Team
    assert load_models(elsewhere / "models")[3] is Team


def test_two_different_models_with_one_name_are_still_an_error(project: Project) -> None:
    first = project.write(
        "models/a.py", "from dynamodb_tooling import Model\n\n\nclass Tag(Model):\n    label: str\n"
    )
    second = project.write(
        "models/b.py", "from dynamodb_tooling import Model\n\n\nclass Tag(Model):\n    label: str\n"
    )
    with pytest.raises(SchemaError) as caught:
        load_models(project.root / "models", registry=Registry())
    message = str(caught.value)
    assert "'Tag' is defined twice" in message
    assert str(first) in message
    assert str(second) in message


# Stacks models become classes.
COMMENT_TS = """
    export default {
      name: 'Comment',
      belongsTo: ['Post'],
      attributes: {
        body: { validation: { rule: schema.string().minLength(1) } },
      },
      traits: { useTimestamps: true },
    }
"""

TAG_JSON = """
    {"name": "Tag", "belongsToMany": [{"model": "Post", "pivotAttributes": ["weight"]}],
     "attributes": {"label": {"unique": true}}}
"""

AUTHOR_YAML = """
    name: Author
    hasMany:
      - model: Post
        foreignKey: writer_id
        relationName: writings
    attributes:
      pen_name: string
"""


def test_stacks_files_give_classes_with_their_relations(project: Project) -> None:
    project.write("models/Comment.ts", COMMENT_TS)
    project.write("models/tag.json", TAG_JSON)
    project.write("models/author.yaml", AUTHOR_YAML)
    project.write("models/post.py", POST_PY)
    project.write("models/team.py", TEAM_PY.replace('        projects = HasMany("Project")\n', ""))
    Author, Comment, Post, Tag, Team = load_models(project.root / "models")
    for cls in (Author, Comment, Tag):
        assert issubclass(cls, Model)
        assert cls.__definition__ is project.registry.model(cls.__name__)
    assert isinstance(Comment.post, BelongsTo)
    assert (Comment.post.name, Comment.post.target) == ("post", "Post")
    assert isinstance(Tag.posts, BelongsToMany)
    assert Tag.posts.pivot_attributes == ("weight",)
    assert isinstance(Author.writings, HasMany)
    assert Author.writings.foreign_key == "writer_id"
    # Each relation attribute declares exactly the relation of the registered definition.
    for cls in (Author, Comment, Tag):
        declared = [v.to_definition() for v in vars(cls).values() if isinstance(v, Relation)]
        assert declared == [r for r in cls.__definition__.relations if not r.derived]
    comment = Comment(body="Nice", post_id="p1")
    assert comment.to_item()["_et"] == "Comment"
    with (
        prevent_lazy_loading(),
        pytest.raises(LazyLoadingViolationError, match=r"lazy loading Comment\.post"),
    ):
        _ = comment.post
    assert [get_model(n) for n in ("Author", "Comment", "Post", "Tag", "Team")] == [
        Author,
        Comment,
        Post,
        Tag,
        Team,
    ]
    assert load_models(project.root / "models") == [Author, Comment, Post, Tag, Team]


def test_models_lists_in_python_modules_become_classes(project: Project) -> None:
    project.write(
        "models/content.py",
        """
        MODELS = [
            {"name": "Topic", "hasMany": ["Thread"], "attributes": {"title": {}}},
            {"name": "Thread", "attributes": {"subject": {}}},
        ]
        """,
    )
    Thread, Topic = load_models(project.root / "models")
    assert isinstance(Topic.threads, HasMany)
    assert Topic(title="Python").to_values()["title"] == "Python"
    assert get_model("Thread") is Thread


def test_a_stacks_class_and_a_class_body_declare_the_same_relations() -> None:
    as_class, as_dict = Registry(), Registry()

    class Writer(Model, registry=as_class):
        name: str
        books = HasMany("Book", sort_by="title")
        club = BelongsTo("Club")

    Stacks = define_model(
        {
            "name": "Writer",
            "attributes": {"name": {}},
            "hasMany": [{"model": "Book", "sortBy": "title"}],
            "belongsTo": ["Club"],
        },
        registry=as_dict,
    )
    for registry in (as_class, as_dict):
        register_stacks_model({"name": "Book", "attributes": {"title": {}}}, registry)
        register_stacks_model({"name": "Club"}, registry)
    assert as_class == as_dict
    for name in ("books", "club"):
        python_side, stacks_side = getattr(Writer, name), getattr(Stacks, name)
        assert type(python_side) is type(stacks_side)
        assert python_side.to_definition() == stacks_side.to_definition()


def test_define_model_names_the_calling_module() -> None:
    Note = define_model({"name": "Note"}, registry=Registry())
    assert Note.__module__ == __name__
    assert Note.__qualname__ == "Note"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": "Job", "attributes": {"save": {}}}, "Job.save: this name is reserved by Model"),
        (
            {"name": "Search", "belongsTo": ["Query"]},
            "Search.query: the relation name (belongsTo Query) is reserved by Model",
        ),
    ],
)
def test_names_that_would_hide_model_methods_are_refused(
    data: dict[str, object], fragment: str
) -> None:
    registry = Registry()
    with pytest.raises(SchemaError, match="reserved by Model") as caught:
        define_model(data, registry=registry)
    assert fragment in str(caught.value)
    assert registry.models == ()


# get_model.
def test_get_model_finds_a_class_declared_anywhere_and_names_the_known_models() -> None:
    registry = Registry()

    class Invoice(Model, registry=registry):
        number: str

    assert get_model("Invoice", registry=registry) is Invoice
    with pytest.raises(SchemaError, match=r"no model named 'Invoce'.*registered: Invoice"):
        get_model("Invoce", registry=registry)


def test_get_model_makes_one_class_for_a_model_registered_without_one() -> None:
    registry = Registry()
    register_stacks_model({"name": "Badge", "belongsTo": ["Invoice"]}, registry)
    register_stacks_model({"name": "Invoice"}, registry)
    Badge = get_model("Badge", registry=registry)
    assert issubclass(Badge, Model)
    assert isinstance(Badge.invoice, BelongsTo)
    assert get_model("Badge", registry=registry) is Badge
    assert Badge(invoice_id="i1").to_item()["pk"].startswith("BADGE#")


def test_the_package_root_exports_the_class_returning_functions() -> None:
    assert dynamodb_tooling.load_models is load_models
    assert dynamodb_tooling.get_model is get_model
    assert {"load_models", "get_model"} <= set(dynamodb_tooling.__all__)


# A model naming a table DynamoDB cannot have is refused, naming the file.
@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        (
            "audit.py",
            "from dynamodb_tooling import Model\n\n\nclass Audit(Model, table='audit log'):\n"
            "    message: str\n",
            "table='audit log' is not a DynamoDB table name",
        ),
    ],
)
def test_a_model_in_an_invalid_table_is_refused(
    project: Project, name: str, text: str, fragment: str
) -> None:
    project.write("models/Role.ts", "export default { name: 'Role' }")
    path = project.write(f"models/{name}", text)
    with pytest.raises(SchemaError) as caught:
        load_models(project.root / "models")
    assert str(caught.value).startswith(str(path))
    assert fragment in str(caught.value)
    assert "Role" not in project.registry
    assert "Audit" not in project.registry
