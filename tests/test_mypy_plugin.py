"""The mypy plugin (``dynamodb_tooling.mypy``) run as a user runs it: ``mypy.api`` on a small
project with the plugin enabled in its own config. One mypy run (~10 s, cold cache) over
``SNIPPET`` (attributes) and ``RELATIONS`` (relations declared by name) shared by the tests
below; ``tests/typing`` covers the rest on every ``mypy --strict src tests/typing``."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

SNIPPET = textwrap.dedent(
    """
    from typing import reveal_type

    from dynamodb_tooling import BelongsTo, Model


    class Team(Model):
        name: str


    class User(Model, timestamps=True, soft_deletes=True):
        name: str
        age: int | None = None
        team = BelongsTo(Team)


    ok = User.where(User.age > 30)
    reveal_type(User.age)
    user = User(name="Ada", team_id="t1", id="01J")
    reveal_type(user.age)
    reveal_type(user.id)
    reveal_type(user.team_id)
    reveal_type(user.inserted_at)
    reveal_type(user.removed_at)
    reveal_type(User.team_id)
    user.nmae
    User.agee
    User(name="Ada", nmae="x")
    User(name=1)
    user.created_at
    """
)


#: Relations declared by name: resolved in the module (``Tag`` imported from another module
#: under ``TYPE_CHECKING``), by ``name=``, in the declaring function, ``"self"``; unknown
#: names stay ``Any``; what ``BelongsTo``/``MorphTo``/trees store is declared.
RELATIONS = textwrap.dedent(
    """
    from __future__ import annotations

    from typing import TYPE_CHECKING, assert_type, reveal_type

    from dynamodb_tooling import BelongsTo, BelongsToMany, HasMany, HasOne, Model
    from dynamodb_tooling.orm.relations import MorphMany, MorphTo, MorphToMany
    from dynamodb_tooling.orm.relations.related import HasManyQuery

    if TYPE_CHECKING:
        from catalog import Tag


    class Author(Model):
        name: str
        books = HasMany("Book")
        bio = HasOne("Biography")
        genres = BelongsToMany("Genre")
        tags = MorphToMany("Tag", name="taggable")
        essays = HasMany("Essay")
        reviews = MorphMany("Review", name="reviewable")
        ghosts = HasMany("Ghost")
        mentor = BelongsTo("self")
        pupils = HasMany("self")


    class Book(Model):
        title: str
        author = BelongsTo("Author")


    class Biography(Model):
        text: str


    class Genre(Model):
        name: str


    class Article(Model, name="Essay"):
        body: str


    class Review(Model):
        body: str
        reviewable = MorphTo()


    class Picture(Model):
        url: str
        owner = MorphTo("imageable")


    def check(author: Author, book: Book, review: Review, picture: Picture) -> None:
        reveal_type(author.books)
        reveal_type(Author.books)
        reveal_type(book.author)
        reveal_type(author.bio)
        reveal_type(author.genres)
        reveal_type(author.tags)
        reveal_type(author.essays)
        reveal_type(author.reviews)
        reveal_type(author.ghosts)
        reveal_type(author.mentor)
        reveal_type(author.pupils)
        reveal_type(author.parent_id)
        reveal_type(book.author_id)
        reveal_type(review.reviewable)
        reveal_type(review.reviewable_type)
        reveal_type(review.reviewable_id)
        reveal_type(Review.reviewable_id)
        reveal_type(picture.imageable_type)
        assert_type(author.books.first(), Book | None)
        Review(body="x", reviewable_type="Book", reviewable_id="01J")
        author.bookz
        Author.bookz
        Author(name="Ada", books=[])
        book.author = Biography(text="x")


    def local_models() -> None:
        class Shelf(Model):
            volumes = HasMany("Volume")

        class Volume(Model):
            title: str

        assert_type(Shelf().volumes, HasManyQuery[Volume])
    """
)

CATALOG = textwrap.dedent(
    """
    from dynamodb_tooling import Model


    class Tag(Model):
        label: str
    """
)


@pytest.fixture(scope="module")
def mypy_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, list[str]]]:
    """mypy's messages by file and line, run from a project whose configuration renames the
    timestamps and the soft-delete attribute (the plugin reads it as the library does)."""
    project = tmp_path_factory.mktemp("mypy_project")
    (project / "snippet.py").write_text(SNIPPET, encoding="utf-8")
    (project / "relations.py").write_text(RELATIONS, encoding="utf-8")
    (project / "catalog.py").write_text(CATALOG, encoding="utf-8")
    (project / "mypy.ini").write_text(
        "[mypy]\nstrict = True\nplugins = dynamodb_tooling.mypy\n", encoding="utf-8"
    )
    (project / "dbtooling.toml").write_text(
        textwrap.dedent(
            """
            [query_builder]
            created_at_attribute = "inserted_at"
            updated_at_attribute = "changed_at"

            [query_builder.soft_deletes]
            attribute = "removed_at"
            """
        ),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        stdout, stderr, _status = mypy_api.run(
            [
                "--config-file",
                str(project / "mypy.ini"),
                "--cache-dir",
                str(project / ".mypy_cache"),
                "--no-error-summary",
                "--hide-error-context",
                str(project / "snippet.py"),
                str(project / "relations.py"),
                str(project / "catalog.py"),
            ]
        )
    assert stderr == ""
    messages: dict[str, dict[int, list[str]]] = {}
    for line in stdout.splitlines():
        found = re.match(r".*?(\w+\.py):(\d+): (.*)$", line)
        assert found, line
        messages.setdefault(found[1], {}).setdefault(int(found[2]), []).append(found[3])
    return messages


@pytest.fixture(scope="module")
def mypy_run(mypy_files: dict[str, dict[int, list[str]]]) -> dict[int, list[str]]:
    """mypy's messages on ``SNIPPET`` by line."""
    return mypy_files.get("snippet.py", {})


