"""The YAML store reuses its last read of a folder only while that read is certainly current."""

import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backo.storage.db import DBMemoryConnector, DBYmlConnector
from backo.storage.db.folder_snapshot import MAX_AGE_NS, SETTLE_NS, SnapshotCache
from backo.storage.db.listing import SortedOrderCache


class Clock:
    """Stands for the wall clock of a SnapshotCache."""

    def __init__(self) -> None:
        self.now = time.time_ns()

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _settled_store(folder: Path, clock: Clock) -> DBYmlConnector:
    """A YAML store whose clock says its folder has not changed for a while."""
    store = DBYmlConnector(path=str(folder))
    store._snapshots = SnapshotCache(clock)
    clock.now = time.time_ns() + SETTLE_NS + 1
    return store


def test_a_settled_folder_is_read_once(tmp_path: Path, clock: Clock) -> None:
    cache = SnapshotCache(clock)
    status = os.stat(tmp_path)
    clock.now = max(status.st_mtime_ns, status.st_ctime_ns) + SETTLE_NS + 1
    cache.put(status, clock.now, [{"_id": "1"}])
    assert cache.get(os.stat(tmp_path)) == [{"_id": "1"}]
    clock.now += MAX_AGE_NS + 1
    assert cache.get(os.stat(tmp_path)) is None, "a snapshot expires (files edited in place)"


def test_a_folder_changed_moments_before_the_read_is_not_trusted(tmp_path: Path, clock: Clock) -> None:
    cache = SnapshotCache(clock)
    status = os.stat(tmp_path)
    clock.now = max(status.st_mtime_ns, status.st_ctime_ns) + SETTLE_NS // 2
    cache.put(status, clock.now, [{"_id": "1"}])
    assert cache.get(os.stat(tmp_path)) is None, "timestamps are coarse: a change in the same tick would hide"


def test_a_read_finding_the_same_documents_keeps_the_same_list(tmp_path: Path, clock: Clock) -> None:
    cache = SnapshotCache(clock)
    status = os.stat(tmp_path)
    clock.now = max(status.st_mtime_ns, status.st_ctime_ns) + SETTLE_NS + 1
    documents = [{"_id": "1"}, {"_id": "2"}]
    kept = cache.put(status, clock.now, documents)
    assert kept is documents
    assert cache.put(status, clock.now, list(documents)) is documents, "same objects: the list (and its sort) stay"
    other = [{"_id": "1"}, documents[1]]
    assert cache.put(status, clock.now, other) is other


def test_sorting_survives_a_re_read_of_an_unchanged_folder(tmp_path: Path, clock: Clock) -> None:
    folder = tmp_path / "books"
    writer = DBYmlConnector(path=str(folder))
    for n in range(5):
        writer.create({"_id": str(n), "n": n})
    store = _settled_store(folder, clock)
    store.select_page(None, 2, 0, {"n": -1})
    first_order = store._orders._entry
    clock.now += MAX_AGE_NS + 1  # the snapshot expires: the folder is read again
    assert [d["n"] for d in store.select_page(None, 2, 0, {"n": -1})[0]] == [4, 3]
    assert store._orders._entry is first_order, "the same documents: no new sort"


def test_a_new_entry_in_the_folder_invalidates_the_snapshot(tmp_path: Path, clock: Clock) -> None:
    cache = SnapshotCache(clock)
    status = os.stat(tmp_path)
    clock.now = max(status.st_mtime_ns, status.st_ctime_ns) + SETTLE_NS + 1
    cache.put(status, clock.now, [])
    (tmp_path / "new.yml").write_text("_id: new\n")
    assert cache.get(os.stat(tmp_path)) is None
    cache.put(status, clock.now, [])
    cache.forget()
    assert cache.get(status) is None


def test_another_writer_is_seen_by_the_next_list(tmp_path: Path, clock: Clock) -> None:
    folder = tmp_path / "books"
    writer = DBYmlConnector(path=str(folder))
    for n in range(3):
        writer.create({"_id": str(n), "n": n})
    reader = _settled_store(folder, clock)
    assert reader.select_page(None, 10, 0, {"_id": 1})[1] == 3
    assert reader._snapshots.get(os.stat(folder)) is not None, "a settled folder is kept"
    writer.save("1", {"_id": "1", "n": 100})
    writer.create({"_id": "3", "n": 3})
    writer.delete_by_id("0")
    page, total = reader.select_page(None, 10, 0, {"_id": 1})
    assert total == 3 and [document["n"] for document in page] == [100, 2, 3]
    assert reader._snapshots._snapshot is None, "the folder changed within SETTLE_NS of this read"
    assert [document["n"] for document in reader.select({"n": ("$gt", 2)})] == [100, 3]


