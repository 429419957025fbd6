"""``dbtooling make:model`` through the real entry point, in a project folder of its own: the
written model, factory and seeder load, migrate, store, query and seed on the test engine, pass
``ruff`` and ``mypy --strict``, and every refused input leaves no file behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from tests.cli.cli_project import Project, engine_env, unique_table

pytestmark = pytest.mark.processes

BIN = Path(sys.executable).parent
RULES = "E,F,W,I,UP,B,SIM,RUF,N,PT,C4,PIE,RET"  # the project's own (pyproject.toml)

ARTICLE = [
    *(
        "make:model",
        "Article",
        "-a",
        "email:str:unique",
        "-a",
        "title",
        "-a",
        "views:int:default=0",
    ),
    *("-a", "price:decimal?", "-a", "published:bool:default=False", "-a", "status:str:index"),
    *("-a", "keywords:list:default=[]", "-a", "secret:str?:hidden", "--attribute"),
    *("note:str:default='a:b'", "--timestamps", "--soft-deletes", "--belongs-to", "Writer"),
    *("--has-many", "Review", "--belongs-to-many", "Tag", "-f", "-s"),
]

ARTICLE_SOURCE = '''\
"""The Article model (written by ``dbtooling make:model``)."""

from decimal import Decimal
from typing import Any

from dynamodb_tooling import BelongsTo, BelongsToMany, HasMany, Model, attribute


class Article(Model, timestamps=True, soft_deletes=True):
    email: str = attribute(unique=True)
    title: str
    views: int = 0
    price: Decimal | None = None
    published: bool = False
    status: str = attribute(index=True)
    keywords: list[Any] = attribute(default_factory=list)
    secret: str | None = attribute(hidden=True)
    note: str = "a:b"
    writer = BelongsTo("Writer")
    reviews = HasMany("Review")
    tags = BelongsToMany("Tag")
'''

USE_THEM = """
    import json
    from decimal import Decimal

    from dynamodb_tooling import load_models
    from dynamodb_tooling.config import load_config, set_config

    set_config(load_config())
    models = {m.__name__: m for m in load_models("app/models")}
    Article, Review, Writer = models["Article"], models["Review"], models["Writer"]
    from database.factories.article_factory import ArticleFactory

    ada = Writer.create(email="ada@example.com", name="Ada")
    article = Article.create(
        email="a@example.com",
        title="Hello",
        price=Decimal("9.99"),
        status="draft",
        writer_id=ada.id,
    )
    Review.create(stars=5, article_id=article.id)
    found = Article.where("email", "a@example.com").first()
    made = Article.factory().count(3).create()
    print(json.dumps({
        "found": [found.title, found.views, str(found.price), found.note, found.keywords],
        "stamped": found.created_at is not None,
        "hidden": "secret" in found.to_dict(),
        "by_writer": [a.title for a in Article.where("writer_id", ada.id).get()],
        "drafts": Article.where("status", "draft").explain().operation,
        "reviews": [r.stars for r in Review.where("article_id", article.id).get()],
        "factory": type(Article.factory()) is ArticleFactory,
        "made": sorted({type(m.keywords).__name__ for m in made}),
        "count": len(Article.query().get()),
    }))
"""


@pytest.fixture
def project(tmp_path: Path, dynamodb_config: Config) -> Project:
    return Project(tmp_path, engine_env(dynamodb_config, "Unused"), "Unused")


def scaffold(project: Project) -> None:
    """Tag, Article (with factory and seeder) and Review, beside the project's Writer."""
    project.run("make:model", "Tag", "-a", "label:str:unique", "--factory")
    done = project.run(*ARTICLE)
    assert done.stdout.split() == [
        "wrote",
        "app/models/article.py",
        "wrote",
        "database/factories/article_factory.py",
        "wrote",
        "database/seeders/article_seeder.py",
    ]
    project.run("make:model", "Review", "-a", "stars:int", "--belongs-to", "Article")


def files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if "__pycache__" not in p.parts}


