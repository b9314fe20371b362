"""The YAML connector (backo/storage/db/yml.py): files, ids, atomic writes, cache."""

import errno
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backo.error import DBError, NotFoundError
from backo.storage.db import DBYmlConnector
from backo.storage.db import yml as yml_module

DOCUMENT = {
    "_id": "17462571031702028478",
    "_meta": {
        "created_by": {"_id": "000", "login": "ANONYMOUS"},
        "ctime": "2026-11-22T21:50:54",
    },
    "name": "dave",
    "age": 25,
    "tags": ["t3", "x"],
}
DOCUMENT_YAML = """\
_id: '17462571031702028478'
_meta:
  created_by:
    _id: '000'
    login: ANONYMOUS
  ctime: '2026-11-22T21:50:54'
age: 25
name: dave
tags:
- t3
- x
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def db(folder: Path) -> DBYmlConnector:
    return DBYmlConnector(path=str(folder))


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its content (None for directories)."""
    return {
        str(path.relative_to(root)): None if path.is_dir() else path.read_bytes() for path in sorted(root.rglob("*"))
    }


def _temporary_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".tmp-")]


# -- construction -----------------------------------------------------------------------


def test_the_folder_is_created_recursively(tmp_path: Path) -> None:
    db = DBYmlConnector(path=str(tmp_path / "a" / "b" / "c"))
    assert (tmp_path / "a" / "b" / "c").is_dir()
    assert db.path == str(tmp_path / "a" / "b" / "c")


def test_the_default_folder_is_tmp() -> None:
    assert DBYmlConnector().path == "/tmp"


def test_a_path_that_is_not_a_directory_raises_dberror(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DBError, match=f'Yaml path "{tmp_path / "file"}" is not a directory'):
        DBYmlConnector(path=str(tmp_path / "file"))


def test_a_folder_that_cannot_be_created_raises_dberror(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DBError, match="Cannot create the Yaml path") as caught:
        DBYmlConnector(path=str(tmp_path / "file" / "sub"))
    assert isinstance(caught.value.__cause__, OSError)


def test_a_restriction_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DBError, match="Restriction filter not implemented for yml"):
        DBYmlConnector(path=str(tmp_path), restriction=lambda: {})


def test_libyaml_is_used_when_available() -> None:
    if yaml.__with_libyaml__:
        assert yml_module._LOADER is yaml.CSafeLoader
        assert yml_module._DUMPER is yaml.CSafeDumper
    else:  # pragma: no cover - PyYAML wheels ship libyaml
        assert yml_module._LOADER is yaml.SafeLoader


# -- file layout ------------------------------------------------------------------------


def test_a_document_is_one_block_style_yaml_file_named_after_its_id(db: DBYmlConnector, folder: Path) -> None:
    db.create(dict(DOCUMENT))
    assert os.listdir(folder) == ["17462571031702028478.yml"]
    assert (folder / "17462571031702028478.yml").read_text() == DOCUMENT_YAML


