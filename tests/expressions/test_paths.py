"""Document paths: parsing, rendering through placeholders, overlap."""

from __future__ import annotations

import pytest

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions import Path, Placeholders, attr, path
from dynamodb_tooling.expressions.paths import as_path


@pytest.mark.parametrize(
    ("text", "elements"),
    [
        ("a", ("a",)),
        ("a.b", ("a", "b")),
        ("a.b[2].c", ("a", "b", 2, "c")),
        ("a[0][10]", ("a", 0, 10)),
        ("a[007]", ("a", 7)),
        ("my attr-1", ("my attr-1",)),
        ("name", ("name",)),
    ],
)
def test_path_parses_names_and_indexes(text: str, elements: tuple[object, ...]) -> None:
    assert path(text).elements == elements


def test_render_puts_every_name_through_a_placeholder() -> None:
    ph = Placeholders()
    assert path("a.b[2].c").render(ph) == "#n0.#n1[2].#n2"
    assert path("a[1][3]").render(ph) == "#n0[1][3]"
    assert ph.names == {"#n0": "a", "#n1": "b", "#n2": "c"}


def test_repeated_names_reuse_their_placeholder() -> None:
    ph = Placeholders()
    assert path("a.a.b.a").render(ph) == "#n0.#n0.#n1.#n0"
    assert ph.names == {"#n0": "a", "#n1": "b"}


def test_path_of_takes_names_literally() -> None:
    ph = Placeholders()
    weird = Path.of("weird.name", 0, "x[1]")
    assert weird.elements == ("weird.name", 0, "x[1]")
    assert weird.render(ph) == "#n0[0].#n1"
    assert ph.names == {"#n0": "weird.name", "#n1": "x[1]"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty document path"),
        ("a..b", "empty name between dots"),
        ("a.", "empty name between dots"),
        (".a", "empty name between dots"),
        ("a[x]", "non-negative integer"),
        ("a[-1]", "non-negative integer"),
        ("a[1", "non-negative integer"),
        ("a]", "non-negative integer"),
        ("a[]", "non-negative integer"),
        ("[1]", "without an attribute name"),
        ("a.[1]", "without an attribute name"),
    ],
)
def test_malformed_paths_are_refused(text: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=rf"{words}.*Path\.of"):
        path(text)


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ((), "must start with an attribute name"),
        ((0, "a"), "must start with an attribute name"),
        (("a", -1), "negative"),
        (("a", ""), "may not be empty"),
        (("a", True), "name \\(str\\) or a list index \\(int\\)"),
        (("a", 1.5), "name \\(str\\) or a list index \\(int\\)"),
    ],
)
def test_malformed_path_parts_are_refused(parts: tuple[object, ...], words: str) -> None:
    with pytest.raises(ExpressionError, match=words):
        Path.of(*parts)  # type: ignore[arg-type]


def test_a_non_string_path_is_refused() -> None:
    with pytest.raises(ExpressionError, match="empty document path"):
        path(3)  # type: ignore[arg-type]


def test_paths_compare_by_elements() -> None:
    assert path("a.b[1]") == Path.of("a", "b", 1)
    assert path("a.b") != Path.of("a.b")
    assert len({path("a"), path("a"), path("b")}) == 2


@pytest.mark.parametrize(
    ("left", "right", "overlap"),
    [
        ("a", "a", True),
        ("a", "a.b", True),
        ("a.b", "a", True),
        ("a", "a[0]", True),
        ("a[0]", "a[1]", False),
        ("a.b", "a.c", False),
        ("a", "ab", False),
    ],
)
def test_overlaps(left: str, right: str, overlap: bool) -> None:
    assert path(left).overlaps(path(right)) is overlap


def test_str_shows_the_dotted_form() -> None:
    assert str(path("a.b[2].c")) == "a.b[2].c"


def test_as_path_accepts_text_paths_and_attributes() -> None:
    assert as_path("a.b") == path("a.b")
    assert as_path(Path.of("a.b")) == Path.of("a.b")
    assert as_path(attr("a[1]")) == path("a[1]")


def test_as_path_refuses_other_objects() -> None:
    with pytest.raises(ExpressionError, match="expected a document path"):
        as_path(3)  # type: ignore[arg-type]
