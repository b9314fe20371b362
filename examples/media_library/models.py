"""The media library's backoffice: books, authors and users, with their rights by role.

Roles: ``ADMIN`` manages users and may delete anything; ``EMPLOYEE`` (a librarian)
catalogues books and authors and lends books; ``READER`` borrows them. Anonymous
visitors browse the catalogue. Every right is a function of the current user (set by the
``jwt_auth`` hook of :mod:`.auth`) and, for some, of the Item concerned.
"""

import datetime
import hashlib
import hmac
import os
import re
from pathlib import Path
from typing import Any

from backo import (
    Action,
    Backoffice,
    Bool,
    Collection,
    Datetime,
    DBYmlConnector,
    DeleteStrategy,
    File,
    FileSystemConnector,
    Item,
    List,
    Ref,
    RefsList,
    Selection,
    String,
    current_user,
)

ROLES = ["ADMIN", "EMPLOYEE", "READER"]
GENRES = ["novel", "poetry", "essay", "comic", "other"]
COVER_TYPES = ["image/png", "image/jpeg", "image/gif"]
#: Covers up to 1 MiB.
MAX_COVER_SIZE = 2**20

# --- rights ----------------------------------------------------------------------------


def is_staff() -> bool:
    """Tell whether the current user is an administrator or a librarian."""
    return current_user.has_role(["ADMIN", "EMPLOYEE"])


def staff_only(right_name: str, item: Any) -> bool:
    """Right granted to administrators and librarians."""
    return is_staff()


def admin_only(right_name: str, item: Any) -> bool:
    """Right granted to administrators."""
    return current_user.has_role("ADMIN")


def is_not_borrowed(right_name: str, book: Any) -> bool:
    """``borrow`` makes sense for a book on the shelf only."""
    return book.borrowed.get_value() is not True


def is_borrowed(right_name: str, book: Any) -> bool:
    """``return`` makes sense for a borrowed book only."""
    return book.borrowed.get_value() is True


def is_isbn(value: Any, root: Any = None) -> bool:
    """stricto constraint: no ISBN, or 10 characters (the last may be X) or 13 digits.

    A ``regexp`` would do, but stricto 0.2 applies it to None too, making the field mandatory.
    """
    return value is None or re.fullmatch(r"[0-9]{9}[0-9X]|97[89][0-9]{10}", str(value)) is not None


# --- passwords -------------------------------------------------------------------------

PASSWORD_SCHEME = "pbkdf2_sha256"
PASSWORD_ITERATIONS = 100_000


def hash_password(value: Any, root: Any = None) -> Any:
    """stricto ``transform``: store a salted PBKDF2 hash, never the password itself."""
    if not isinstance(value, str) or value.startswith(PASSWORD_SCHEME + "$"):
        return value
    salt = os.urandom(16).hex()
    digest = hashlib.pbkdf2_hmac("sha256", value.encode(), bytes.fromhex(salt), PASSWORD_ITERATIONS).hex()
    return f"{PASSWORD_SCHEME}${PASSWORD_ITERATIONS}${salt}${digest}"


def verify_password(password: str, stored: Any) -> bool:
    """Tell whether ``password`` matches a hash made by :func:`hash_password`."""
    try:
        scheme, iterations, salt, digest = str(stored).split("$")
        computed = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations)).hex()
    except ValueError:
        return False
    return scheme == PASSWORD_SCHEME and hmac.compare_digest(computed, digest)


# --- actions ---------------------------------------------------------------------------


def borrow(action: Action, book: Item, **kwargs: Any) -> None:
    """Lend ``book`` to ``action.user`` until ``action.return_date`` (the user's list follows)."""
    book.set(
        {
            "borrowed": True,
            "borrower": action.user.get_value(),
            "borrowed_on": datetime.datetime.now().replace(microsecond=0),
            "return_date": action.return_date.get_value(),
        }
    )
    book.save(**kwargs)


