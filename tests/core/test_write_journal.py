"""Every write of a stored document reaches the collection's write observers, once, with
its transaction; what an observer writes in a sibling store goes when the write rolls back."""

from typing import Any

import pytest

from backo import BackoError, Backoffice, Collection, DeleteStrategy, Item, NotFoundError, Ref, RefsList, String
from backo.core import operations
from backo.core.transaction import OperatorType
from backo.core.write_journal import Write, record_side_write
from backo.error import DBError
from backo.storage.db import DBConnector
from tests.support.every_store import every_store  # noqa: F401 - fixture
from tests.support.postgres import postgres_factory, postgres_url  # noqa: F401 - fixtures
from tests.support.references import PATH_KINDS, extra_fields
from tests.support.stores import StoreFactory


class SideLog:
    """An observer keeping each write as a document of a sibling store, inside the transaction."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.store: DBConnector = collection.db_handler.sibling(f"{collection.name}_log")
        self.seen: list[Write] = []

    def written(self, write: Write) -> None:
        self.seen.append(write)
        document = {"_id": self.store.generate_id(None), "of": write._id, "op": write.operation.name}
        new_id = self.store.create(document)
        record_side_write(
            self.collection.backoffice,
            write.transaction_id,
            self.store,
            f"{self.collection.name}/_log",
            OperatorType.CREATE,
            new_id,
            None,
        )

    def stored(self) -> list[tuple[str, str]]:
        return sorted((d["of"], d["op"]) for d in self.store.select(None, {}, 0, 0, None))


def build(every_store: StoreFactory, path_kind: str, strategy: DeleteStrategy) -> tuple[Backoffice, SideLog, SideLog]:
    extra = extra_fields(path_kind)
    bo = Backoffice("journal")
    authors = Collection(
        "authors",
        Item(
            {
                "name": String(),
                "books": RefsList(coll="books", field="$.author", ods=strategy),
                **extra,
            }
        ),
        every_store("authors"),
    )
    books = Collection(
        "books",
        Item({"title": String(), "author": Ref(coll="authors", field="$.books"), **extra}),
        every_store("books"),
    )
    bo.register_collection(authors)
    bo.register_collection(books)
    author_log, book_log = SideLog(authors), SideLog(books)
    authors.write_observers.append(author_log)
    books.write_observers.append(book_log)
    return bo, author_log, book_log


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path_kind", PATH_KINDS)
def test_every_kind_of_write_is_observed_once(every_store: StoreFactory, path_kind: str) -> None:
    bo, author_log, book_log = build(every_store, path_kind, DeleteStrategy.DELETE_REFERENCED_ITEMS)
    author = operations.create(bo.collections["authors"], {"name": "Le Guin"}, "client")
    author_id = author["_id"] if isinstance(author, dict) else author._id.get_value()
    book = bo.collections["books"].create({"title": "Earthsea", "author": author_id})
    book_id = book._id.get_value()
    # the book's create updated the author's reverse list: one save of the author
    assert [(w.operation, w._id) for w in author_log.seen] == [
        (OperatorType.CREATE, author_id),
        (OperatorType.UPDATE, author_id),
    ]
    assert author_log.seen[1].current["books"] == [book_id]
    assert author_log.seen[1].previous.get("books") in (None, [])
    operations.update(bo.collections["books"], book_id, {"title": "A Wizard"}, "client")
    bo.collections["books"].migrate(lambda document: {**document, "title": document["title"].upper()}, dry_run=False)
    # deleting the author cascades to the book
    operations.delete(bo.collections["authors"], author_id)
    assert [w.operation for w in book_log.seen] == [
        OperatorType.CREATE,
        OperatorType.UPDATE,
        OperatorType.UPDATE,
        OperatorType.DELETE,
    ]
    assert book_log.seen[2].current["title"] == "A WIZARD"
    assert book_log.seen[3].previous["title"] == "A WIZARD" and book_log.seen[3].current is None
    assert author_log.seen[-1].operation is OperatorType.DELETE
    assert all(w.transaction_id is not None for w in author_log.seen + book_log.seen)
    assert book_log.stored() == sorted(
        [(book_id, "CREATE"), (book_id, "UPDATE"), (book_id, "UPDATE"), (book_id, "DELETE")]
    )


@pytest.mark.timeout(60)
def test_a_failed_reference_update_leaves_no_side_write(every_store: StoreFactory) -> None:
    bo, author_log, book_log = build(every_store, "plain", DeleteStrategy.MUST_BE_EMPTY)
    author = bo.collections["authors"].create({"name": "Herbert"})
    bo.collections["books"].create({"title": "Dune", "author": author._id.get_value()})
    before_authors, before_books = author_log.stored(), book_log.stored()
    with pytest.raises(BackoError):
        author.delete()  # MUST_BE_EMPTY: refused, nothing committed
    assert author_log.stored() == before_authors and book_log.stored() == before_books
    with pytest.raises(NotFoundError):
        bo.collections["books"].create({"title": "Ghost", "author": "no-such-author"})
    assert book_log.stored() == before_books


def test_a_store_without_siblings_refuses_clearly() -> None:
    class Bare(DBConnector):
        def drop(self) -> None: ...
        def create(self, o: dict[str, Any]) -> str:
            return ""

        def save(self, _id: str, o: dict[str, Any]) -> None: ...
        def get_by_id(self, _id: str) -> dict[str, Any]:
            return {}

        def delete_by_id(self, _id: str) -> bool:
            return False

        def select(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
            return []

    with pytest.raises(DBError, match="cannot keep a sibling store"):
        Bare().sibling("history")


@pytest.mark.timeout(30)
def test_sibling_names_are_checked_and_siblings_are_separate(every_store: StoreFactory) -> None:
    store = every_store("things")
    with pytest.raises(DBError, match="Invalid sibling store name"):
        store.sibling("../escape")
    sibling = store.sibling("things_history")
    _id = store.create({"_id": store.generate_id(None), "a": 1})
    sibling.save(_id, {"_id": _id, "b": 2})
    assert store.get_by_id(_id)["a"] == 1 and "b" not in store.get_by_id(_id)
    assert [d["b"] for d in sibling.select(None, {}, 0, 0, None)] == [2]
    assert [d["_id"] for d in store.select(None, {}, 0, 0, None)] == [_id]
