"""DBRedirect end to end: a collection of one backo stored in a collection of another.

The remote is a real backo (``Backoffice.build_routes``) served on 127.0.0.1 in a thread;
the local collection uses it through its REST API only.
"""

import uuid
from collections.abc import Iterator
from typing import Any

import backo.db_backo_redirect
import pytest
from flask import Flask

from backo import Backoffice, Collection, DBMemoryConnector, Int, Item, String
from backo.error import DBError, NotFoundError
from backo.storage.db import DBRedirect
from tests.support.backends import closed_port, serve_in_thread


def book() -> Item:
    return Item({"title": String(required=True, default="untitled"), "pages": Int()})


@pytest.fixture
def library() -> Iterator[tuple[Backoffice, int]]:
    """The remote: backo "library", served under /api/library, its books in memory."""
    remote = Backoffice("library")
    remote.register_collection(Collection("books", book(), DBMemoryConnector()))
    remote.register_collection(Collection("archive", book(), DBMemoryConnector(), can_delete=False))
    app = Flask(f"library_{uuid.uuid4().hex}")
    remote.build_routes(app, prefix="api")
    with serve_in_thread(app) as port:
        yield remote, port


@pytest.fixture
def shop(library: tuple[Backoffice, int]) -> Iterator[Backoffice]:
    """The local backo: its "books" live in the library's "books"."""
    connector = DBRedirect("books", host="127.0.0.1", port=library[1], prefix="api/library")
    local = Backoffice("shop")
    local.register_collection(Collection("books", book(), connector))
    yield local
    connector.close()


def remote_books(library: tuple[Backoffice, int]) -> dict[str, dict[str, Any]]:
    """What the remote stores, by id."""
    return {d["_id"]: d for d in library[0].books.db_handler.select(None)}


def test_compat_module() -> None:
    assert backo.db_backo_redirect.DBRedirect is DBRedirect


def test_create_get_save_delete_select(shop: Backoffice, library: tuple[Backoffice, int]) -> None:
    books = shop.books
    dune = books.create({"title": "Dune", "pages": 412})
    _id = dune._id.get_value()
    stored = remote_books(library)
    assert list(stored) == [_id]  # the remote assigned the id
    assert stored[_id]["title"] == "Dune" and stored[_id]["pages"] == 412

    loaded = books.get_by_id(_id)
    assert (loaded.title, loaded.pages) == ("Dune", 412)
    assert loaded._meta.ctime.get_value() is not None  # the remote's metadata

    loaded.pages = 500
    loaded.save()  # the local _meta changed; the remote keeps its own (no 403)
    assert remote_books(library)[_id]["pages"] == 500
    assert remote_books(library)[_id]["_meta"]["ctime"] == stored[_id]["_meta"]["ctime"]

    books.create({"title": "Emma", "pages": 300})
    assert sorted(b.title.get_value() for b in books.select()) == ["Dune", "Emma"]
    assert [b.title.get_value() for b in books.select({"pages": ("$gt", 400)})] == ["Dune"]

    loaded.delete()
    assert _id not in remote_books(library)
    with pytest.raises(NotFoundError, match=f'_id "{_id}" not found'):
        books.get_by_id(_id)


def test_select_sees_every_remote_object(shop: Backoffice, library: tuple[Backoffice, int]) -> None:
    for n in range(25):  # a backo answers 10 objects per page by default
        library[0].books.create({"title": f"book {n}", "pages": n})
    assert len(shop.books.select()) == 25
    page = shop.books.selections["_all"].select(None, page_size=5, num_of_element_to_skip=20)
    assert page["total"] == 25 and len(page["result"]) == 5


def test_connector_level(shop: Backoffice, library: tuple[Backoffice, int]) -> None:
    db = shop.books.db_handler
    _id = db.create({"_id": "ignored", "_meta": {"ctime": "1999-01-01T00:00:00"}, "title": "X"})
    stored = remote_books(library)[_id]
    assert stored["_meta"]["ctime"] != "1999-01-01T00:00:00"  # the remote owns _meta
    assert db.select({"title": "X"}, {"title": 1}) == [{"_id": _id, "title": "X"}]
    assert db.delete_by_id(_id) is True
    with pytest.raises(NotFoundError):
        db.delete_by_id(_id)
    with pytest.raises(NotFoundError):
        db.save(_id, {"title": "Y"})


def test_generate_id(shop: Backoffice) -> None:
    db = shop.books.db_handler
    assert db.generate_id(shop.books.new_item()) == ""
    assert db.generate_id({"_id": "42"}) == "42"
    assert db.generate_id(None) == ""


def test_drop_is_refused(shop: Backoffice) -> None:
    with pytest.raises(DBError, match="DBRedirect doenst implement drop\\(\\) method"):
        shop.books.db_handler.drop()


def test_remote_refusals_are_dberrors(library: tuple[Backoffice, int]) -> None:
    connector = DBRedirect("archive", host="127.0.0.1", port=library[1], prefix="api/library")
    archive = Collection("archive", book(), connector)
    Backoffice("local").register_collection(archive)
    item = archive.create({"title": "old"})
    with pytest.raises(DBError, match='Endpoint "archive" error'):  # no DELETE route: 405
        item.delete()
    assert archive.get_by_id(item._id.get_value()).title == "old"
    connector.close()


def test_an_unknown_remote_collection(library: tuple[Backoffice, int]) -> None:
    connector = DBRedirect("nothing", host="127.0.0.1", port=library[1], prefix="api/library")
    with pytest.raises(NotFoundError, match='Endpoint "nothing" not found'):
        connector.select(None)
    with pytest.raises(NotFoundError, match='Create endpoint "nothing" not found'):
        connector.create({"title": "x"})
    connector.close()


def test_an_unreachable_remote() -> None:
    connector = DBRedirect("books", host="127.0.0.1", port=closed_port(), prefix="api/library")
    with pytest.raises(DBError, match='Endpoint "books" error'):
        connector.get_by_id("1")
    connector.close()
