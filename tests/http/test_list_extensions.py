"""Lists beyond 0.2.1: ``_sort``, ``_fields``, ``_view`` on rows, typed values, ``_filter``, cursors.

Run on every store (memory, YAML files, MongoDB through mongomock).
"""

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from backo import Backoffice, Collection, Item, Ref, RefsList, Selection, String, multidict_to_filter
from tests.http.conftest import PEOPLE, make_backoffice, serve
from tests.support.references import Stores, stores  # noqa: F401 - fixtures

BASE = "/myApp/users"

EXTRA = [
    {"name": "dave", "age": 30, "score": 4.5, "active": False, "tags": [], "addr": {"city": "c1", "zip": 2}},
    {"name": "0123", "age": 50, "score": 1.0, "active": True, "tags": ["t9"], "addr": {"city": "c2", "zip": 9}},
]


@pytest.fixture
def listing(stores: Stores) -> tuple[Backoffice, FlaskClient]:  # noqa: F811 - the fixture
    backoffice = make_backoffice(stores)
    for person in PEOPLE + EXTRA:
        backoffice.users.create(person)
    return backoffice, serve(backoffice)


def get(client: FlaskClient, query: dict[str, Any] | str, status: int = 200) -> Any:
    text = query if isinstance(query, str) else urlencode(query)
    response = client.get(f"{BASE}?{text}")
    assert response.status_code == status, response.text
    return response.json if response.is_json else response.text


def names(answer: dict) -> list[str]:
    return [row["name"] for row in answer["result"]]


# --- _sort ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["0123", "alice", "bob", "carol", "dave"]),
        ("-name", ["dave", "carol", "bob", "alice", "0123"]),
        ("-age,name", ["0123", "carol", "bob", "dave", "alice"]),
        ("addr.city,-score,name", ["carol", "alice", "bob", "dave", "0123"]),
        ("age, +name", ["alice", "bob", "dave", "carol", "0123"]),  # "+" arrives as a space
    ],
)
def test_sort(listing: tuple[Backoffice, FlaskClient], sort: str, expected: list[str]) -> None:
    assert names(get(listing[1], {"_sort": sort})) == expected


def test_sort_ties_end_on_id_so_every_store_answers_one_order(listing: tuple[Backoffice, FlaskClient]) -> None:
    rows = get(listing[1], {"_sort": "age", "_page": 0})["result"]
    thirty = [row["_id"] for row in rows if row["age"] == 30]
    assert thirty == sorted(thirty) and len(thirty) == 2


def test_sort_with_a_filter_and_pages(listing: tuple[Backoffice, FlaskClient]) -> None:
    client = listing[1]
    first = get(client, {"_sort": "-age,name", "age.$gt": 25, "_page": 2})
    second = get(client, {"_sort": "-age,name", "age.$gt": 25, "_page": 2, "_skip": 2})
    assert (names(first), names(second), first["total"]) == (["0123", "carol"], ["bob", "dave"], 4)
    assert set(first) == {"result", "total", "_skip", "_page"}  # 0.2.1's shape


def test_sort_on_a_selection(listing: tuple[Backoffice, FlaskClient]) -> None:
    backoffice, client = listing
    backoffice.users.register_selection("active", Selection(filter={"active": True}))
    answer = client.get("/myApp/users/_selections/active?_sort=-name").json
    assert names(answer) == ["carol", "alice", "0123"]
    posted = client.post("/myApp/users/_selections/active?_sort=name", json={"age": ["$gt", 25]}).json
    assert names(posted) == ["0123", "carol"]


@pytest.mark.parametrize(
    ("sort", "message"),
    [
        ("zz", 'no readable field "zz"'),
        ("name.zz", 'no readable field "name.zz"'),
        ("tags", "cannot be sorted on"),
        ("addr", "cannot be sorted on"),
        ("name,name", "named twice"),
        ("", "comma-separated list"),
        ("name,,age", "comma-separated list"),
        ("a,b,c,d,e,f,g,h,i", "at most 8"),
    ],
)
def test_bad_sort_is_400(listing: tuple[Backoffice, FlaskClient], sort: str, message: str) -> None:
    assert message in get(listing[1], {"_sort": sort}, 400)


