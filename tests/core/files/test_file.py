"""File: construction, accepted values, metadata, constraints and reading the content."""

import base64
import io
from pathlib import Path

import pytest
from stricto import Dict, SConstraintError, String, STypeError
from werkzeug.datastructures import FileStorage

from backo import Backoffice, Item
from backo.core.files import File, UploadedFile
from backo.error import FileError
from backo.storage.files import FileBlobConnector, FileSystemConnector

from .conftest import BackofficeFactory, files_in

GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
PDF = b"%PDF-1.4 blob"


def docs_model(work: FileSystemConnector, **file_kwargs: object) -> Item:
    return Item({"name": String(), "f": File(wc=work, **file_kwargs)})


@pytest.fixture
def backoffice(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> Backoffice:
    return make_backoffice(docs_model(work))


# --- construction ------------------------------------------------------------------------


def test_work_connector_is_required() -> None:
    with pytest.raises(TypeError, match='keys "work_connector" is missing'):
        File()


@pytest.mark.parametrize("alias", ["work_connector", "work", "connector", "wc", "wconnector"])
def test_work_connector_aliases(alias: str) -> None:
    store = FileBlobConnector()
    assert File(**{alias: store})._work_connector is store


@pytest.mark.parametrize("alias", ["storage_connector", "storage", "cold", "cold_connector"])
def test_storage_connector_aliases(alias: str) -> None:
    cold = FileBlobConnector()
    assert File(wc=FileBlobConnector(), **{alias: cold})._storage_connector is cold


def test_options_and_their_aliases() -> None:
    field = File(wc=FileBlobConnector(), content_type=["image/gif"], max=10, buffer_size=16)
    assert (field._mime_types, field._max_size, field._buffer_size) == (["image/gif"], 10, 16)
    assert File(wc=FileBlobConnector())._buffer_size == 8192


def test_unknown_options_are_refused() -> None:
    with pytest.raises(TypeError, match="not used"):
        File(wc=FileBlobConnector(), colour="red")


def test_a_user_transform_is_replaced() -> None:
    field = File(wc=FileBlobConnector(), transform=lambda value, root: "hijacked")
    field.set("hello")
    assert field.get_content() == b"hello"


def test_structure_and_schema() -> None:
    field = File(wc=FileBlobConnector())
    assert field.get_value() == {"filename": None, "file_id": None, "content_type": None, "size": 0, "modified": False}
    schema = field.get_schema()
    assert schema["types"] == ["File", "Dict", "GenericType"]
    assert list(schema["sub_scheme"]) == ["filename", "file_id", "content_type", "size", "modified"]


# --- assigning content -------------------------------------------------------------------


def test_create_with_text(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"name": "a", "f": "hello world"})
    value = doc.f.get_value()
    assert list(value) == ["filename", "file_id", "content_type", "size", "modified"]
    assert value["filename"] is None
    assert (value["content_type"], value["size"], value["modified"]) == ("text/plain", 11, True)
    assert files_in(folder) == [value["file_id"]]
    assert (folder / value["file_id"]).read_bytes() == b"hello world"
    assert doc.f.get_content() == b"hello world"
    stored = backoffice.docs.db_handler.get_by_id(doc._id.get_value())
    assert stored["f"] == value


@pytest.mark.parametrize(
    ("content", "expected_type"),
    [
        ("base64:" + base64.b64encode(GIF).decode(), "image/gif"),
        ("base64:" + base64.b64encode(PDF).decode(), "application/pdf"),
        (PDF, "application/pdf"),
        (bytearray(GIF), "image/gif"),
    ],
)
def test_create_with_base64_or_bytes(backoffice: Backoffice, content: object, expected_type: str) -> None:
    doc = backoffice.docs.create({"f": content})
    raw = GIF if expected_type == "image/gif" else PDF
    assert doc.f.content_type == expected_type
    assert doc.f.size == len(raw)
    assert doc.f.get_content() == raw


