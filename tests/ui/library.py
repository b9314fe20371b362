"""The richer model the admin UI is tested on: a library with files, an action and rights.

* ``authors`` (name, birth year, their ``books``: a RefsList whose owner cannot be deleted
  while it holds books, MUST_BE_EMPTY); only librarians may create authors;
* ``books``: every kind of field a form draws (String with a description and a union,
  Int with bounds, Float, Bool, Datetime, List, Dict, a ``Ref`` to its author, a ``File``
  cover), a field only librarians read (``shelf_note``) and one only librarians modify
  (``price``); only librarians delete books; a ``borrow`` action only librarians run.

Authentication is the app's ``jwt_auth`` hook reading ``Authorization: Bearer <token>``:
:data:`TOKENS` names a librarian and a reader; no token is a 401.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

from backo import (
    Action,
    Backoffice,
    Bool,
    Collection,
    Datetime,
    DBMemoryConnector,
    DeleteStrategy,
    Dict,
    File,
    FileSystemConnector,
    Float,
    Int,
    Item,
    List,
    Ref,
    RefsList,
    String,
    current_user,
)

LIBRARIAN_TOKEN = "librarian-token"
READER_TOKEN = "reader-token"
#: token -> user the jwt_auth hook sets
TOKENS: dict[str, dict[str, Any]] = {
    LIBRARIAN_TOKEN: {"_id": "1", "login": "lib", "roles": ["LIBRARIAN"]},
    READER_TOKEN: {"_id": "2", "login": "reader", "roles": []},
}


def librarian(right_name: str = "", o: Any = None, *args: Any) -> bool:
    """A rights function: only users with the LIBRARIAN role."""
    return bool(current_user.has_role("LIBRARIAN"))


def jwt_auth() -> Any:
    """Set the user named by the ``Authorization: Bearer <token>`` header, or answer 401."""
    header = request.headers.get("Authorization", "")
    user = TOKENS.get(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if user is None:
        return jsonify({"message": "Token is missing or invalid"}), 401
    current_user.set(dict(user))
    return None


def borrow(action: Any, book: Any, **kwargs: Any) -> None:
    """The ``borrow`` action: the book is no longer available (and remembers who has it)."""
    book.available = False
    book.borrower = action.borrower.get_value()
    book.save(**kwargs)


def library_backoffice(files: Path) -> Backoffice:
    """The library backoffice, in memory, with covers stored under ``files``."""
    files.mkdir(parents=True, exist_ok=True)
    work = FileSystemConnector(path=str(files))
    backoffice = Backoffice("library", enforce_rights=True)
    authors = Collection(
        "authors",
        Item(
            {
                "name": String(required=True, description="Full name"),
                "born": Int(description="Year of birth"),
                "books": RefsList(coll="books", field="$.author", ods=DeleteStrategy.MUST_BE_EMPTY),
            }
        ),
        DBMemoryConnector(),
        can_create=librarian,
    )
    books = Collection(
        "books",
        Item(
            {
                "title": String(required=True, description="The title, as printed on the cover"),
                "author": Ref(coll="authors", field="$.books", required=True),
                "format": String(union=["paper", "ebook"], default="paper"),
                "pages": Int(min=1, max=10000, default=100),  # stricto compares None with min: keep a default
                "price": Float(can_modify=librarian),
                "available": Bool(default=True),
                "published": Datetime(),
                "tags": List(String()),
                "details": Dict({"isbn": String(), "publisher": String()}),
                "cover": File(work_connector=work),
                "borrower": String(),
                "shelf_note": String(can_read=librarian),
            }
        ),
        DBMemoryConnector(),
        can_delete=librarian,
    )
    books.register_action(
        "borrow",
        Action({"borrower": String(required=True, description="Who takes it")}, borrow, can_execute=librarian),
    )
    backoffice.register_collection(authors)
    backoffice.register_collection(books)
    return backoffice


def library_app(files: Path, auth: Callable[[], Any] | None = jwt_auth) -> Flask:
    """A Flask app serving the library at ``/library`` with its admin at ``/library/_admin/``."""
    app = Flask(__name__)
    library_backoffice(files).build_routes(app, "", auth, admin=True)
    return app
