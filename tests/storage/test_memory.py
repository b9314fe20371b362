"""What is specific to the in-memory connector (backo/storage/db/memory.py)."""

import threading

import pytest

from backo.error import DBError, NotFoundError
from backo.storage.db import DBMemoryConnector


def test_select_without_sort_keeps_insertion_order() -> None:
    db = DBMemoryConnector()
    for _id in ["b", "c", "a"]:
        db.create({"_id": _id})
    db.save("c", {"v": 1})  # replacing keeps the place
    db.save("d", {})  # an upsert goes last
    assert [document["_id"] for document in db.select(None)] == ["b", "c", "a", "d"]


def test_error_messages_name_the_id() -> None:
    db = DBMemoryConnector()
    db.create({"_id": "1"})
    with pytest.raises(DBError) as duplicate:
        db.create({"_id": "1"})
    assert str(duplicate.value) == 'Exception("_id "1" already exist in memory")'
    with pytest.raises(NotFoundError) as missing:
        db.get_by_id("2")
    assert str(missing.value) == 'Exception("_id "2" not found in memory")'


def test_each_connector_is_its_own_store() -> None:
    first, second = DBMemoryConnector(), DBMemoryConnector()
    first.create({"_id": "1"})
    assert second.select(None) == []


def test_concurrent_creates_and_selects() -> None:
    db = DBMemoryConnector()
    errors: list[BaseException] = []

    def create_many(writer: int) -> None:
        try:
            for index in range(300):
                db.create({"_id": f"{writer}-{index}", "writer": writer})
                db.select({"writer": writer}, {}, 5, 0, {"_id": -1})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=create_many, args=(writer,)) for writer in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(db.select(None)) == 1200