def test_a_file_edited_in_place_is_listed_once_the_snapshot_expires(tmp_path: Path, clock: Clock) -> None:
    folder = tmp_path / "books"
    DBYmlConnector(path=str(folder)).create({"_id": "1", "title": "old"})
    store = _settled_store(folder, clock)
    assert store.select(None)[0]["title"] == "old"
    (folder / "1.yml").write_text(yaml.safe_dump({"_id": "1", "title": "new"}))  # in place: the folder is untouched
    assert store.get_by_id("1")["title"] == "new", "a read by id always sees the file"
    assert store.select(None)[0]["title"] == "old", "the snapshot is still young"
    clock.now += MAX_AGE_NS + 1
    assert store.select(None)[0]["title"] == "new"


def test_lists_share_nothing_with_the_snapshot(tmp_path: Path, clock: Clock) -> None:
    folder = tmp_path / "books"
    DBYmlConnector(path=str(folder)).create({"_id": "1", "tags": ["a"]})
    store = _settled_store(folder, clock)
    store.select(None)[0]["tags"].append("changed")
    store.select_page(None, 1, 0, {"_id": 1})[0][0]["tags"].append("changed")
    assert store.select(None)[0]["tags"] == ["a"]


def test_the_sorted_order_is_reused_only_for_the_same_version_and_sort() -> None:
    cache = SortedOrderCache()
    documents = [{"n": 2}, {"n": 1}, {"n": 3}]
    version = object()
    first = cache.sort(version, documents, {"n": 1})
    assert [d["n"] for d in first] == [1, 2, 3]
    assert cache.sort(version, documents, {"n": 1}) is first
    assert [d["n"] for d in cache.sort(version, documents, {"n": -1})] == [3, 2, 1]
    assert [d["n"] for d in cache.sort(object(), [{"n": 5}], {"n": 1})] == [5]
    assert cache.sort(None, documents, {"n": 1}) is not first, "None disables the cache"
    assert cache.sort(version, documents, {}) is documents, "no sort keeps the store's order"


def test_memory_store_lists_in_order_after_each_write() -> None:
    store = DBMemoryConnector()
    for name in ["b", "c", "a"]:
        store.create({"_id": name})
    assert [d["_id"] for d in store.select_page(None, 10, 0, {"_id": 1})[0]] == ["a", "b", "c"]
    store.create({"_id": "0"})
    store.delete_by_id("b")
    assert [d["_id"] for d in store.select_page(None, 10, 0, {"_id": -1})[0]] == ["c", "a", "0"]
    assert [d["_id"] for d in store.select(None)] == ["c", "a", "0"], "insertion order without a sort"


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=10,
)


@settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.text(max_size=6).filter(lambda key: key != "_id"), json_values, max_size=4))
def test_what_a_write_caches_is_what_reading_the_file_gives(tmp_path: Path, document: dict) -> None:
    store = DBYmlConnector(path=str(tmp_path / "books"))
    store.drop()
    store.create({**document, "_id": "1"})
    store.save("2", {**document, "_id": "2"})
    for _id in ("1", "2"):
        parsed = yaml.safe_load((tmp_path / "books" / f"{_id}.yml").read_text(encoding="utf-8"))
        assert store._cache[f"{_id}.yml"][1] == parsed
        assert list(store._cache[f"{_id}.yml"][1]) == list(parsed), "same key order"
        assert store.get_by_id(_id) == parsed


def test_a_written_document_is_not_parsed_again_unless_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backo.storage.db import yml

    parsed = []
    original = yml._parse_yaml
    monkeypatch.setattr(yml, "_parse_yaml", lambda data: parsed.append(data) or original(data))
    store = DBYmlConnector(path=str(tmp_path / "books"))
    store.create({"_id": "1", "tags": ["a"]})
    store.save("1", {"_id": "1", "tags": ["a", "b"]})
    assert store.get_by_id("1") == {"_id": "1", "tags": ["a", "b"]} and parsed == []
    DBYmlConnector(path=str(tmp_path / "books")).save("1", {"_id": "1", "tags": ["other writer"]})
    assert store.get_by_id("1")["tags"] == ["other writer"] and len(parsed) == 1
    store.save("2", {"_id": "2", "when": (1, 2)})  # a tuple reads back as a list: not cached as written
    assert store.get_by_id("2")["when"] == [1, 2] and len(parsed) == 2
