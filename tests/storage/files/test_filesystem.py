"""FileSystemConnector: folder checks, confinement to the folder, atomic writes, error mapping."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from stricto import SSyntaxError

from backo.error import FileError
from backo.storage.files import FileSystemConnector


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "files"
    path.mkdir()
    return path


@pytest.fixture
def store(folder: Path) -> FileSystemConnector:
    return FileSystemConnector(path=str(folder), buffer_size=4)


def test_path_must_be_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(SSyntaxError) as raised:
        FileSystemConnector(path=str(tmp_path / "missing"))
    assert str(raised.value) == f'SyntaxError("File path "{tmp_path / "missing"}" is not a directory")'
    (tmp_path / "plain").write_text("x")
    with pytest.raises(SSyntaxError, match="is not a directory"):
        FileSystemConnector(path=str(tmp_path / "plain"))


def test_default_path_is_the_temporary_folder() -> None:
    assert FileSystemConnector().path == tempfile.gettempdir()


def test_accepts_a_pathlike(folder: Path) -> None:
    store = FileSystemConnector(path=folder)
    store.write_content("a1", [b"x"])
    assert (folder / "a1").read_bytes() == b"x"
    assert repr(store) == f"FileSystemConnector(path={str(folder)!r})"


def test_one_file_per_id(store: FileSystemConnector, folder: Path) -> None:
    store.write_content("123", [b"abc"])
    assert os.listdir(folder) == ["123"]
    assert (folder / "123").read_bytes() == b"abc"


# --- confinement -------------------------------------------------------------------------


@pytest.mark.parametrize("escape", ["../secret", "../../secret", "/etc/passwd", "..%2Fsecret", "sub/../../secret"])
def test_ids_cannot_reach_outside_the_folder(store: FileSystemConnector, folder: Path, escape: str) -> None:
    secret = folder.parent / "secret"
    secret.write_bytes(b"top secret")
    assert store.has_file(escape) is False
    with pytest.raises(FileError, match="is invalid"):
        store.get(escape)
    with pytest.raises(FileError, match="is invalid"):
        store.delete(escape)
    with pytest.raises(FileError, match="is invalid"):
        store.write_content(escape, [b"overwritten"])
    assert secret.read_bytes() == b"top secret"
    assert os.listdir(folder) == []


def test_a_symbolic_link_in_the_folder_is_not_followed(store: FileSystemConnector, folder: Path) -> None:
    secret = folder.parent / "secret"
    secret.write_bytes(b"top secret")
    (folder / "link").symlink_to(secret)
    assert store.has_file("link") is False
    with pytest.raises(FileError, match="read error"):
        store.get("link")
    with pytest.raises(FileError, match="read error"):
        list(store.read_chunk("link"))
    with pytest.raises(FileError, match="write chunk error"):
        store.write_chunk("link", b"appended")
    assert secret.read_bytes() == b"top secret"
    store.write_content("link", [b"replaced"])  # replaces the link itself, not its target
    assert secret.read_bytes() == b"top secret"
    assert (folder / "link").is_symlink() is False


def test_a_directory_is_not_a_file(store: FileSystemConnector, folder: Path) -> None:
    (folder / "dir").mkdir()
    assert store.has_file("dir") is False
    with pytest.raises(FileError, match="read error"):
        store.get("dir")


# --- atomic writes -----------------------------------------------------------------------


def test_a_crash_during_a_write_leaves_the_old_content(
    store: FileSystemConnector, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write_content("123", [b"old content"])

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(FileError) as raised:
        store.write_content("123", [b"new", b" content"])
    assert "write error (OSError(28, 'No space left on device'))" in str(raised.value)
    assert os.listdir(folder) == ["123"]
    assert (folder / "123").read_bytes() == b"old content"


def test_an_interrupted_upload_leaves_no_partial_file(store: FileSystemConnector, folder: Path) -> None:
    def upload() -> Iterator[bytes]:
        yield b"first chunk"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.write_content("123", upload())
    assert os.listdir(folder) == []


def test_temporary_files_of_a_killed_process_are_invisible(store: FileSystemConnector, folder: Path) -> None:
    (folder / ".123.0123abcd.part").write_bytes(b"truncated")
    assert store.has_file("123") is False
    with pytest.raises(FileError, match="is invalid"):
        store.get(".123.0123abcd.part")


def test_write_chunk_appends_in_place(store: FileSystemConnector, folder: Path) -> None:
    store.write_chunk("123", b"ab")
    store.write_chunk("123", b"cd")
    assert (folder / "123").read_bytes() == b"abcd"


# --- every OS error becomes a FileError --------------------------------------------------


def _fail(*args: object, **kwargs: object) -> None:
    raise PermissionError(13, "Permission denied")


@pytest.mark.parametrize(
    ("patched", "call", "message"),
    [
        ("open", lambda store: store.get("123"), "read error"),
        ("open", lambda store: list(store.read_chunk("123")), "read error"),
        ("open", lambda store: store.write_chunk("123", b"x"), "write chunk error"),
        ("open", lambda store: store.write_content("123", [b"x"]), "write error"),
        ("open", lambda store: store.clear("123"), "write error"),
        ("replace", lambda store: store.write_content("123", [b"x"]), "write error"),
        ("unlink", lambda store: store.delete("123"), "delete"),
    ],
)
def test_os_errors_are_file_errors(
    store: FileSystemConnector, folder: Path, monkeypatch: pytest.MonkeyPatch, patched: str, call: object, message: str
) -> None:
    store.write_content("123", [b"content"])
    monkeypatch.setattr(os, patched, _fail)
    with pytest.raises(FileError) as raised:
        call(store)  # type: ignore[operator]
    assert isinstance(raised.value.__cause__, PermissionError)
    full_path = os.path.join(str(folder), "123")
    assert str(raised.value) == f"Exception(\"{full_path} {message} (PermissionError(13, 'Permission denied'))\")"


def test_a_missing_file_is_a_file_error(store: FileSystemConnector) -> None:
    with pytest.raises(FileError, match="read error"):
        store.get("404")
    chunks = store.read_chunk("404")
    with pytest.raises(FileError, match="read error"):
        next(chunks)


def test_undecodable_text_is_a_file_error(store: FileSystemConnector) -> None:
    store.write_content("bin", [b"\xff\xfe\xfa"])
    with pytest.raises(FileError, match="read error"):
        store.get("bin", "r", "utf-8")
