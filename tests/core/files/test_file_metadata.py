"""Metadata dicts: a client may rename, keep or drop its file, never point it at other content."""

from pathlib import Path

import pytest
from stricto import List, SAttributeError, SConstraintError, String

from backo import Backoffice, Item
from backo.core.files import BlobFile, File
from backo.core.files.metadata import refused_metadata_change
from backo.storage.files import FileSystemConnector

from .conftest import BackofficeFactory, files_in


@pytest.fixture
def backoffice(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> Backoffice:
    return make_backoffice(Item({"name": String(), "f": File(wc=work)}))


@pytest.fixture
def victim(backoffice: Backoffice) -> dict:
    """The metadata of somebody else's file."""
    return backoffice.docs.create({"name": "victim", "f": "private data"}).f.get_value()


def test_a_create_cannot_adopt_another_file(backoffice: Backoffice, victim: dict, folder: Path) -> None:
    forged = {"file_id": victim["file_id"], "size": 12, "content_type": "text/plain"}
    with pytest.raises(SConstraintError) as raised:
        backoffice.docs.create({"name": "thief", "f": forged})
    assert f'$.f: file_id "{victim["file_id"]}" is not a file of this item' in str(raised.value)
    assert [doc.name for doc in backoffice.docs.select()] == ["victim"]
    assert files_in(folder) == [victim["file_id"]]


@pytest.mark.parametrize("file_id", ["../../etc/passwd", "/etc/passwd", "123"])
def test_a_create_cannot_set_any_file_id(backoffice: Backoffice, file_id: str) -> None:
    with pytest.raises(SConstraintError, match="is not a file of this item"):
        backoffice.docs.create({"f": {"file_id": file_id, "size": 10, "content_type": "text/plain"}})


def test_an_update_cannot_point_at_another_file(backoffice: Backoffice, victim: dict) -> None:
    doc = backoffice.docs.get_by_id(backoffice.docs.create({"f": "mine"})._id.get_value())
    mine = doc.f.get_value()
    with pytest.raises(SConstraintError, match="is not a file of this item"):
        doc.set({"f": {**mine, "file_id": victim["file_id"]}})
    with pytest.raises(SConstraintError, match="is not a file of this item"):
        doc.f.file_id = victim["file_id"]  # one field at a time, as a PATCH does
    with pytest.raises(SConstraintError, match="is not a file of this item"):
        doc.patch("replace", "$.f.file_id", victim["file_id"])
    assert doc.f.get_value() == mine
    assert doc.f.get_content() == b"mine"


@pytest.mark.parametrize(("key", "value"), [("size", 1), ("content_type", "text/html"), ("modified", False)])
def test_content_metadata_is_read_only_for_clients(backoffice: Backoffice, key: str, value: object) -> None:
    created = backoffice.docs.create({"f": "mine"})
    doc = backoffice.docs.get_by_id(created._id.get_value())
    with pytest.raises(SConstraintError) as raised:
        doc.set({"f": {**doc.f.get_value(), key: value}})
    assert f'$.f: "{key}" describes the stored content and is set by backo' in str(raised.value)
    assert doc.f.get_value() == created.f.get_value()


def test_a_create_cannot_invent_content_metadata(backoffice: Backoffice) -> None:
    with pytest.raises(SConstraintError, match='"size" describes the stored content'):
        backoffice.docs.create({"f": {"filename": "x.txt", "size": 99}})


def test_a_client_may_echo_rename_or_drop_its_file(backoffice: Backoffice, folder: Path) -> None:
    created = backoffice.docs.create({"f": "mine"})
    doc = backoffice.docs.get_by_id(created._id.get_value())
    doc.set({"name": "echo", "f": doc.f.get_value()})  # a GET -> PUT round trip
    doc.set({"f": {"filename": "renamed.txt"}})
    doc.save()
    assert doc.f.filename == "renamed.txt"
    assert files_in(folder) == [created.f.file_id.get_value()]
    doc.set({"f": {"file_id": None}})
    assert doc.f.get_value() == {"filename": None, "file_id": None, "content_type": None, "size": 0, "modified": False}
    doc.save()
    assert files_in(folder) == []


def test_an_empty_structure_is_accepted_on_create(backoffice: Backoffice) -> None:
    empty = {"filename": None, "file_id": None, "content_type": None, "size": 0, "modified": False}
    assert backoffice.docs.create({"f": empty}).f.get_value() == empty


def test_unknown_metadata_keys_are_refused(backoffice: Backoffice) -> None:
    with pytest.raises(SAttributeError, match='\\$.f: Dict object has no attribute "owner"'):
        backoffice.docs.create({"f": {"owner": "me"}})


def test_stored_documents_load_their_file_id(backoffice: Backoffice, victim: dict) -> None:
    doc = backoffice.docs.select({"name": "victim"})[0]
    assert doc.f.get_value() == victim
    loaded = backoffice.docs.get_by_id(doc._id.get_value())
    assert loaded.f.get_content() == b"private data"
    loaded.reload()
    assert loaded.f.file_id == victim["file_id"]


def test_trusted_code_may_set_metadata_with_permissions_off(backoffice: Backoffice, victim: dict) -> None:
    doc = backoffice.docs.get_by_id(backoffice.docs.create({"f": "mine"})._id.get_value())
    doc.disable_permissions()
    doc.set({"f": victim})
    assert doc.f.get_content() == b"private data"


def test_refused_metadata_change_rules() -> None:
    keys = ("file_id", "content_type", "size")
    empty = {"file_id": None, "content_type": None, "size": 0}
    before = {"file_id": "1", "content_type": "text/plain", "size": 3}
    assert refused_metadata_change(before, dict(before), keys, empty) is None
    assert refused_metadata_change(before, {**before, "file_id": "2"}, keys, empty) == ("file_id", "2")
    assert refused_metadata_change(before, {**before, "size": 4}, keys, empty) == ("size", 4)
    assert refused_metadata_change(before, dict(empty), keys, empty) is None
    assert refused_metadata_change(before, {**empty, "size": 3}, keys, empty) == ("size", 3)


@pytest.fixture
def list_backoffice(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> Backoffice:
    return make_backoffice(Item({"f": File(wc=work), "files": List(File(wc=work)), "blobs": List(BlobFile())}))


def test_a_list_element_cannot_adopt_another_file(list_backoffice: Backoffice) -> None:
    victim = list_backoffice.docs.create({"f": "secret"}).f.get_value()
    doc = list_backoffice.docs.get_by_id(list_backoffice.docs.create({"files": ["mine"]})._id.get_value())
    with pytest.raises(SConstraintError, match=r"\$.files\[0\]: file_id .* is not a file of this item"):
        doc.set({"files": [victim]})
    with pytest.raises(SConstraintError, match="is not a file of this item"):
        list_backoffice.docs.create({"files": [victim]})


def test_a_client_may_send_back_a_list_of_its_files(list_backoffice: Backoffice, folder: Path) -> None:
    created = list_backoffice.docs.create({"files": ["a", "b"], "blobs": ["x", "y"]})
    doc = list_backoffice.docs.get_by_id(created._id.get_value())
    files, blobs = doc.files.get_value(), doc.blobs.get_encoded()
    doc.set({"files": files[::-1], "blobs": blobs[::-1]})
    doc.save()
    assert [element.get_content() for element in doc.files] == [b"b", b"a"]
    assert [element.get_content() for element in doc.blobs] == [b"y", b"x"]
    assert len(files_in(folder)) == 2
    with pytest.raises(SConstraintError, match='"size" describes the stored content'):
        doc.set({"files": [{**files[0], "size": 1000}]})
    other_blob = {**blobs[0], "content": "Zm9yZ2Vk", "size": 1000}  # a BlobFile's JSON form is content (0.2.1)
    doc.set({"blobs": [other_blob]})
    assert (doc.blobs[0].get_content(), doc.blobs[0].size) == (b"forged", 6)