def tool(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    """``ruff``/``mypy``/``python`` of this environment, run in the project folder."""
    variables = {k: v for k, v in os.environ.items() if not k.startswith(("DBTOOLING_", "AWS_"))}
    variables |= {"PYTHONPATH": str(project.root), **project.env}
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=project.root,
        env=variables,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_written_files_are_typed_and_formatted(project: Project) -> None:
    scaffold(project)
    model = project.root / "app" / "models" / "article.py"
    assert model.read_text(encoding="utf-8") == ARTICLE_SOURCE
    factory = (project.root / "database" / "factories" / "article_factory.py").read_text()
    assert "from app.models.article import Article" in factory
    assert '"email": self.faker.unique.email(),' in factory
    assert '"keywords": self.faker.words(3),' in factory
    tags = (project.root / "database" / "factories" / "tag_factory.py").read_text()
    assert '"label": self.faker.unique.word(),' in tags  # unique: fakes never collide
    seeder = (project.root / "database" / "seeders" / "article_seeder.py").read_text()
    assert "        Article.factory().count(10).create()" in seeder
    scaffolded = [
        "app/models/article.py",
        "app/models/tag.py",
        "app/models/review.py",
        "database/factories/article_factory.py",
        "database/factories/tag_factory.py",
        "database/seeders/article_seeder.py",
    ]
    checked = tool(project, "ruff", "check", "--no-cache", "--select", RULES, *scaffolded)
    assert checked.returncode == 0, checked.stdout
    formatted = tool(project, "ruff", "format", "--check", "--no-cache", *scaffolded)
    assert formatted.returncode == 0, formatted.stdout
    typed = tool(project, "mypy", "--strict", "--explicit-package-bases", *scaffolded)
    assert typed.returncode == 0, typed.stdout
    # With the package's mypy plugin too, as a project using it would run mypy.
    (project.root / "mypy.ini").write_text("[mypy]\nplugins = dynamodb_tooling.mypy\n")
    plugged = tool(project, "mypy", "--strict", "--explicit-package-bases", *scaffolded)
    assert plugged.returncode == 0, plugged.stdout


@pytest.mark.integration
def test_the_written_model_factory_and_seeder_work_on_the_engine(
    project: Project, dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> None:
    table = unique_table("cli-make-model")
    project.env = engine_env(dynamodb_config, table)
    scaffold(project)
    project.run("migrate")
    try:
        script = project.root / "use_them.py"
        script.write_text(textwrap.dedent(USE_THEM), encoding="utf-8")
        used = tool(project, "python", str(script))
        assert used.returncode == 0, used.stderr
        assert json.loads(used.stdout) == {
            "found": ["Hello", 0, "9.99", "a:b", []],
            "stamped": True,
            "hidden": False,
            "by_writer": ["Hello"],
            "drafts": "Query",
            "reviews": [5],
            "factory": True,
            "made": ["list"],
            "count": 4,
        }
        seeded = project.run("seed", "--class", "ArticleSeeder", "--json")
        [report] = json.loads(seeded.stdout)
        assert report["written"] == {"Article": 10}
        items = [
            i for i in dynamodb_client.scan_all(table).items if i.get("_et") == {"S": "Article"}
        ]
        assert len(items) == 14
    finally:
        dynamodb_client.delete_table(table)


def test_a_model_registered_elsewhere_or_a_file_that_exists_is_refused(project: Project) -> None:
    before = files(project.root)
    taken = project.run("make:model", "Writer", "-a", "bio:str", code=1)
    assert "a model named 'Writer' is already registered (" in taken.stderr
    assert "pick another name" in taken.stderr
    assert files(project.root) == before

    project.run("make:model", "Tag", "-a", "label:str")
    tag = project.root / "app" / "models" / "tag.py"
    first = tag.read_text(encoding="utf-8")
    again = project.run("make:model", "Tag", "-a", "name:str", "-f", code=1)
    assert f"{Path('app/models/tag.py')} exists; pass --force to overwrite it" in again.stderr
    assert tag.read_text(encoding="utf-8") == first
    assert not (project.root / "database").exists()  # the factory was not written either

    project.run("make:model", "Tag", "-a", "name:str", "--all", "--force")
    assert "    name: str\n" in tag.read_text(encoding="utf-8")
    factory = project.root / "database" / "factories" / "tag_factory.py"
    assert '"name": self.faker.name(),' in factory.read_text()  # the new model's attributes
    assert (project.root / "database" / "seeders" / "tag_seeder.py").is_file()


def test_path_writes_elsewhere_and_a_model_naming_itself_is_a_tree(project: Project) -> None:
    done = project.run(
        "make:model", "Category", "--belongs-to", "Category", "--has-many", "Category",
        "--path", "src/models",
    )  # fmt: skip
    assert done.stdout.split() == ["wrote", str(Path("src/models/category.py"))]
    text = (project.root / "src" / "models" / "category.py").read_text(encoding="utf-8")
    assert "class Category(Model):\n" in text
    assert '    parent = BelongsTo("self")\n    children = HasMany("self")\n' in text
    clash = project.run("make:model", "Node", "-a", "parent_id", "--belongs-to", "Node", code=1)
    assert "the foreign key of parent uses the name 'parent_id'" in clash.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["post"], "model name 'post' is not a PascalCase class name"),
        (["blog_post"], "(e.g. 'BlogPost')"),
        (["Post", "-a", "title:strng"], "unknown type 'strng'; did you mean 'str'?"),
        (["Post", "-a", "title:str:uniqe"], "unknown modifier 'uniqe'; did you mean 'unique'?"),
        (["Post", "-a", "Title"], "'Title' is not a snake_case Python name"),
        (["Post", "-a", "views:int:default=many"], "default 'many' is not a Python literal"),
        (["Post", "-a", "views:int:default='1'"], "is a str, not an int; give an int literal"),
        (["Post", "-a", "at:datetime:default=1"], "a datetime default is not a literal"),
        (["Post", "--belongs-to", "writer-x"], "--belongs-to 'writer-x' is not a model name"),
        (["Post", "--has-many", "class"], "--has-many 'class' is not a model name"),
        (["Post", "-a", "writer_id", "--belongs-to", "Writer"], "already taken by --attribute"),
        (["Post", "-a", "updated_at", "--timestamps"], "already taken by --timestamps"),
        (["Post", "-a", "on:bool:index"], "index puts the value in a key"),
        (["Post", "-a", "pk"], "the model Post would not load: Post.pk uses the name 'pk'"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    project: Project, args: list[str], message: str
) -> None:
    before = files(project.root)
    done = project.run("make:model", *args, "--factory", "--seeder", code=1)
    assert message in done.stderr
    assert done.stderr.startswith("error: ")
    assert files(project.root) == before
