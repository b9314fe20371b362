"""Issue 14 (4): two collections whose YAML stores share a folder see each other's documents
(as in 0.2.1). Registering the second one logs one WARNING naming both; nothing else changes.
"""

import logging
import os
from pathlib import Path

import pytest

from backo import Backoffice, Collection, DBConnector, DBMemoryConnector, DBYmlConnector, Item, String


def model() -> Item:
    return Item({"name": String()})


def shared_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "backo.backoffice" and record.levelno == logging.WARNING
    ]


def spellings(folder: Path) -> list[str]:
    """One folder, named three ways: as is, with a trailing "/./", relative to the working directory."""
    return [str(folder), f"{folder}/./", os.path.relpath(folder)]


@pytest.mark.parametrize("spelling", [0, 1, 2])
def test_two_collections_on_one_folder_warn_once_naming_both(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, spelling: int
) -> None:
    folder = tmp_path / "shared"
    bo = Backoffice("app")
    caplog.set_level(logging.WARNING, logger="backo.backoffice")
    bo.register_collection(Collection("notes", model(), DBYmlConnector(path=str(folder))))
    assert shared_warnings(caplog) == []
    bo.register_collection(Collection("tasks", model(), DBYmlConnector(path=spellings(folder)[spelling])))
    warnings = shared_warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith('Backoffice "app": collection "tasks" keeps its documents in the folder "')
    assert 'as collection "notes" does' in warnings[0]
    assert "each lists, reads and can overwrite the other's documents" in warnings[0]


def test_it_still_works_as_in_0_2_1(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = str(tmp_path / "shared")
    bo = Backoffice("app")
    bo.register_collection(Collection("notes", model(), DBYmlConnector(path=folder)))
    bo.register_collection(Collection("tasks", model(), DBYmlConnector(path=folder)))
    note = bo.notes.create({"name": "a note"})
    task = bo.tasks.create({"name": "a task"})
    assert sorted(p.name for p in Path(folder).glob("*.yml")) == sorted(
        [f"{note._id.get_value()}.yml", f"{task._id.get_value()}.yml"]
    )
    # each sees the other's document: what the warning says
    assert sorted(item.name.get_value() for item in bo.notes.select()) == ["a note", "a task"]
    assert bo.tasks.get_by_id(note._id.get_value()).name.get_value() == "a note"


def test_a_third_collection_names_the_two_before_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = str(tmp_path / "shared")
    bo = Backoffice("app")
    caplog.set_level(logging.WARNING, logger="backo.backoffice")
    for name in ("a", "b", "c"):
        bo.register_collection(Collection(name, model(), DBYmlConnector(path=folder)))
    warnings = shared_warnings(caplog)
    assert len(warnings) == 2
    assert 'collection "b"' in warnings[0] and 'as collection "a" does' in warnings[0]
    assert 'collection "c"' in warnings[1] and 'as collections "a", "b" do' in warnings[1]


def test_separate_folders_and_other_stores_say_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bo = Backoffice("app")
    caplog.set_level(logging.DEBUG, logger="backo.backoffice")
    bo.register_collection(Collection("notes", model(), DBYmlConnector(path=str(tmp_path / "notes"))))
    bo.register_collection(Collection("tasks", model(), DBYmlConnector(path=str(tmp_path / "tasks"))))
    bo.register_collection(Collection("memo", model(), DBMemoryConnector()))
    bo.register_collection(Collection("more", model(), DBMemoryConnector()))
    assert shared_warnings(caplog) == []


def test_only_collections_of_one_backoffice_are_compared(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = str(tmp_path / "shared")
    caplog.set_level(logging.WARNING, logger="backo.backoffice")
    Backoffice("one").register_collection(Collection("notes", model(), DBYmlConnector(path=folder)))
    Backoffice("two").register_collection(Collection("notes", model(), DBYmlConnector(path=folder)))
    assert shared_warnings(caplog) == []  # documented: within one back office


def test_storage_location() -> None:
    assert DBMemoryConnector().storage_location is None  # DBConnector's default
    assert DBConnector.storage_location.__doc__ is not None


def test_the_yml_location_is_the_folder_identity(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    first = DBYmlConnector(path=str(folder))
    status = os.stat(folder)
    assert first.storage_location == (status.st_dev, status.st_ino)
    assert DBYmlConnector(path=f"{folder}/./").storage_location == first.storage_location
    assert DBYmlConnector(path=str(tmp_path / "g")).storage_location != first.storage_location
