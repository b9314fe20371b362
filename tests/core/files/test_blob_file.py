"""BlobFile: the content travels inside the document, base64-encoded."""

import base64
import io

import pytest
from stricto import SConstraintError, String
from werkzeug.datastructures import FileStorage

from backo import Backoffice, Item
from backo.core.files import BlobFile
from backo.error import FileError
from backo.storage.files import FileBlobConnector, FileSystemConnector

from .conftest import BackofficeFactory

PDF = b"%PDF-1.4 blob"
PDF_BASE64 = base64.b64encode(PDF).decode()


@pytest.fixture
def backoffice(make_backoffice: BackofficeFactory) -> Backoffice:
    return make_backoffice(Item({"name": String(), "g": BlobFile(buffer_size=4)}))


def test_json_form_and_stored_document(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"g": f"base64:{PDF_BASE64}"})
    expected = {
        "filename": None,
        "file_id": "_local",
        "content_type": "application/pdf",
        "size": 13,
        "modified": True,
        "content": "JVBERi0xLjQgYmxvYg==",
    }
    assert doc.g.get_encoded() == expected
    assert backoffice.docs.db_handler.get_by_id(doc._id.get_value())["g"] == expected
    assert doc.g.get_schema()["types"] == ["BlobFile", "File", "Dict", "GenericType"]


def test_content_round_trip_through_the_store(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"g": PDF})
    loaded = backoffice.docs.get_by_id(doc._id.get_value())
    assert loaded.g.get_content() == PDF
    assert list(loaded.g.read_content_generator()) == [
        bytearray(b"%PDF"),
        bytearray(b"-1.4"),
        bytearray(b" blo"),
        bytearray(b"b"),
    ]


def test_modified_is_false_after_an_update(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"g": "hello world"})
    doc.name = "x"
    doc.save()
    assert backoffice.docs.db_handler.get_by_id(doc._id.get_value())["g"]["modified"] is False


def test_an_upload_type_is_always_detected(backoffice: Backoffice) -> None:
    upload = FileStorage(stream=io.BytesIO(PDF), filename="doc.pdf", content_type="image/png")
    doc = backoffice.docs.create({"g": upload})
    assert (doc.g.filename, doc.g.content_type, doc.g.size) == ("doc.pdf", "application/pdf", 13)


def test_reading_without_a_file(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"name": "none"})
    with pytest.raises(FileError, match=r"\$.g file doesnt exists \(no file_id\)"):
        doc.g.get_content()
    with pytest.raises(FileError, match=r"\$.g file not found"):
        doc.g.read_content_generator()


def test_content_in_the_json_form_is_new_content_whose_metadata_backo_derives(backoffice: Backoffice) -> None:
    created = backoffice.docs.create({"g": "original"})
    doc = backoffice.docs.get_by_id(created._id.get_value())
    doc.set({"g": doc.g.get_encoded()})  # an echo is fine
    sent = {**doc.g.get_encoded(), "content": base64.b64encode(PDF).decode(), "size": 1, "content_type": "x/y"}
    doc.set({"g": sent})  # 0.2.1 takes the JSON form's content; size and type follow the bytes
    assert doc.g.get_content() == PDF
    assert (doc.g.file_id, doc.g.size, doc.g.content_type, doc.g.modified) == ("_local", 13, "application/pdf", True)
    doc.save()
    stored = backoffice.docs.db_handler.get_by_id(doc._id.get_value())["g"]
    assert (stored["content"], stored["size"], stored["modified"]) == (PDF_BASE64, 13, False)
    doc.g = "replaced"  # new content, as always
    assert doc.g.get_content() == b"replaced"


@pytest.mark.parametrize("file_id", ["../../etc/passwd", "123", ""])
def test_content_in_the_json_form_keeps_the_local_file_id(backoffice: Backoffice, file_id: str) -> None:
    created = backoffice.docs.create({"g": "original"})
    doc = backoffice.docs.get_by_id(created._id.get_value())
    sent = {**doc.g.get_encoded(), "file_id": file_id, "content": base64.b64encode(b"other").decode()}
    with pytest.raises(SConstraintError, match=f'file_id "{file_id}" is not a file of this item'):
        doc.set({"g": sent})
    with pytest.raises(SConstraintError, match=f'file_id "{file_id}" is not a file of this item'):
        backoffice.docs.create({"g": sent})
    assert doc.g.get_content() == b"original"


def test_the_work_connector_is_its_own(work: FileSystemConnector) -> None:
    field = BlobFile(wc=work, buffer_size=4)
    assert isinstance(field._work_connector, FileBlobConnector)
    field.set("x")
    field.save()
    field.load()
    assert field._work_connector.has_file("_local") is False


def test_max_size_and_mime_types(make_backoffice: BackofficeFactory) -> None:
    backoffice = make_backoffice(Item({"g": BlobFile(max_size=5, mime_types=["text/plain"])}))
    with pytest.raises(SConstraintError, match="File too big"):
        backoffice.docs.create({"g": "123456"})
    with pytest.raises(SConstraintError, match="Unauthorized content_type"):
        backoffice.docs.create({"g": PDF[:5]})
    assert backoffice.docs.create({"g": "12345"}).g.get_content() == b"12345"
    assert backoffice.docs.create({}).g.has_file() is False