def test_unreadable_field_cannot_be_sorted_filtered_or_projected(stores: Stores) -> None:  # noqa: F811
    backoffice = Backoffice("myApp")
    model = Item({"name": String(), "secret": String(can_read=False)})
    backoffice.register_collection(Collection("users", model, stores("users")))
    backoffice.users.create({"name": "a"})
    client = serve(backoffice)
    unknown = get(client, {"_sort": "nothing"}, 400)
    hidden = get(client, {"_sort": "secret"}, 400)
    assert hidden == unknown.replace("nothing", "secret")  # the same answer: no oracle
    assert 'no readable field "secret"' in get(client, {"_fields": "secret"}, 400)
    assert 'no readable field "secret"' in get(client, {"_filter": json.dumps({"secret": "x"})}, 400)
    or_filter = {"$or": [{"name": "a"}, {"secret": ["$reg", "^x"]}]}
    assert 'no readable field "secret"' in get(client, {"_filter": json.dumps(or_filter)}, 400)


# --- _fields and _view -------------------------------------------------------------------


def test_fields_keep_the_id_and_nested_paths(listing: tuple[Backoffice, FlaskClient]) -> None:
    rows = get(listing[1], {"_fields": "name,addr.city", "_sort": "name", "_page": 1})["result"]
    assert list(rows[0]) == ["_id", "name", "addr"] and rows[0]["addr"] == {"city": "c2"}


def test_view_on_rows_is_opt_in(listing: tuple[Backoffice, FlaskClient]) -> None:
    backoffice, client = listing
    row = get(client, {"_view": "+short", "_sort": "name", "_page": 1})["result"][0]
    assert "name" in row  # 0.2.1: _view is ignored on lists
    shown = get(client, {"_view": "+short", "_list_view": 1, "_sort": "name", "_page": 1})["result"][0]
    single = client.get(f"{BASE}/{row['_id']}?_view=%2Bshort").json
    assert shown == single and "name" not in shown and shown["addr"] == {"city": "c2"}  # as on one item
    backoffice.users.list_views = True  # the collection's option
    assert get(client, {"_view": "+short", "_sort": "name", "_page": 1})["result"][0] == shown


# --- typed values ------------------------------------------------------------------------


def test_typed_values_are_opt_in(listing: tuple[Backoffice, FlaskClient]) -> None:
    backoffice, client = listing
    assert names(get(client, {"active": "false"})) == []  # 0.2.1: "false" is no boolean
    assert names(get(client, {"active": "false", "_typed": 1, "_sort": "name"})) == ["bob", "dave"]
    assert names(get(client, {"name": "0123", "_typed": 1})) == ["0123"]  # digits stay text for a String
    assert names(get(client, {"score": "1", "_typed": 1})) == ["0123"]  # a number for a Float
    assert names(get(client, {"tags.$contains": "t9", "_typed": 1})) == ["0123"]
    backoffice.users.typed_query_values = True
    assert names(get(client, {"active": "no", "_sort": "name"})) == ["bob", "dave"]
    assert names(get(client, {"active": "false", "_typed": 0})) == []  # turned off per request


@pytest.mark.parametrize(("query", "message"), [({"active": "maybe"}, "not a boolean"), ({"age": "x"}, "integer")])
def test_typed_value_of_the_wrong_type_is_400(
    listing: tuple[Backoffice, FlaskClient], query: dict, message: str
) -> None:
    assert message in get(listing[1], {**query, "_typed": 1}, 400)


def test_multidict_to_filter_keeps_0_2_1_output() -> None:
    args = MultiDict([("active", "false"), ("name", "0123"), ("age", "$gt"), ("age", "25"), ("t.$re", "^D")])
    assert multidict_to_filter(args) == {"active": "false", "name": 123, "age": ("$gt", 25), "t": ("$re", "^D")}


