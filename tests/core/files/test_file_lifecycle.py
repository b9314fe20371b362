"""File content follows its Item: written on create/save, released after, undone on rollback."""

import copy
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from stricto import List, String

from backo import Backoffice, DBError, Item
from backo.core.files import File
from backo.storage.files import FileBlobConnector, FileSystemConnector

from .conftest import BackofficeFactory, files_in


def docs_model(work: FileSystemConnector, **fields: Any) -> Item:
    return Item({"name": String(), "f": File(wc=work), **fields})


def failing(event: str) -> tuple[str, Callable[..., None]]:
    """An event handler that fails, to break an operation after the File did its part."""

    def fail(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        raise DBError("{0} failed", event_name)

    return (event, fail)


class CommitHookBackoffice(Backoffice):
    """A backoffice with the proposed ``on_commit`` hook (actions run after the commit)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.commit_actions: dict[int, list[Callable[[], None]]] = {}

    def on_commit(self, transaction_id: int, action: Callable[[], None]) -> None:
        self.commit_actions.setdefault(transaction_id, []).append(action)

    def stop_transaction(self, transaction_id: int) -> None:
        super().stop_transaction(transaction_id)
        for action in self.commit_actions.pop(transaction_id, []):
            action()

    def rollback_transaction(self, transaction_id: int) -> None:
        self.commit_actions.pop(transaction_id, None)
        super().rollback_transaction(transaction_id)


@pytest.fixture
def backoffice(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> Backoffice:
    return make_backoffice(docs_model(work))


# --- the ordinary lifecycle ----------------------------------------------------------------


def test_content_is_stored_by_the_time_create_returns(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"name": "a", "f": "v1"})
    assert files_in(folder) == [doc.f.file_id.get_value()]


def test_a_refused_create_stores_no_content(backoffice: Backoffice, folder: Path) -> None:
    with pytest.raises(Exception, match="has no attribute"):
        backoffice.docs.create({"f": "content", "unknown": 1})
    assert files_in(folder) == []


def test_replacing_content_removes_the_old_one_after_the_save(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"f": "v1"})
    old_id = doc.f.file_id.get_value()
    doc.f = "version 2"
    assert files_in(folder) == [old_id]  # nothing written before the save
    doc.save()
    new_id = doc.f.file_id.get_value()
    assert new_id != old_id
    assert files_in(folder) == [new_id]
    assert backoffice.docs.get_by_id(doc._id.get_value()).f.get_content() == b"version 2"


def test_saving_without_a_content_change_keeps_the_file(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"name": "a", "f": "v1"})
    file_id = doc.f.file_id.get_value()
    doc.name = "b"
    doc.save()
    loaded = backoffice.docs.get_by_id(doc._id.get_value())
    loaded.name = "c"
    loaded.save()
    assert files_in(folder) == [file_id]
    assert loaded.f.get_content() == b"v1"


def test_emptying_the_file_removes_its_content(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"f": "v1"})
    doc.f = None
    doc.save()
    assert files_in(folder) == []


def test_deleting_the_item_removes_its_content(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"f": "v1"})
    other = backoffice.docs.create({"f": "v2"})
    backoffice.docs.get_by_id(doc._id.get_value()).delete()
    assert files_in(folder) == [other.f.file_id.get_value()]


def test_copies_and_reads_never_write(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"name": "a", "f": "v1"})
    for _ in range(3):
        doc.copy()
        copy.copy(doc.f)
        doc.get_view("save")
        doc.get_view("+anything")
        backoffice.docs.get_by_id(doc._id.get_value()).get_value()
        backoffice.docs.select({"name": "a"})
        doc.save()
    assert files_in(folder) == [doc.f.file_id.get_value()]


def test_discarded_copies_do_not_silence_the_handlers(backoffice: Backoffice, folder: Path) -> None:
    for _ in range(3):
        doc = backoffice.docs.create({"f": "v"})
        doc.get_view("save")
        doc.copy()
        gc.collect()  # copies gone: their event registrations may be released
        doc.delete()
    assert files_in(folder) == []


def test_files_in_a_list(make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path) -> None:
    backoffice = make_backoffice(Item({"files": List(File(wc=work))}))
    doc = backoffice.docs.create({"files": ["a", "b"]})
    first, second = (element.file_id.get_value() for element in doc.files)
    doc.files = [doc.files[1].get_value(), doc.files[0].get_value()]  # swapped: both still referenced
    doc.save()
    assert files_in(folder) == sorted([first, second])
    doc.files = [doc.files[0].get_value()]  # the first (now "b") stays
    doc.save()
    assert files_in(folder) == [second]


# --- rollback ------------------------------------------------------------------------------


def test_a_failed_save_removes_the_new_content_and_keeps_the_old(
    backoffice: Backoffice, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = backoffice.docs.create({"f": "old"})
    old_id = doc.f.file_id.get_value()
    doc.f = "new content"
    store = backoffice.docs.db_handler
    real_save = store.save

    def broken_save(_id: str, o: dict) -> None:
        raise DBError("disk full")

    monkeypatch.setattr(store, "save", broken_save)
    with pytest.raises(DBError, match="disk full"):
        doc.save()
    assert files_in(folder) == [old_id]
    assert backoffice.docs.get_by_id(doc._id.get_value()).f.get_content() == b"old"

    monkeypatch.setattr(store, "save", real_save)
    doc.save()  # the content is still pending: a retry stores it
    assert files_in(folder) == [doc.f.file_id.get_value()]
    assert backoffice.docs.get_by_id(doc._id.get_value()).f.get_content() == b"new content"


def test_a_save_failing_after_the_write_removes_the_new_content(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    backoffice = make_backoffice(docs_model(work, after=String(on=[failing("before_save")])))
    doc = backoffice.docs.create({"f": "old"})
    old_id = doc.f.file_id.get_value()
    doc.f = "new"
    with pytest.raises(DBError, match="before_save failed"):
        doc.save()
    assert files_in(folder) == [old_id]


def test_a_create_failing_after_the_write_removes_the_content(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    backoffice = make_backoffice(docs_model(work, after=String(on=[failing("created")])))
    with pytest.raises(DBError, match="created failed"):
        backoffice.docs.create({"f": "content"})
    assert files_in(folder) == []
    assert backoffice.docs.select() == []


def test_a_failed_content_write_undoes_the_create(
    backoffice: Backoffice, folder: Path, monkeypatch: pytest.MonkeyPatch, work: FileSystemConnector
) -> None:
    def broken_write(file_id: str, chunks: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(work, "write_content", broken_write)
    with pytest.raises(OSError, match="disk full"):
        backoffice.docs.create({"f": "content"})
    assert backoffice.docs.select() == []


def test_release_waits_for_the_commit_when_the_backoffice_can_tell(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    model = docs_model(work, after=String(on=[failing("before_delete")]))
    backoffice = make_backoffice(model, CommitHookBackoffice)
    doc = backoffice.docs.create({"f": "kept"})
    with pytest.raises(DBError, match="before_delete failed"):
        doc.delete()
    assert files_in(folder) == [doc.f.file_id.get_value()]
    assert backoffice.commit_actions == {}


def test_release_after_commit_with_the_hook(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    backoffice = make_backoffice(docs_model(work), CommitHookBackoffice)
    doc = backoffice.docs.create({"f": "v1"})
    doc.f = "v2"
    doc.save()
    assert files_in(folder) == [doc.f.file_id.get_value()]
    doc.delete()
    assert files_in(folder) == []


# --- cold storage --------------------------------------------------------------------------


@pytest.fixture
def cold() -> FileBlobConnector:
    return FileBlobConnector()


@pytest.fixture
def cold_backoffice(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, cold: FileBlobConnector
) -> Backoffice:
    return make_backoffice(Item({"f": File(wc=work, cold=cold)}))


def test_cold_storage_gets_a_copy_on_create_and_save(cold_backoffice: Backoffice, cold: FileBlobConnector) -> None:
    doc = cold_backoffice.docs.create({"f": "v1"})
    first = doc.f.file_id.get_value()
    assert cold.get(first) == b"v1"
    doc.f = "v2"
    doc.save()
    assert cold.get(doc.f.file_id.get_value()) == b"v2"
    assert cold.has_file(first) is False
    assert cold_backoffice.docs.db_handler.get_by_id(doc._id.get_value())["f"]["modified"] is False


def test_cold_storage_serves_what_the_work_folder_lost(cold_backoffice: Backoffice, folder: Path) -> None:
    doc = cold_backoffice.docs.create({"f": "precious"})
    (folder / doc.f.file_id.get_value()).unlink()
    loaded = cold_backoffice.docs.get_by_id(doc._id.get_value())
    assert b"".join(bytes(chunk) for chunk in loaded.f.read_content_generator()) == b"precious"
    assert loaded.f.get_content() == b"precious"  # loads it back into the work folder
    assert files_in(folder) == [doc.f.file_id.get_value()]


def test_deleting_the_item_removes_the_cold_copy(
    cold_backoffice: Backoffice, cold: FileBlobConnector, folder: Path
) -> None:
    doc = cold_backoffice.docs.create({"f": "v1"})
    file_id = doc.f.file_id.get_value()
    doc.delete()
    assert cold.has_file(file_id) is False and files_in(folder) == []


def test_a_failed_save_removes_the_new_cold_copy(
    cold_backoffice: Backoffice, cold: FileBlobConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = cold_backoffice.docs.create({"f": "v1"})
    doc.f = "v2"
    new_id = doc.f.file_id.get_value()
    monkeypatch.setattr(cold_backoffice.docs.db_handler, "save", lambda _id, o: (_ for _ in ()).throw(DBError("down")))
    with pytest.raises(DBError):
        doc.save()
    assert cold.has_file(new_id) is False
    assert doc.f.modified.get_value() is True  # a retry copies it again


def test_a_refused_delete_keeps_the_content(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    backoffice = make_backoffice(docs_model(work, after=String(on=[failing("before_delete")])))
    doc = backoffice.docs.create({"f": "kept"})
    with pytest.raises(DBError, match="before_delete failed"):
        doc.delete()
    assert files_in(folder) == [doc.f.file_id.get_value()]