def test_a_saved_file_has_the_usual_permissions(db: DBYmlConnector, folder: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    db.save("1", {"name": "dave"})
    assert (folder / "1.yml").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_file_written_by_hand_is_read(db: DBYmlConnector, folder: Path) -> None:
    (folder / "17462571031702028478.yml").write_text(DOCUMENT_YAML)
    assert db.get_by_id("17462571031702028478") == DOCUMENT
    assert db.select(None) == [DOCUMENT]


def test_select_without_sort_orders_by_id(db: DBYmlConnector) -> None:
    for _id in ["b", "a-b", "c", "a"]:
        db.create({"_id": _id})
    assert [document["_id"] for document in db.select(None)] == ["a", "a-b", "b", "c"]


def test_select_ignores_other_files_and_directories(
    db: DBYmlConnector, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db.create({"_id": "1"})
    (folder / "notes.txt").write_text("name: x\n")
    (folder / ".tmp-123.tmp").write_text("_id: '2'\n")
    (folder / "3.yml.bak").write_text("_id: '3'\n")
    (folder / "dir.yml").mkdir()
    caplog.set_level(logging.WARNING, logger="backo.yml")
    assert db.select(None) == [{"_id": "1"}]
    assert "dir.yml" in caplog.text


def test_drop_removes_only_yml_files(db: DBYmlConnector, folder: Path) -> None:
    db.create({"_id": "1"})
    db.create({"_id": "2"})
    (folder / "notes.txt").write_text("keep")
    (folder / ".tmp-123.tmp").write_text("keep")
    (folder / "dir.yml").mkdir()
    db.drop()
    assert sorted(os.listdir(folder)) == [".tmp-123.tmp", "dir.yml", "notes.txt"]
    assert db.select(None) == []


# -- ids are file names: validation -----------------------------------------------------

INVALID_IDS = ["../x", "a/b", "..", ".", "", "a\x00b", "/etc/passwd", "x" * 300, "a\\b", "é" * 130]


@pytest.mark.parametrize("bad_id", INVALID_IDS)
def test_an_invalid_id_is_never_read_nor_written(bad_id: str, tmp_path: Path, db: DBYmlConnector) -> None:
    (tmp_path / "x.yml").write_text("_id: outside\n")  # what "../x" would reach
    db.create({"_id": "inside"})
    before = _tree(tmp_path)

    with pytest.raises(NotFoundError, match="not found in path"):
        db.get_by_id(bad_id)
    assert db.delete_by_id(bad_id) is False
    with pytest.raises(DBError, match="is not a valid file name in path"):
        db.save(bad_id, {"_id": bad_id})
    with pytest.raises(DBError, match="is not a valid file name in path"):
        db.create({"_id": bad_id})

    assert _tree(tmp_path) == before
    assert not os.path.exists("/etc/passwd.yml")
    assert db.select(None) == [{"_id": "inside"}]


def test_the_longest_valid_id(db: DBYmlConnector) -> None:
    longest = "x" * 200
    db.save(longest, {"n": 1})
    assert db.get_by_id(longest) == {"_id": longest, "n": 1}
    with pytest.raises(DBError, match="is not a valid file name"):
        db.save("x" * 201, {"n": 1})


def test_a_symlink_is_not_a_document(
    db: DBYmlConnector, folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text("password: hunter2\n")
    (folder / "evil.yml").symlink_to(secret)
    caplog.set_level(logging.WARNING, logger="backo.yml")
    with pytest.raises(NotFoundError):
        db.get_by_id("evil")
    assert db.select(None) == []
    assert "evil.yml" in caplog.text and "not a regular file" in caplog.text
    assert db.delete_by_id("evil") is True  # removes the link, not its target
    assert secret.read_text() == "password: hunter2\n"


# -- atomic writes ----------------------------------------------------------------------


def _failing_writer(error: BaseException) -> Callable[[dict[str, Any], Any], None]:
    def write_half_then_fail(document: dict[str, Any], stream: Any) -> None:
        stream.write("_id: half\nname: trunc")
        stream.flush()
        raise error

    return write_half_then_fail


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (RuntimeError("boom"), RuntimeError),
        (OSError(errno.ENOSPC, "No space left on device"), DBError),
        (yaml.YAMLError("cannot represent"), DBError),
    ],
)
def test_a_failing_write_keeps_the_old_file_and_no_temporary_file(
    db: DBYmlConnector,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    raised: type[BaseException],
) -> None:
    db.create({"_id": "1", "name": "dave"})
    before = _tree(folder)
    monkeypatch.setattr(yml_module, "_write_yaml", _failing_writer(error))
    with pytest.raises(raised):
        db.save("1", {"_id": "1", "name": "eve"})
    with pytest.raises(raised):
        db.create({"_id": "2", "name": "eve"})
    assert _tree(folder) == before
    monkeypatch.undo()
    assert db.get_by_id("1") == {"_id": "1", "name": "dave"}


def test_a_document_yaml_cannot_represent_raises_dberror(db: DBYmlConnector, folder: Path) -> None:
    db.create({"_id": "1", "name": "dave"})
    with pytest.raises(DBError, match='Error while writing _id "1"') as caught:
        db.save("1", {"_id": "1", "name": object()})
    assert isinstance(caught.value.__cause__, yaml.YAMLError)
    assert os.listdir(folder) == ["1.yml"]
    assert db.get_by_id("1")["name"] == "dave"


def test_concurrent_saves_of_one_id_always_leave_a_whole_file(db: DBYmlConnector, folder: Path) -> None:
    documents = [{"_id": "1", "writer": writer, "payload": [str(writer) * 50] * 20} for writer in range(2)]
    db.save("1", documents[0])
    errors: list[BaseException] = []
    stop_reading = threading.Event()

    def write(document: dict[str, Any]) -> None:
        try:
            for _ in range(200):
                db.save("1", document)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def read() -> None:
        while not stop_reading.is_set():
            try:
                assert db.get_by_id("1") in documents
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(document,)) for document in documents]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop_reading.set()
    reader.join()
    assert errors == []
    assert yaml.safe_load((folder / "1.yml").read_text()) in documents
    assert os.listdir(folder) == ["1.yml"]