# --- _filter: OR and NOT -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "bob"}, ["bob"]),
        ({"$or": [{"name": "bob"}, {"age": ["$gt", 45]}]}, ["0123", "bob"]),
        ({"age": ["$or", [["$lt", 25], ["$gt", 45]]]}, ["0123", "alice"]),
        ({"name": ["$not", ["$reg", "^[ab]"]]}, ["0123", "carol", "dave"]),
        ({"$not": {"addr.city": "c0"}}, ["0123", "bob", "dave"]),
        ({"$and": [{"age": ["$gte", 30]}, {"age": ["$lt", 50]}]}, ["bob", "carol", "dave"]),
        ({"active": False, "addr.zip": 2}, ["bob", "dave"]),  # JSON types: no coercion needed
        ({"$or": [{"tags": ["$contains", "t9"]}, {"name": ["$re", "^c"]}]}, ["0123", "carol"]),
    ],
)
def test_json_filter(listing: tuple[Backoffice, FlaskClient], query: dict, expected: list[str]) -> None:
    answer = get(listing[1], {"_filter": json.dumps(query), "_sort": "name"})
    assert names(answer) == expected and answer["total"] == len(expected)


def test_json_filter_combines_with_query_filters_and_pages(listing: tuple[Backoffice, FlaskClient]) -> None:
    query = {"_filter": json.dumps({"$or": [{"active": False}, {"age": 50}]}), "_sort": "name", "_page": 2}
    answer = get(listing[1], query)
    assert (names(answer), answer["total"]) == (["0123", "bob"], 3)
    assert names(get(listing[1], {**query, "age": 30})) == ["bob", "dave"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "not valid JSON"),
        ("[1]", "a filter is a JSON object"),
        ('{"age": ["$nope", 1]}', 'unknown operator "$nope"'),
        ('{"$or": {"a": 1}}', "non-empty list"),
        ('{"$xor": []}', 'unknown key "$xor"'),
        ('{"age": ["$gt", [1]]}', "compares with a value"),
        ('{"age": ["$or", [1, 2]]}', 'each condition is ["$op", value]'),
        ('{"addr": {"city": "c0"}}', "dotted keys"),
    ],
)
def test_bad_json_filter_is_400(listing: tuple[Backoffice, FlaskClient], raw: str, message: str) -> None:
    assert message in get(listing[1], {"_filter": raw}, 400)


def test_post_selection_refuses_a_query_filter(listing: tuple[Backoffice, FlaskClient]) -> None:
    response = listing[1].post("/myApp/users/_selections/_all?_filter=%7B%7D", json={})
    assert response.status_code == 400 and "in the body" in response.text


# --- cursors -----------------------------------------------------------------------------


def walk(client: FlaskClient, query: dict[str, Any]) -> list[list[str]]:
    """Every page, following ``_next``."""
    pages, answer = [], get(client, {**query, "_cursor": 1})
    while True:
        pages.append(names(answer))
        if answer["_next"] is None:
            return pages
        answer = get(client, {**query, "_after": answer["_next"]})


@pytest.mark.parametrize(
    "sort", ["name", "-name", "-age,name", "addr.city,-score", "active,-age", "surname", "-surname"]
)
def test_cursor_pages_follow_the_sort(listing: tuple[Backoffice, FlaskClient], sort: str) -> None:
    client = listing[1]
    expected = names(get(client, {"_sort": sort, "_page": 0}))
    pages = walk(client, {"_sort": sort, "_page": 2})
    assert [name for page in pages for name in page] == expected
    assert [len(page) for page in pages] == [2, 2, 1]


def test_cursor_is_stable_under_inserts(listing: tuple[Backoffice, FlaskClient]) -> None:
    backoffice, client = listing
    first = get(client, {"_sort": "name", "_page": 2, "_cursor": 1})
    assert names(first) == ["0123", "alice"]
    backoffice.users.create({"name": "aaron"})  # sorts before the cursor: must not shift the next page
    backoffice.users.create({"name": "zoe"})
    second = get(client, {"_sort": "name", "_page": 2, "_after": first["_next"]})
    assert (names(second), second["total"]) == (["bob", "carol"], 4)