def test_create_with_an_upload(backoffice: Backoffice, folder: Path) -> None:
    upload = FileStorage(stream=io.BytesIO(GIF), filename="pic.gif", content_type="image/gif")
    assert isinstance(upload, UploadedFile)
    doc = backoffice.docs.create({"f": upload})
    assert (doc.f.filename, doc.f.content_type, doc.f.size) == ("pic.gif", "image/gif", len(GIF))
    assert (folder / doc.f.file_id.get_value()).read_bytes() == GIF


def test_an_upload_without_a_declared_type_is_detected(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"f": FileStorage(stream=io.BytesIO(PDF), filename="x")})
    assert doc.f.content_type == "application/pdf"


def test_invalid_base64_is_refused(backoffice: Backoffice, folder: Path) -> None:
    with pytest.raises(STypeError) as raised:
        backoffice.docs.create({"f": "base64:not base64!"})
    assert str(raised.value) == 'TypeError(""base64:not base64!" is not a valide base64 encoded string")'
    assert files_in(folder) == []
    assert backoffice.docs.select() == []


def test_values_that_are_not_files_are_refused(backoffice: Backoffice) -> None:
    with pytest.raises(STypeError, match="Must be file content"):
        backoffice.docs.create({"f": 12})


def test_reassigning_the_same_content_changes_nothing(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"f": "same"})
    file_id = doc.f.file_id.get_value()
    assert doc.f.set_value("same") is False
    assert doc.f.set_value(FileStorage(stream=io.BytesIO(b"same"), filename="renamed.txt")) is True
    assert (doc.f.file_id, doc.f.filename) == (file_id, "renamed.txt")
    doc.save()
    assert files_in(folder) == [file_id]


def test_none_empties_the_file(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"f": "x"})
    doc.f = None
    assert doc.f.get_value() == {"filename": None, "file_id": None, "content_type": None, "size": 0, "modified": False}


# --- constraints -------------------------------------------------------------------------


