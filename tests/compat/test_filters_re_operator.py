"""COMPAT-FIXES 1 / N10: the filter helpers keep ``$re`` as written; the routes match it as ``$reg``."""

from collections.abc import Iterator
from pathlib import Path

import backo.api_toolbox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from backo import (
    Backoffice,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBYmlConnector,
    Dict,
    Int,
    Item,
    Selection,
    String,
    append_path_to_filter,
    multidict_to_filter,
)
from backo.core.filters import with_operator_synonyms
from backo.http.query import parse_filter
from tests.support.backends import mongo_connector


def test_multidict_to_filter_keeps_the_operator_as_written() -> None:
    query = ImmutableMultiDict([("title.$re", "^D"), ("year.$gt", "1960")])
    assert multidict_to_filter(query) == {"title": ("$re", "^D"), "year": ("$gt", 1960)}
    assert backo.api_toolbox.multidict_to_filter(MultiDict([("b.c.$re", "in")])) == {"b": {"c": ("$re", "in")}}


def test_append_path_to_filter_keeps_the_operator_as_written() -> None:
    target: dict = {}
    returned = append_path_to_filter(target, "a.b", ["$re", "x"])
    assert target == {"a": {"b": ("$re", "x")}}
    assert returned is target  # 0.2.1 returned None: returning the dict is a superset
    assert append_path_to_filter({}, "name.$re", "x") == {"name": ("$re", "x")}


def test_the_synonym_is_applied_where_filters_are_handed_to_the_store() -> None:
    query = ImmutableMultiDict([("title.$re", "^D"), ("b.c.$re", "in"), ("year.$gt", "1960")])
    assert parse_filter(query) == {"title": ("$reg", "^D"), "b": {"c": ("$reg", "in")}, "year": ("$gt", 1960)}
    caller = {"x": ("$or", [("$re", "a"), ("$eq", "b")]), "y": 1}
    assert with_operator_synonyms(caller) == {"x": ("$or", [("$reg", "a"), ("$eq", "b")]), "y": 1}
    assert caller == {"x": ("$or", [("$re", "a"), ("$eq", "b")]), "y": 1}  # not mutated
    untouched = {"a": ("$gt", 1)}
    assert with_operator_synonyms(untouched) is untouched


@pytest.fixture(params=["memory", "yml", "mongo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DBConnector]:
    if request.param == "memory":
        yield DBMemoryConnector()
    elif request.param == "yml":
        yield DBYmlConnector(path=str(tmp_path / "books"))
    else:
        with mongo_connector() as connector:
            yield connector


@pytest.fixture
def library(store: DBConnector) -> FlaskClient:
    backoffice = Backoffice("lib")
    books = Collection("books", Item({"title": String(), "year": Int(), "by": Dict({"name": String()})}), store)
    backoffice.register_collection(books)
    books.register_selection("titles", Selection(["$.title"]))
    books.create({"title": "Dune", "year": 1965, "by": {"name": "Herbert"}})
    books.create({"title": "Emma", "year": 1815, "by": {"name": "Austen"}})
    app = Flask(__name__)
    backoffice.build_routes(app)
    return app.test_client()


def titles(response: object) -> list[str]:
    body = response.json  # type: ignore[attr-defined]
    return sorted(row["title"] if isinstance(row, dict) else row[1] for row in body["result"])


@pytest.mark.parametrize("operator", ["$re", "$reg"])
def test_list_route_matches_re_as_reg(library: FlaskClient, operator: str) -> None:
    response = library.get(f"/lib/books?title.{operator}=^D")
    assert response.status_code == 200
    assert titles(response) == ["Dune"] and response.json["total"] == 1
    assert titles(library.get(f"/lib/books?by.name.{operator}=Aus")) == ["Emma"]


@pytest.mark.parametrize("operator", ["$re", "$reg"])
def test_selection_routes_match_re_as_reg(library: FlaskClient, operator: str) -> None:
    assert titles(library.get(f"/lib/books/_selections/titles?title.{operator}=^E")) == ["Emma"]
    posted = library.post("/lib/books/_selections/titles", json={"title": [operator, "^E"]})
    assert titles(posted) == ["Emma"]


def test_multipart_field_names_keep_the_operator_as_written() -> None:
    """N10: ``request_to_object`` builds the object with ``append_path_to_filter``."""
    from backo.http.request import request_to_object

    app = Flask(__name__)
    form = {"a.b": "1", "x.$re": "v"}
    with app.test_request_context("/", method="POST", data=form, content_type="multipart/form-data"):
        from flask import request

        assert request_to_object(request) == {"a": {"b": "1"}, "x": ("$re", "v")}