@pytest.fixture(scope="module")
def relations_run(mypy_files: dict[str, dict[int, list[str]]]) -> dict[int, list[str]]:
    """mypy's messages on ``RELATIONS`` by line."""
    return mypy_files.get("relations.py", {})


def line_of(code: str, snippet: str = SNIPPET) -> int:
    """The line number of ``code`` (a whole line, indentation included) in ``snippet``."""
    for number, line in enumerate(snippet.splitlines(), start=1):
        if line == code:
            return number
    raise AssertionError(code)


def test_an_optional_plain_annotation_compares_at_class_level(
    mypy_run: dict[int, list[str]],
) -> None:
    assert line_of("ok = User.where(User.age > 30)") not in mypy_run
    assert mypy_run[line_of("reveal_type(User.age)")] == [
        'note: Revealed type is "dynamodb_tooling.query.refs.AttributeRef[int | None]"'
    ]
    assert mypy_run[line_of("reveal_type(user.age)")] == ['note: Revealed type is "int | None"']


def test_managed_attributes_are_typed_with_the_configured_names(
    mypy_run: dict[int, list[str]],
) -> None:
    assert line_of('user = User(name="Ada", team_id="t1", id="01J")') not in mypy_run
    revealed = {
        "reveal_type(user.id)": "str",
        "reveal_type(user.team_id)": "str | None",
        "reveal_type(user.inserted_at)": "datetime.datetime | None",
        "reveal_type(user.removed_at)": "datetime.datetime | None",
        "reveal_type(User.team_id)": "dynamodb_tooling.query.refs.AttributeRef[str | None]",
    }
    for code, typ in revealed.items():
        assert mypy_run[line_of(code)] == [f'note: Revealed type is "{typ}"'], code


def test_misspellings_are_errors(mypy_run: dict[int, list[str]]) -> None:
    assert mypy_run[line_of("user.nmae")] == [
        'error: "User" has no attribute "nmae"  [attr-defined]'
    ]
    assert mypy_run[line_of("User.agee")] == [
        'error: "type[User]" has no attribute "agee"  [attr-defined]'
    ]
    assert mypy_run[line_of('User(name="Ada", nmae="x")')] == [
        'error: Unexpected keyword argument "nmae" for "User"  [call-arg]'
    ]
    assert mypy_run[line_of("User(name=1)")] == [
        'error: Argument "name" to "User" has incompatible type "int"; expected "str"  [arg-type]'
    ]
    # The default name is not an attribute when the configuration renames it.
    assert mypy_run[line_of("user.created_at")] == [
        'error: "User" has no attribute "created_at"  [attr-defined]'
    ]


