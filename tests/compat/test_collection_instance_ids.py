"""COMPAT-FIXES §13 and N2: a ``generate_id`` function set on the connector instance (0.2.1's way)
gets the Item being created, also when the POST is of a plain model, and through a DBRedirect."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from backo import Backoffice, Bool, Collection, DBMemoryConnector, Item, String
from backo.core.plain_model import derives_ids_from_items
from backo.storage.db import DBRedirect
from tests.support.backends import serve_in_thread
from tests.support.stores import StoreFactory

MODELS = {
    "title only": lambda: Item({"title": String()}),
    "with a default": lambda: Item({"title": String(), "hard": Bool(default=True)}),
}


def named_after_title(o: Any) -> str:
    """0.2.1's usual id function: the Item's title."""
    return f"Book_{o.title}"


def shop(store_factory: StoreFactory, model: Item) -> tuple[Backoffice, Any]:
    """Back office "shop" whose "books" take their ids from an instance function; its test client."""
    db = store_factory("books")
    db.generate_id = named_after_title  # on the instance, not the class
    bo = Backoffice("shop")
    bo.register_collection(Collection("books", model, db))
    app = Flask(f"shop_{uuid.uuid4().hex}")
    bo.build_routes(app)
    return bo, app.test_client()


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_post_uses_the_instance_function(store_factory: StoreFactory, model: Any) -> None:
    bo, client = shop(store_factory, model())
    response = client.post("/shop/books", json={"title": "dune"})
    assert response.status_code == 200, response.text
    assert response.json["_id"] == "Book_dune"
    assert bo.books.get_by_id("Book_dune").title.get_value() == "dune"
    assert bo.books.create({"title": "emma"})._id.get_value() == "Book_emma"
    assert client.get("/shop/books/Book_emma").json["title"] == "emma"


def test_an_instance_function_is_seen_before_the_class_cache() -> None:
    db = DBMemoryConnector()
    assert derives_ids_from_items(db) is False  # backo's own: the class is cached so
    db.generate_id = named_after_title  # type: ignore[method-assign]
    assert derives_ids_from_items(db) is True
    assert derives_ids_from_items(DBMemoryConnector()) is False  # other instances are unchanged


# -- through a DBRedirect (N2) ----------------------------------------------------------------


@pytest.fixture
def core() -> Iterator[tuple[Backoffice, int]]:
    """Back office "core" keeping the books, ids named after titles, served on 127.0.0.1."""
    db = DBMemoryConnector()
    db.generate_id = named_after_title  # type: ignore[method-assign]
    remote = Backoffice("core")
    remote.register_collection(Collection("books", Item({"title": String()}), db))
    app = Flask(f"core_{uuid.uuid4().hex}")
    remote.build_routes(app, prefix="core")
    with serve_in_thread(app) as port:
        yield remote, port


@pytest.mark.timeout(60)
def test_post_through_a_redirect_front(core: tuple[Backoffice, int]) -> None:
    remote, port = core
    connector = DBRedirect("books", host="127.0.0.1", port=port, prefix="core/core")
    front = Backoffice("front")
    front.register_collection(Collection("books", Item({"title": String()}), connector))
    app = Flask(f"front_{uuid.uuid4().hex}")
    front.build_routes(app)
    try:
        response = app.test_client().post("/front/books", json={"title": "dune"})
        assert response.status_code == 200, response.text
        assert response.json["_id"] == "Book_dune"
        assert remote.books.db_handler.get_by_id("Book_dune")["title"] == "dune"
        assert front.books.create({"title": "emma"})._id.get_value() == "Book_emma"
    finally:
        connector.close()
