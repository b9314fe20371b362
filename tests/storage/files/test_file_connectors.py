"""One suite run on every FileConnector: the contract of ``backo.storage.files.base``."""

import copy
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from backo.error import FileError
from backo.storage.files import FileBlobConnector, FileConnector, FileSystemConnector
from backo.storage.files.base import DEFAULT_BUFFER_SIZE, is_valid_file_id

#: Ids that must never name a file: escapes, separators, NUL, dots, too long, not a str.
INVALID_IDS = [
    "../x",
    "/etc/passwd",
    "a/b",
    "a\\b",
    "a\0b",
    "..",
    ".",
    "a.b",
    "",
    "x" * 200,
    "x" * 129,
    "ok\n",
    12,
    None,
]


@pytest.fixture(params=["filesystem", "blob"])
def connector(request: pytest.FixtureRequest, tmp_path: Path) -> FileConnector:
    """An empty connector of the kind under test, reading 4-byte chunks."""
    if request.param == "filesystem":
        folder = tmp_path / "files"
        folder.mkdir()
        return FileSystemConnector(path=str(folder), buffer_size=4)
    return FileBlobConnector(buffer_size=4)


def joined(chunks: Iterator[bytes]) -> bytes:
    return b"".join(bytes(chunk) for chunk in chunks)


# --- construction ------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [FileBlobConnector, FileSystemConnector])
def test_kwargs_are_strict(cls: type[FileConnector]) -> None:
    with pytest.raises(TypeError, match=r"keys \['nope'\] not used"):
        cls(nope=1)
    with pytest.raises(TypeError, match='key "buffer_size" must be'):
        cls(buffer_size="big")
    with pytest.raises(ValueError, match="positive"):
        cls(buffer_size=0)
    assert cls()._buffer_size == DEFAULT_BUFFER_SIZE == 8192
    assert cls(buffer_size=10)._buffer_size == 10


def test_connectors_are_identity_objects(connector: FileConnector) -> None:
    assert copy.copy(connector) is connector
    assert copy.deepcopy(connector) is connector


def test_generate_id_is_a_random_valid_decimal_string(connector: FileConnector) -> None:
    ids = {connector.generate_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(file_id.isdigit() and is_valid_file_id(file_id) for file_id in ids)


# --- reading and writing -----------------------------------------------------------------


def test_write_chunk_creates_then_appends(connector: FileConnector) -> None:
    assert connector.has_file("a1") is False
    connector.write_chunk("a1", b"hello ")
    connector.write_chunk("a1", b"world")
    assert connector.has_file("a1") is True
    assert connector.get("a1") == b"hello world"
    assert connector.get("a1", "rb") == b"hello world"


def test_get_as_text(connector: FileConnector) -> None:
    connector.write_chunk("t", "héllo".encode("latin-1"))
    assert connector.get("t", "r", "latin-1") == "héllo"
    connector.write_content("u", ["héllo".encode()])
    assert connector.get("u", "r", "utf-8") == "héllo"


def test_get_only_reads(connector: FileConnector) -> None:
    connector.write_chunk("a1", b"keep me")
    for mode in ("w", "wb", "a", "r+"):
        with pytest.raises(ValueError, match="mode"):
            connector.get("a1", mode)
    assert connector.get("a1") == b"keep me"


def test_read_chunk_yields_buffer_size_chunks(connector: FileConnector) -> None:
    connector.write_content("a1", [b"0123456789"])
    chunks = list(connector.read_chunk("a1"))
    assert [bytes(chunk) for chunk in chunks] == [b"0123", b"4567", b"89"]
    connector.write_content("empty", [])
    assert list(connector.read_chunk("empty")) == []


def test_delete_removes_and_ignores_missing_files(connector: FileConnector) -> None:
    connector.write_chunk("a1", b"x")
    connector.delete("a1")
    assert connector.has_file("a1") is False
    connector.delete("a1")
    connector.delete("never-there")


def test_write_content_replaces_the_whole_content(connector: FileConnector) -> None:
    connector.write_chunk("a1", b"old content, long")
    assert connector.write_content("a1", iter([b"new ", b"one"])) == 7
    assert connector.get("a1") == b"new one"


def test_failed_write_content_keeps_the_previous_content(connector: FileConnector) -> None:
    connector.write_content("a1", [b"old"])

    def broken_upload() -> Iterator[bytes]:
        yield b"half of the new content"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        connector.write_content("a1", broken_upload())
    assert connector.get("a1") == b"old"
    with pytest.raises(ConnectionResetError):
        connector.write_content("b2", broken_upload())
    assert connector.has_file("b2") is False


# --- ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_id", INVALID_IDS)
def test_an_invalid_id_names_no_file(connector: FileConnector, file_id: object) -> None:
    assert connector.has_file(file_id) is False  # type: ignore[arg-type]
    calls = [
        lambda: connector.get(file_id),  # type: ignore[arg-type]
        lambda: connector.clear(file_id),  # type: ignore[arg-type]
        lambda: connector.read_chunk(file_id),  # type: ignore[arg-type]
        lambda: connector.write_chunk(file_id, b"x"),  # type: ignore[arg-type]
        lambda: connector.write_content(file_id, [b"x"]),  # type: ignore[arg-type]
        lambda: connector.delete(file_id),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(FileError, match="is invalid: a file id is 1 to 128 characters"):
            call()


def test_valid_ids() -> None:
    for file_id in ["1", "_local", "a-b_C9", "x" * 128, "2713386847169692190"]:
        assert is_valid_file_id(file_id)


# --- the 0.2.1 differences between the two stores ----------------------------------------


def test_blob_store_specifics() -> None:
    store = FileBlobConnector(buffer_size=2)
    assert store.get("missing") is None
    store.clear("missing")
    assert store.has_file("missing") is False
    store.write_chunk("a1", b"abc")
    store.clear("a1")
    assert store.get("a1") == b""
    store.write_chunk("a1", b"abc")
    assert list(store.read_chunk("a1")) == [bytearray(b"ab"), bytearray(b"c")]
    missing = store.read_chunk("missing")
    with pytest.raises(KeyError):
        next(missing)


def test_blob_store_is_thread_safe() -> None:
    store = FileBlobConnector()

    def append() -> None:
        for _ in range(500):
            store.write_chunk("shared", b"ab")

    threads = [threading.Thread(target=append) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.get("shared")) == 8 * 500 * 2


def test_filesystem_clear_creates_an_empty_file(tmp_path: Path) -> None:
    store = FileSystemConnector(path=str(tmp_path))
    store.clear("a1")
    assert (tmp_path / "a1").read_bytes() == b""
    store.write_chunk("a1", b"abc")
    store.clear("a1")
    assert (tmp_path / "a1").read_bytes() == b""
