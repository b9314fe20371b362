"""The upload protocol, the content transform, and 0.2.1's ``backo.file`` modules."""

import ast
import importlib
import io

import magic
import pytest
from stricto import STypeError
from werkzeug.datastructures import FileStorage

from backo.core.files import BlobFile, File, UploadedFile
from backo.core.files.upload import BytesUpload, decode_text_content, transform_to_filestorage
from backo.storage.files import FileBlobConnector, FileConnector, FileSystemConnector


def test_werkzeug_file_storage_is_an_uploaded_file() -> None:
    assert isinstance(FileStorage(stream=io.BytesIO(b"x"), filename="a.txt"), UploadedFile)
    assert isinstance(BytesUpload(b"x"), UploadedFile)
    for value in ["text", b"bytes", {"file_id": None}, None, 12]:
        assert not isinstance(value, UploadedFile)


def test_the_core_does_not_import_werkzeug() -> None:
    for module in ("file", "blob_file", "upload", "pending", "lifecycle"):
        source = importlib.import_module(f"backo.core.files.{module}").__file__
        with open(source, encoding="utf-8") as stream:
            tree = ast.parse(stream.read())
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [name for name in imported if name.split(".")[0] in ("werkzeug", "flask") or "http" in name]


def test_decode_text_content() -> None:
    assert decode_text_content("héllo") == "héllo".encode()
    assert decode_text_content("base64:aGVsbG8=") == b"hello"
    with pytest.raises(STypeError, match="is not a valide base64 encoded string"):
        decode_text_content("base64:***")
    with pytest.raises(STypeError) as raised:
        decode_text_content("base64:" + "*" * 500)
    assert len(str(raised.value)) < 200


def test_transform_to_filestorage() -> None:
    for value, expected in [
        ("abc", b"abc"),
        (b"abc", b"abc"),
        (bytearray(b"abc"), b"abc"),
        (memoryview(b"abc"), b"abc"),
    ]:
        upload = transform_to_filestorage(value, None)
        assert isinstance(upload, BytesUpload)
        assert (upload.stream.read(), upload.content_length, upload.filename, upload.mimetype) == (
            expected,
            3,
            None,
            None,
        )
    metadata = {"filename": "x"}
    assert transform_to_filestorage(metadata) is metadata
    assert transform_to_filestorage(None) is None


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            "backo.file.file",
            {"File": File, "FILE_MODEL": None, "MIME": None, "transform_to_filestorage": transform_to_filestorage},
        ),
        ("backo.file.blob_file", {"BlobFile": BlobFile}),
        ("backo.file.file_connector", {"FileConnector": FileConnector}),
        ("backo.file.file_system_connector", {"FileSystemConnector": FileSystemConnector}),
        ("backo.file.file_blob_connector", {"FileBlobConnector": FileBlobConnector}),
    ],
)
def test_0_2_1_module_paths(module: str, names: dict) -> None:
    imported = importlib.import_module(module)
    for name, expected in names.items():
        assert hasattr(imported, name)
        if expected is not None:
            assert getattr(imported, name) is expected


def test_mime_and_file_model() -> None:
    from backo.file.file import FILE_MODEL, MIME

    assert isinstance(MIME, magic.Magic)
    assert MIME.from_buffer(b"hello world") == "text/plain"
    assert list(FILE_MODEL) == ["filename", "file_id", "content_type", "size", "modified"]
    assert File.__module__ == "backo.file.file" and BlobFile.__module__ == "backo.file.blob_file"
