"""Projections (ProjectionExpression)."""

from __future__ import annotations

import pytest

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions import Path, Placeholders, Projection, attr, path, projection
from dynamodb_tooling.expressions import compile_expressions as compile_


def test_projection_renders_paths_through_placeholders() -> None:
    assert compile_(projection=projection("a", "b.c[2]")) == {
        "ProjectionExpression": "#n0, #n1.#n2[2]",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b", "#n2": "c"},
    }


def test_reserved_words_and_literal_names() -> None:
    assert compile_(projection=projection("name", "size", Path.of("a.b"), attr("status"))) == {
        "ProjectionExpression": "#n0, #n1, #n2, #n3",
        "ExpressionAttributeNames": {"#n0": "name", "#n1": "size", "#n2": "a.b", "#n3": "status"},
    }


def test_repeated_paths_are_deduplicated() -> None:
    assert projection("a", "b", "a", path("b")).paths == (path("a"), path("b"))


def test_paths_inside_another_listed_path_are_dropped() -> None:
    assert projection("a.b", "c", "a", "c[1]", "d.e").paths == (path("c"), path("a"), path("d.e"))


def test_list_elements_and_siblings_are_kept() -> None:
    assert projection("l[0]", "l[1]", "m.x", "m.y").paths == (
        path("l[0]"),
        path("l[1]"),
        path("m.x"),
        path("m.y"),
    )


def test_a_projection_needs_a_path() -> None:
    with pytest.raises(ExpressionError, match="at least one path; pass projection=None"):
        projection()


def test_malformed_paths_are_refused() -> None:
    with pytest.raises(ExpressionError, match=r"malformed document path 'a\.\.b'"):
        projection("a..b")


def test_render_with_shared_placeholders() -> None:
    ph = Placeholders()
    ph.name("b")
    assert projection("a", "b").render(ph) == "#n1, #n0"
    assert Projection((path("x"),)).render(ph) == "#n2"