def give_back(action: Action, book: Item, **kwargs: Any) -> None:
    """Put ``book`` back on the shelf."""
    book.set({"borrowed": False, "borrower": None, "borrowed_on": None, "return_date": None})
    book.save(**kwargs)


# --- collections -----------------------------------------------------------------------


def books_collection(data_dir: Path) -> Collection:
    """Books: a cover image, authors, and the loan fields only librarians change."""
    covers = FileSystemConnector(path=str(data_dir / "covers"))
    item = Item(
        {
            "title": String(required=True, description="The title"),
            "isbn": String(constraint=is_isbn, description="ISBN-10 or ISBN-13, digits only"),
            "genre": String(union=GENRES, default="other"),
            "authors": RefsList(coll="authors", field="$.books", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
            "cover": File(wc=covers, mime_types=COVER_TYPES, max_size=MAX_COVER_SIZE),
            "borrowed": Bool(default=False, can_modify=staff_only),
            "borrower": Ref(coll="users", field="$.borrowed", can_modify=staff_only),
            "borrowed_on": Datetime(can_modify=staff_only),
            "return_date": Datetime(can_modify=staff_only),
        }
    )
    books = Collection(
        "books",
        item,
        DBYmlConnector(path=str(data_dir / "books")),
        can_create=staff_only,
        can_modify=staff_only,
        can_delete=admin_only,
    )
    payload = {
        "user": String(required=True, description="The _id of the borrowing user"),
        "return_date": Datetime(required=True),
    }
    books.register_action("borrow", Action(payload, borrow, can_see=is_not_borrowed, can_execute=staff_only))
    books.register_action("return", Action({}, give_back, can_see=is_borrowed, can_execute=staff_only))
    books.register_selection(
        "borrowed",
        Selection(["$.title", "$.borrower", "$.return_date"], filter={"borrowed": True}, can_read=staff_only),
    )
    books.register_selection("available", Selection(["$.title", "$.genre"], filter={"borrowed": False}))
    return books


def authors_collection(data_dir: Path) -> Collection:
    """Authors, and the books they wrote (deleting an author unlinks its books)."""
    item = Item(
        {
            "name": String(required=True),
            "books": RefsList(coll="books", field="$.authors", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
        }
    )
    authors = Collection(
        "authors",
        item,
        DBYmlConnector(path=str(data_dir / "authors")),
        can_create=staff_only,
        can_modify=staff_only,
        can_delete=admin_only,
    )
    authors.register_selection("by_author", Selection(["$.name", "$.books", "$.books.title"]))
    return authors


def users_collection(data_dir: Path) -> Collection:
    """Users: only staff sees them, only administrators create, delete, or change roles."""
    item = Item(
        {
            "login": String(required=True, regexp=r"[a-z0-9_.-]{2,32}$"),
            "name": String(),
            "roles": List(String(union=ROLES), default=["READER"], can_modify=admin_only),
            "password": String(transform=hash_password, can_read=False, description="Write only; stored hashed"),
            "borrowed": RefsList(coll="books", field="$.borrower", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
        }
    )
    return Collection(
        "users",
        item,
        DBYmlConnector(path=str(data_dir / "users")),
        can_read=staff_only,
        can_create=admin_only,
        can_modify=staff_only,
        can_delete=admin_only,
    )


def create_backoffice(data_dir: Path) -> Backoffice:
    """The "media_library" backoffice, storing everything under ``data_dir`` (folders created)."""
    for folder in ("books", "covers", "authors", "users"):
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
    # enforce_rights: the actions' can_see / can_execute and the selections' can_read are
    # evaluated (0.2.1 evaluates them only after enable_permissions(), one by one)
    backoffice = Backoffice("media_library", enforce_rights=True)
    backoffice.register_collection(books_collection(data_dir))
    backoffice.register_collection(authors_collection(data_dir))
    backoffice.register_collection(users_collection(data_dir))
    return backoffice
