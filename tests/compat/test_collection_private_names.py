"""COMPAT-FIXES §7 and N9: 0.2.1's private names on Collection and Backoffice, read-only; and
``Collection.action_go(_action_name, _id)`` with 0.2.1's parameter names and an Item's ``_id``."""

import uuid
from typing import Any

import pytest
from flask import Flask

from backo import Action, Backoffice, Collection, Item, Selection, String
from tests.support.stores import StoreFactory


def shelf(store_factory: StoreFactory) -> Backoffice:
    """Back office "shelf": books "Candide" and "Nana" (fr) and "Emma" (en)."""
    books = Collection("books", Item({"title": String(), "lang": String()}), store_factory("books"))
    bo = Backoffice("shelf")
    bo.register_collection(books)
    for title, lang in (("Candide", "fr"), ("Nana", "fr"), ("Emma", "en")):
        books.create({"title": title, "lang": lang})
    return bo


def test_selections_under_their_0_2_1_name(store_factory: StoreFactory) -> None:
    books = shelf(store_factory).books
    books.register_selection("titles", Selection(["$.title"], filter={"lang": "fr"}))
    assert list(books._selections) == ["_all", "titles"]
    assert books._selections is books.selections

    page = books._selections["_all"].select({"lang": "fr"}, 1, 0)  # page_size=1, skip=0
    assert page["total"] == 2 and len(page["result"]) == 1
    assert all(type(row) is Item for row in books._selections["_all"].select({"lang": "fr"})["result"])
    assert {"result", "total"} <= set(page)

    rows = books._selections["titles"].select({})["result"]
    ids = {book.title.get_value(): book._id.get_value() for book in books.select()}
    assert sorted(rows, key=lambda row: row[1]) == [[ids["Candide"], "Candide"], [ids["Nana"], "Nana"]]
    second = books._selections["titles"].select({}, 1, 1)
    assert second["total"] == 2 and len(second["result"]) == 1


def test_actions_views_and_openapi_under_their_0_2_1_names(store_factory: StoreFactory) -> None:
    bo = shelf(store_factory)
    books = bo.books
    assert books._actions == {} and books._views == {}
    retitle = Action({"title": String()}, lambda action, book, **kwargs: None)
    books.register_action("retitle", retitle)
    assert books._actions == {"retitle": retitle} and books._actions is books.actions
    books.define_view("short", ["$.title", "$.nothing"])
    books.define_view("short", ["$.title"])
    assert books._views == {"short": ["$.title", "$.nothing"]}

    assert books._openapi == {}  # no routes yet
    bo.build_routes(Flask(f"shelf_{uuid.uuid4().hex}"))
    assert books._openapi == books.get_openapi_routes() and "/books/{id}" in books._openapi


@pytest.mark.parametrize("name", ["_selections", "_actions", "_views", "_openapi"])
def test_the_aliases_are_read_only(store_factory: StoreFactory, name: str) -> None:
    books = shelf(store_factory).books
    with pytest.raises(AttributeError):
        setattr(books, name, {})


def test_the_transaction_id_reference(store_factory: StoreFactory) -> None:
    bo = shelf(store_factory)
    fresh = Backoffice("empty")
    assert fresh._transaction_id_reference == 1  # the first transaction is 2
    assert fresh.start_transaction() == 2 and fresh._transaction_id_reference == 2
    before = bo._transaction_id_reference
    opened = bo.start_transaction()
    assert opened == before + 1 == bo._transaction_id_reference
    bo.stop_transaction(opened)
    with pytest.raises(AttributeError):
        bo._transaction_id_reference = 9  # type: ignore[misc]


def rename(action: Action, book: Any, **kwargs: Any) -> None:
    book.title = action.title.get_value()
    book.save(**kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda books, _id: books.action_go("retitle", _id),
        lambda books, _id: books.action_go(_action_name="retitle", _id=_id),
        lambda books, _id: books.action_go(action_name="retitle", _id=_id),
    ],
    ids=["positional", "0.2.1 names", "current names"],
)
def test_action_go_takes_0_2_1_parameter_names_and_an_items_id(store_factory: StoreFactory, call: Any) -> None:
    books = shelf(store_factory).books
    books.register_action("retitle", Action({"title": String()}, rename))
    emma = books.select_one({"title": "Emma"})
    assert emma is not None
    app = Flask(f"shelf_{uuid.uuid4().hex}")
    with app.test_request_context("/", method="POST", json={"title": "Emma (2nd)"}):
        response = call(books, emma._id)  # the Item's _id, a stricto String
    assert (response.status_code, response.get_data(as_text=True)) == (200, "action done")
    assert books.get_by_id(emma._id).title.get_value() == "Emma (2nd)"
    with pytest.raises(TypeError, match="action name"):
        books.action_go(_id=emma._id)


def test_yml_connector_path_under_its_0_2_1_name(tmp_path) -> None:
    from backo import DBYmlConnector

    folder = str(tmp_path / "books")
    db = DBYmlConnector(path=folder)
    assert db._path == folder == db.path
    with pytest.raises(AttributeError):
        db._path = "elsewhere"  # type: ignore[misc]
