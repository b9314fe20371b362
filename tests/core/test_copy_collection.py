"""``backoffice.copy_collection``: every document moves to another store, ids kept, counts checked."""

import logging
from pathlib import Path

import pytest
from stricto import Int, SSyntaxError, String

from backo import Backoffice, Collection, DBMemoryConnector, DBYmlConnector, Item
from backo.error import DBError


def library(count: int) -> Backoffice:
    backoffice = Backoffice("library")
    books = Collection("books", Item({"title": String(), "pages": Int()}), DBMemoryConnector())
    backoffice.register_collection(books)
    for index in range(count):
        books.create({"title": f"Book {index}", "pages": index})
    return backoffice


@pytest.mark.timeout(60)
def test_memory_to_yml_keeps_every_document_and_id(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    backoffice = library(25)
    target = DBYmlConnector(path=str(tmp_path / "books"))
    with caplog.at_level(logging.INFO, logger="backo.migration"):
        report = backoffice.copy_collection("books", target, progress_every=10)
    assert (report.collection, report.copied, report.target_total) == ("books", 25, 25)
    source = backoffice.collections["books"].db_handler.select(None, {}, 0, 0, {"_id": 1})
    assert target.select(None, {}, 0, 0, {"_id": 1}) == source
    progress = [record.getMessage() for record in caplog.records if record.name == "backo.migration"]
    assert "books copy: 10/25 documents" in progress and "books copy: done, 25 documents" in progress

    # the copy serves as the collection's store
    moved = Backoffice("moved")
    books = Collection("books", Item({"title": String(), "pages": Int()}), DBYmlConnector(path=str(tmp_path / "books")))
    moved.register_collection(books)
    assert books.select_one({"title": "Book 7"}).pages.get_value() == 7


@pytest.mark.timeout(60)
def test_a_collection_object_and_an_empty_one_copy_too(tmp_path: Path) -> None:
    backoffice = library(0)
    report = backoffice.copy_collection(backoffice.collections["books"], DBMemoryConnector())
    assert report.copied == 0 and report.target_total == 0


def test_the_target_must_be_empty_and_the_name_known() -> None:
    backoffice = library(3)
    target = DBMemoryConnector()
    target.create({"_id": "x", "title": "there already"})
    with pytest.raises(DBError, match="already holds 1 documents"):
        backoffice.copy_collection("books", target)
    assert target.select(None) == [{"_id": "x", "title": "there already"}]
    with pytest.raises(SSyntaxError, match='collection "films" not registered'):
        backoffice.copy_collection("films", DBMemoryConnector())
    books = backoffice.collections["books"]
    with pytest.raises(DBError, match="the target is the source itself"):
        backoffice.copy_collection("books", books.db_handler)


def test_counts_that_differ_at_the_end_are_an_error() -> None:
    class Forgetful(DBMemoryConnector):
        def save(self, _id: str, o: dict) -> None:
            if o.get("pages") != 1:
                super().save(_id, o)

    with pytest.raises(DBError, match="3 documents in the source, 3 copied, 2 in the target"):
        library(3).copy_collection("books", Forgetful())