@pytest.mark.parametrize("sort", ["name", "-age,name"])
def test_cursor_pages_of_an_uncounted_collection(listing: tuple[Backoffice, FlaskClient], sort: str) -> None:
    """Collection(count="none"): no total to compare with, a full page offers the next one."""
    backoffice, client = listing
    expected = names(get(client, {"_sort": sort, "_page": 0}))
    backoffice.users.count_strategy = "none"
    pages = walk(client, {"_sort": sort, "_page": 2})
    assert [name for page in pages for name in page] == expected
    assert [len(page) for page in pages] == [2, 2, 1]
    answer = get(client, {"_sort": sort, "_page": 2, "_cursor": 1})
    assert (answer["total"], answer["_count"]) == (None, "none")


def test_cursor_without_sort_follows_ids_and_keeps_filters(listing: tuple[Backoffice, FlaskClient]) -> None:
    client = listing[1]
    pages = walk(client, {"_page": 2, "age.$gte": 30})
    assert sorted(name for page in pages for name in page) == ["0123", "bob", "carol", "dave"]


def test_answers_without_cursor_keep_0_2_1_shape(listing: tuple[Backoffice, FlaskClient]) -> None:
    assert "_next" not in get(listing[1], {"_sort": "name"})


@pytest.mark.parametrize(
    "mangle", [lambda c: c[:-3] + "AAA", lambda c: "x" + c, lambda c: c.replace(".", ""), str.upper]
)
def test_tampered_cursor_is_400(listing: tuple[Backoffice, FlaskClient], mangle: Any) -> None:
    client = listing[1]
    cursor = get(client, {"_sort": "name", "_page": 1, "_cursor": 1})["_next"]
    assert "invalid cursor" in get(client, {"_sort": "name", "_page": 1, "_after": mangle(cursor)}, 400)


def test_cursor_of_another_sort_or_with_skip_is_400(listing: tuple[Backoffice, FlaskClient]) -> None:
    client = listing[1]
    cursor = get(client, {"_sort": "name", "_page": 1, "_cursor": 1})["_next"]
    assert "another _sort" in get(client, {"_sort": "-name", "_after": cursor}, 400)
    assert '"_skip"' in get(client, {"_sort": "name", "_after": cursor, "_skip": 1}, 400)


def test_cursor_signed_with_the_application_secret(listing: tuple[Backoffice, FlaskClient]) -> None:
    client = listing[1]
    cursor = get(client, {"_sort": "name", "_page": 1, "_cursor": 1})["_next"]
    client.application.secret_key = "another secret"
    assert "bad signature" in get(client, {"_sort": "name", "_after": cursor}, 400)


def test_selection_of_selected_values_refuses_fields_and_cursors(listing: tuple[Backoffice, FlaskClient]) -> None:
    backoffice, client = listing
    backoffice.users.register_selection("names", Selection(["$.name"]))
    assert client.get("/myApp/users/_selections/names?_fields=name").status_code == 400
    assert client.get("/myApp/users/_selections/names?_cursor=1").status_code == 400
    answer = client.get("/myApp/users/_selections/names?_sort=-name&_page=2&_view=%2Bshort").json
    assert [row[1] for row in answer["result"]] == ["dave", "carol"]  # _view ignored on selected values


def test_sort_on_references_does_not_load_targets(stores: Stores) -> None:  # noqa: F811
    backoffice = Backoffice("lib")
    books = Item({"title": String(), "author": Ref(coll="authors", field="$.books")})
    authors = Item({"name": String(), "books": RefsList(coll="books", field="$.author")})
    backoffice.register_collection(Collection("books", books, stores("books")))
    backoffice.register_collection(Collection("authors", authors, stores("authors")))
    a, b = backoffice.authors.create({"name": "a"}), backoffice.authors.create({"name": "b"})
    for title, author in (("x", b), ("y", a), ("z", b)):
        backoffice.books.create({"title": title, "author": author._id.get_value()})
    client = serve(backoffice)
    rows = client.get("/lib/books?_sort=author,-title&_fields=title").json["result"]
    first = sorted([a._id.get_value(), b._id.get_value()])[0]
    expected = ["y", "z", "x"] if first == a._id.get_value() else ["z", "x", "y"]
    assert [row["title"] for row in rows] == expected
    assert client.get("/lib/books?_sort=author.name").status_code == 400  # no walking into a Ref