def test_nothing_else_is_reported(mypy_run: dict[int, list[str]]) -> None:
    checked = {
        line_of(code)
        for code in (
            "reveal_type(User.age)",
            "reveal_type(user.age)",
            "reveal_type(user.id)",
            "reveal_type(user.team_id)",
            "reveal_type(user.inserted_at)",
            "reveal_type(user.removed_at)",
            "reveal_type(User.team_id)",
            "user.nmae",
            "User.agee",
            'User(name="Ada", nmae="x")',
            "User(name=1)",
            "user.created_at",
        )
    }
    assert set(mypy_run) == checked, mypy_run


def test_the_plugin_entry_point() -> None:
    from dynamodb_tooling.mypy import DynamoDBToolingPlugin, plugin

    assert plugin("2.0") is DynamoDBToolingPlugin


def test_every_fullname_the_plugin_matches_is_a_library_class() -> None:
    """The plugin recognises classes by their defining module's name: a class moved to another
    module would silently stop being typed."""
    import importlib

    from dynamodb_tooling import mypy as plugin_module

    names = ("MODEL", "TRAIT", "REFERENCE", "RELATION", "BELONGS_TO", "HAS_ONE_OR_MANY")
    for constant in (*names, "MORPHS", "MORPH_TO", "FIELD"):
        fullname: str = getattr(plugin_module, constant)
        module, _, name = fullname.rpartition(".")
        klass = getattr(importlib.import_module(module), name)
        assert isinstance(klass, type), constant
        assert f"{klass.__module__}.{klass.__qualname__}" == fullname, constant


def test_runtime_matches_what_the_plugin_declares(tmp_path: Path) -> None:
    """What the plugin types exists at run time: class access to a foreign key or a timestamp
    is an ``AttributeRef`` (``User.team_id == t``), instance access the value."""
    from dynamodb_tooling import BelongsTo, Model
    from dynamodb_tooling.query.predicates import Predicate
    from dynamodb_tooling.query.refs import AttributeRef
    from dynamodb_tooling.schema import Registry

    registry = Registry()

    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry, timestamps=True, soft_deletes=True, versioning=True):
        name: str
        age: int | None = None
        team = BelongsTo(Team)

    assert (User.age > 30) == Predicate("age", ">", 30)
    assert (User.team_id == "t1") == Predicate("team_id", "=", "t1")
    for name in ("id", "team_id", "created_at", "updated_at", "deleted_at", "_v"):
        ref = getattr(User, name)
        assert isinstance(ref, AttributeRef)
        assert ref.name == name
    user = User(name="Ada", team_id="t1")
    assert (user.team_id, user.created_at, user.age) == ("t1", None, None)
    with pytest.raises(AttributeError, match="did you mean 'name'"):
        _ = User.nmae  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="__nothing__"):
        _ = User.__nothing__  # type: ignore[attr-defined]
    assert not hasattr(Model, "team_id")


def test_runtime_has_what_the_plugin_declares_for_relations() -> None:
    """A self link's ``parent_id`` and a ``MorphTo``'s ``<morph>_type``/``<morph>_id`` (named
    after the attribute or the given name) exist at run time, as the plugin declares them."""
    from dynamodb_tooling import HasMany, Model
    from dynamodb_tooling.orm.relations import MorphMany, MorphTo
    from dynamodb_tooling.query.refs import AttributeRef
    from dynamodb_tooling.schema import Registry

    registry = Registry()

    class Node(Model, registry=registry):
        name: str
        children = HasMany("self")

    class Post(Model, registry=registry):
        title: str
        comments = MorphMany("Comment", name="commentable")
        image = MorphMany("Image", name="imageable")

    class Comment(Model, registry=registry):
        body: str
        commentable = MorphTo()

    class Image(Model, registry=registry):
        url: str
        owner = MorphTo("imageable")

    for model, name in (
        (Node, "parent_id"),
        (Comment, "commentable_type"),
        (Comment, "commentable_id"),
        (Image, "imageable_type"),
        (Image, "imageable_id"),
    ):
        ref = getattr(model, name)
        assert isinstance(ref, AttributeRef)
        assert ref.name == name
    comment = Comment(body="x", commentable_type="Post", commentable_id="p1")
    assert (comment.commentable_type, comment.commentable_id) == ("Post", "p1")
    assert Node(name="root").parent_id is None


RELATED = "dynamodb_tooling.orm.relations.related"


def relation_line(code: str) -> int:
    return line_of(code, RELATIONS)