def test_concurrent_creates_of_one_id_store_exactly_one(db: DBYmlConnector, folder: Path) -> None:
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def create(writer: int) -> None:
        barrier.wait()
        try:
            db.create({"_id": "1", "writer": writer})
            outcomes.append("created")
        except DBError:
            outcomes.append("refused")

    threads = [threading.Thread(target=create, args=(writer,)) for writer in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["refused"] * 7
    assert os.listdir(folder) == ["1.yml"]
    assert db.get_by_id("1")["writer"] in range(8)


@pytest.mark.parametrize("link_errno", [errno.EPERM, errno.EOPNOTSUPP])
def test_create_without_hard_links_still_refuses_duplicates(
    db: DBYmlConnector, folder: Path, monkeypatch: pytest.MonkeyPatch, link_errno: int
) -> None:
    def no_hard_links(source: str, target: str) -> None:
        raise OSError(link_errno, os.strerror(link_errno))

    monkeypatch.setattr(os, "link", no_hard_links)
    assert db.create({"_id": "1", "name": "dave"}) == "1"
    with pytest.raises(DBError, match='_id "1" already exist in path'):
        db.create({"_id": "1", "name": "eve"})
    assert db.get_by_id("1") == {"_id": "1", "name": "dave"}
    assert os.listdir(folder) == ["1.yml"]


def test_an_unexpected_link_error_raises_dberror(
    db: DBYmlConnector, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_link(source: str, target: str) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "link", broken_link)
    with pytest.raises(DBError, match='Error while writing _id "1"'):
        db.create({"_id": "1"})
    assert os.listdir(folder) == []


# -- the parse cache --------------------------------------------------------------------


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The content of every YAML file parsed from now on."""
    calls: list[bytes] = []
    real_parse = yml_module._parse_yaml

    def counting_parse(data: bytes) -> Any:
        calls.append(data)
        return real_parse(data)

    monkeypatch.setattr(yml_module, "_parse_yaml", counting_parse)
    return calls


def _store_five(db: DBYmlConnector) -> None:
    for index in range(5):
        db.create({"_id": str(index), "n": index})


def test_select_parses_only_files_that_changed(db: DBYmlConnector, folder: Path, parsed: list[bytes]) -> None:
    _store_five(db)
    assert len(db.select(None)) == 5
    assert parsed == [], "what this store wrote is cached as written"
    other = DBYmlConnector(path=str(folder))
    assert len(other.select(None)) == 5
    assert len(parsed) == 5, "another store (process) parses each file once"
    parsed.clear()

    assert len(other.select(None)) == 5
    assert parsed == []
    assert db.get_by_id("3") == {"_id": "3", "n": 3}
    assert parsed == []

    status = (folder / "2.yml").stat()
    os.utime(folder / "2.yml", ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    assert len(db.select(None)) == 5
    assert parsed == [(folder / "2.yml").read_bytes()]


def test_a_change_made_by_another_process_is_seen(db: DBYmlConnector, folder: Path, parsed: list[bytes]) -> None:
    _store_five(db)
    db.select(None)
    parsed.clear()
    (folder / "4.yml").write_text("_id: '4'\nn: 400\nchanged: true\n")  # in place
    other_process = DBYmlConnector(path=str(folder))
    other_process.save("1", {"n": 100})  # atomically
    (folder / "0.yml").unlink()

    assert db.select(None, {}, 0, 0, {"_id": 1}) == [
        {"_id": "1", "n": 100},
        {"_id": "2", "n": 2},
        {"_id": "3", "n": 3},
        {"_id": "4", "n": 400, "changed": True},
    ]
    assert len(parsed) == 2
    with pytest.raises(NotFoundError):
        db.get_by_id("0")


def test_writes_through_the_connector_are_seen_at_once(db: DBYmlConnector) -> None:
    _store_five(db)
    db.select(None)
    db.save("1", {"n": 100})
    db.delete_by_id("2")
    assert db.get_by_id("1") == {"_id": "1", "n": 100}
    assert [document["n"] for document in db.select(None)] == [0, 100, 3, 4]


def test_cached_documents_are_handed_out_as_clones(db: DBYmlConnector) -> None:
    db.create({"_id": "1", "tags": ["a"]})
    db.select(None)[0]["tags"].append("b")
    db.get_by_id("1")["tags"].append("c")
    assert db.get_by_id("1") == {"_id": "1", "tags": ["a"]}
    assert db.select(None) == [{"_id": "1", "tags": ["a"]}]


# -- corrupt files and OS errors --------------------------------------------------------

CORRUPT_FILES = {"bad.yml": "a: [unclosed\n", "list.yml": "- a\n- list\n", "empty.yml": ""}


def test_select_skips_corrupt_files_with_an_error_log(
    db: DBYmlConnector, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db.create({"_id": "1"})
    for name, content in CORRUPT_FILES.items():
        (folder / name).write_text(content)
    caplog.set_level(logging.WARNING, logger="backo.yml")
    assert db.select(None) == [{"_id": "1"}]
    warnings = [record for record in caplog.records if record.name == "backo.yml"]
    assert all(record.levelno == logging.ERROR for record in warnings)  # visible at the default level
    for name in CORRUPT_FILES:
        assert any(str(folder / name) in record.getMessage() for record in warnings)
    caplog.clear()
    assert db.select(None) == [{"_id": "1"}]  # still skipped (and reported) when cached
    assert len([record for record in caplog.records if record.name == "backo.yml"]) == 3


@pytest.mark.parametrize("name", sorted(CORRUPT_FILES))
def test_get_by_id_of_a_corrupt_file_raises_dberror(db: DBYmlConnector, folder: Path, name: str) -> None:
    (folder / name).write_text(CORRUPT_FILES[name])
    _id = name.removesuffix(".yml")
    with pytest.raises(DBError, match=f'_id "{_id}" in path ".*" is not a readable YAML document'):
        db.get_by_id(_id)


def test_a_repaired_file_is_read_again(db: DBYmlConnector, folder: Path) -> None:
    (folder / "1.yml").write_text("a: [unclosed\n")
    with pytest.raises(DBError):
        db.get_by_id("1")
    (folder / "1.yml").write_text("_id: '1'\nfixed: true\n")
    assert db.get_by_id("1") == {"_id": "1", "fixed": True}


def test_os_errors_become_dberror(db: DBYmlConnector, folder: Path) -> None:
    db.create({"_id": "1"})
    (folder / "1.yml").unlink()
    folder.rmdir()
    with pytest.raises(DBError, match=f'Error while select in path "{folder}"') as caught:
        db.select(None)
    assert isinstance(caught.value.__cause__, FileNotFoundError)
    with pytest.raises(DBError, match='Error while writing _id "1"'):
        db.save("1", {})
    with pytest.raises(DBError, match="Error while drop in path"):
        db.drop()
    with pytest.raises(NotFoundError):
        db.get_by_id("1")
    assert db.delete_by_id("1") is False


def test_a_directory_in_place_of_a_document(db: DBYmlConnector, folder: Path) -> None:
    (folder / "1.yml").mkdir()
    with pytest.raises(NotFoundError):
        db.get_by_id("1")
    with pytest.raises(DBError, match='Error while deleting _id "1"'):
        db.delete_by_id("1")
    with pytest.raises(DBError, match='Error while writing _id "1"'):
        db.save("1", {})
    assert _temporary_files(folder) == []


@pytest.mark.parametrize(
    ("error", "translated"),
    [
        (OSError("disk"), True),
        (PermissionError("denied"), True),
        (yaml.YAMLError("bad"), True),
        (ValueError("other"), False),
        (NotFoundError("kept {0}", "as is"), False),
    ],
)
def test_yaml_errors_translates_os_and_yaml_errors_only(error: Exception, translated: bool) -> None:
    expected = DBError if translated else type(error)
    with pytest.raises(expected) as caught, yml_module._yaml_errors('Error on "{0}"', "x"):
        raise error
    if translated:
        assert str(caught.value) == 'Exception("Error on "x"")'
        assert caught.value.__cause__ is error
    else:
        assert caught.value is error