def test_mime_types_refusal_stores_nothing(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    backoffice = make_backoffice(docs_model(work, mime_types=["image/gif"]))
    with pytest.raises(SConstraintError) as raised:
        backoffice.docs.create({"f": "hello"})
    assert repr(raised.value) == 'ConstraintsError("$.f: Unauthorized content_type (value="text/plain")")'
    assert files_in(folder) == [] and backoffice.docs.select() == []
    assert backoffice.docs.create({"f": GIF}).f.content_type == "image/gif"


def test_a_file_with_mime_types_may_stay_empty(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> None:
    backoffice = make_backoffice(docs_model(work, mime_types=["image/gif"]))
    doc = backoffice.docs.create({"name": "no picture"})
    assert doc.f.has_file() is False


def test_max_size_refusal_stores_nothing(
    make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path
) -> None:
    backoffice = make_backoffice(docs_model(work, max_size=5))
    with pytest.raises(SConstraintError) as raised:
        backoffice.docs.create({"f": "123456"})
    assert repr(raised.value) == 'ConstraintsError("$.f: File too big (value="6")")'
    assert files_in(folder) == [] and backoffice.docs.select() == []
    doc = backoffice.docs.create({"f": "12345"})
    with pytest.raises(SConstraintError, match="File too big"):
        doc.f = b"1234567"
    assert doc.f.get_content() == b"12345"


def test_max_size_refuses_a_declared_size_without_reading(work: FileSystemConnector) -> None:
    class Unreadable(io.BytesIO):
        def read(self, *args: object) -> bytes:
            raise AssertionError("the upload must not be read")

    field = File(wc=work, max_size=10)
    with pytest.raises(SConstraintError, match=r'File too big \(value="11"\)'):
        field.set(FileStorage(stream=Unreadable(), filename="big", content_length=11))


def test_max_size_counts_an_undeclared_upload(work: FileSystemConnector) -> None:
    field = File(wc=work, max_size=10, buffer_size=4)
    with pytest.raises(SConstraintError, match=r'File too big \(value="25"\)'):
        field.set(FileStorage(stream=io.BytesIO(b"x" * 25), filename="big"))
    assert field.has_file() is False and field._pending is None


def test_required_makes_a_file_mandatory(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> None:
    backoffice = make_backoffice(docs_model(work, required=True))
    with pytest.raises(SConstraintError, match=r'\$.f: Cannot be empty "None"'):
        backoffice.docs.create({"name": "nothing"})
    assert backoffice.docs.create({"f": "x"}).f.has_file()


# --- reading -----------------------------------------------------------------------------


def test_read_content_generator_yields_chunks(make_backoffice: BackofficeFactory, work: FileSystemConnector) -> None:
    backoffice = make_backoffice(docs_model(work, buffer_size=4))
    doc = backoffice.docs.create({"f": "0123456789"})
    assert list(doc.f.read_content_generator()) == [b"0123", b"4567", b"89"]
    loaded = backoffice.docs.get_by_id(doc._id.get_value())
    assert b"".join(loaded.f.read_content_generator()) == b"0123456789"


def test_reading_without_a_file(backoffice: Backoffice) -> None:
    doc = backoffice.docs.create({"name": "empty"})
    with pytest.raises(FileError) as raised:
        doc.f.get_content()
    assert str(raised.value) == 'Exception("$.f file doesnt exists (no file_id)")'
    with pytest.raises(FileError) as raised:
        doc.f.read_content_generator()
    assert str(raised.value) == 'Exception("$.f file not found")'


def test_reading_content_missing_from_storage(backoffice: Backoffice, folder: Path) -> None:
    doc = backoffice.docs.create({"f": "x"})
    file_id = doc.f.file_id.get_value()
    (folder / file_id).unlink()
    with pytest.raises(FileError) as raised:
        doc.f.get_content()
    assert str(raised.value) == f'Exception("$.f file "{file_id}" not found in storage")'
    with pytest.raises(FileError) as raised:
        doc.f.read_content_generator()
    assert str(raised.value) == 'Exception("$.f unable to get file")'


def test_unsaved_content_reads_from_memory(work: FileSystemConnector, folder: Path) -> None:
    field = File(wc=work, buffer_size=3)
    field.set("pending")
    assert field.get_content() == b"pending"
    assert list(field.read_content_generator()) == [b"pen", b"din", b"g"]
    assert files_in(folder) == []
    field.save()  # outside an Item, save() writes the content
    assert (folder / field.file_id.get_value()).read_bytes() == b"pending"


def test_large_content_is_spooled(work: FileSystemConnector, folder: Path) -> None:
    data = bytes(range(256)) * 8192  # 2 MiB: past the in-memory limit
    field = File(wc=work, buffer_size=65536)
    field.set(FileStorage(stream=io.BytesIO(data), filename="big.bin"))
    assert field.size == len(data)
    field.save()
    assert (folder / field.file_id.get_value()).read_bytes() == data


def test_generate_file_id_returns_the_id_it_stores(work: FileSystemConnector) -> None:
    field = File(wc=work)
    file_id = field.generate_file_id()
    assert field.file_id == file_id
    assert file_id.isdigit()


def test_a_file_inside_a_dict(make_backoffice: BackofficeFactory, work: FileSystemConnector, folder: Path) -> None:
    backoffice = make_backoffice(Item({"sub": Dict({"g": File(wc=work)})}))
    doc = backoffice.docs.create({"sub": {"g": "nested"}})
    assert doc.sub.g.get_content() == b"nested"
    assert doc.select("$.sub.g").path_name() == "$.sub.g"
    with pytest.raises(FileError, match=r"\$.sub.g file doesnt exists"):
        backoffice.docs.create({}).sub.g.get_content()
    assert files_in(folder) == [doc.sub.g.file_id.get_value()]


def test_an_upload_can_be_checked_then_assigned(backoffice: Backoffice) -> None:
    upload = FileStorage(stream=io.BytesIO(GIF), filename="pic.gif", content_type="image/gif")
    doc = backoffice.docs.new_item()
    doc.check({"f": upload})
    assert doc.f.has_file() is False
    doc.create({"f": upload})
    assert doc.f.get_content() == GIF