def test_relations_declared_by_name_are_typed_as_their_models(
    relations_run: dict[int, list[str]],
) -> None:
    revealed = {
        "author.books": f"{RELATED}.HasManyQuery[relations.Book]",
        "Author.books": "dynamodb_tooling.orm.relations.has_many.HasMany[relations.Book]",
        "book.author": "relations.Author | None",
        "author.bio": "relations.Biography | None",
        "author.genres": f"{RELATED}.BelongsToManyQuery[relations.Genre]",
        # Imported under TYPE_CHECKING from another module, as models naming each other do.
        "author.tags": f"{RELATED}.BelongsToManyQuery[catalog.Tag]",
        # The model registered as "Essay" (name=), whatever its class is called.
        "author.essays": f"{RELATED}.HasManyQuery[relations.Article]",
        "author.reviews": f"{RELATED}.HasManyQuery[relations.Review]",
        # "self": the enclosing model.
        "author.mentor": "relations.Author | None",
        "author.pupils": f"{RELATED}.HasManyQuery[relations.Author]",
    }
    for expression, typ in revealed.items():
        code = f"    reveal_type({expression})"
        assert relations_run[relation_line(code)] == [f'note: Revealed type is "{typ}"'], code
    # Resolved types are the real ones: these check cleanly, as a model defined in the same
    # function resolves too.
    for code in (
        "    assert_type(author.books.first(), Book | None)",
        "    assert_type(Shelf().volumes, HasManyQuery[Volume])",
        '    books = HasMany("Book")',
        '    mentor = BelongsTo("self")',
    ):
        assert relation_line(code) not in relations_run, code


def test_unknown_names_and_morph_to_stay_any_without_an_error(
    relations_run: dict[int, list[str]],
) -> None:
    assert relation_line('    ghosts = HasMany("Ghost")') not in relations_run
    assert relations_run[relation_line("    reveal_type(author.ghosts)")] == [
        f'note: Revealed type is "{RELATED}.HasManyQuery[Any]"'
    ]
    assert relations_run[relation_line("    reveal_type(review.reviewable)")] == [
        'note: Revealed type is "Any"'
    ]


def test_what_relations_store_on_the_model_is_declared(
    relations_run: dict[int, list[str]],
) -> None:
    revealed = {
        "book.author_id": "str | None",  # BelongsTo("Author")
        "author.parent_id": "str | None",  # a self link: BelongsTo("self"), HasMany("self")
        "review.reviewable_type": "str | None",  # MorphTo(): named after the attribute
        "review.reviewable_id": "str | None",
        "Review.reviewable_id": "dynamodb_tooling.query.refs.AttributeRef[str | None]",
        "picture.imageable_type": "str | None",  # MorphTo("imageable")
    }
    for expression, typ in revealed.items():
        code = f"    reveal_type({expression})"
        assert relations_run[relation_line(code)] == [f'note: Revealed type is "{typ}"'], code
    code = '    Review(body="x", reviewable_type="Book", reviewable_id="01J")'
    assert relation_line(code) not in relations_run


def test_relation_misspellings_keywords_and_wrong_models_are_errors(
    relations_run: dict[int, list[str]],
) -> None:
    assert relations_run[relation_line("    author.bookz")] == [
        'error: "Author" has no attribute "bookz"; maybe "books"?  [attr-defined]'
    ]
    assert relations_run[relation_line("    Author.bookz")] == [
        'error: "type[Author]" has no attribute "bookz"  [attr-defined]'
    ]
    # A relation is no constructor keyword (it is no attribute of the item).
    assert relations_run[relation_line('    Author(name="Ada", books=[])')] == [
        'error: Unexpected keyword argument "books" for "Author"  [call-arg]'
    ]
    assert relations_run[relation_line('    book.author = Biography(text="x")')] == [
        'error: Incompatible types in assignment (expression has type "Biography", variable '
        'has type "Author | None")  [assignment]'
    ]


def test_nothing_else_is_reported_on_relations(
    mypy_files: dict[str, dict[int, list[str]]], relations_run: dict[int, list[str]]
) -> None:
    checked = {
        number
        for number, line in enumerate(RELATIONS.splitlines(), start=1)
        if line.startswith("    reveal_type(")
    }
    checked |= {
        relation_line(code)
        for code in (
            "    author.bookz",
            "    Author.bookz",
            '    Author(name="Ada", books=[])',
            '    book.author = Biography(text="x")',
        )
    }
    assert set(relations_run) == checked, relations_run
    assert "catalog.py" not in mypy_files
