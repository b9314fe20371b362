"""Ref and RefsList: both sides kept consistent, delete strategies, NOT_FILL, cycles, rollback."""

from collections.abc import Callable
from typing import Any

import pytest

from backo import (
    BackoError,
    Backoffice,
    Collection,
    DeleteStrategy,
    FillStrategy,
    Item,
    NotFoundError,
    PathNotFoundError,
    Ref,
    RefsList,
    SSyntaxError,
    String,
    STypeError,
    log_system,
)
from backo.core.references.loop_guard import LoopPath
from tests.support.stores import StoreFactory

Ids = Callable[[Any], str]


def _id(item: Any) -> str:
    return item._id.get_value()


def stored(coll: Collection, item: Any) -> dict:
    return coll.db_handler.get_by_id(_id(item))


def build(store_factory: StoreFactory, a_field: Any, b_field: Any) -> Backoffice:
    bo = Backoffice("app")
    bo.register_collection(Collection("a", Item({"name": String(), "f": a_field}), store_factory("a")))
    bo.register_collection(Collection("b", Item({"name": String(), "rev": b_field}), store_factory("b")))
    return bo


def snapshot(bo: Backoffice) -> dict:
    return {name: sorted(map(repr, coll.db_handler.select(None))) for name, coll in bo.collections.items()}


# --- the README example ---------------------------------------------------------------


def test_readme_internal_usage(store_factory: StoreFactory) -> None:
    bo = Backoffice("myApp")
    bo.add_collection(
        Collection(
            "users",
            Item({"name": String(), "surname": String(), "addr": Ref(coll="addrs", field="$.users", required=True)}),
            store_factory("users"),
        )
    )
    bo.register_collection(
        Collection(
            "addrs",
            Item(
                {
                    "name": String(),
                    "address": String(),
                    "users": RefsList(coll="users", field="$.addr", ods=DeleteStrategy.MUST_BE_EMPTY),
                }
            ),
            store_factory("addrs"),
        )
    )
    moon_address = bo.addrs.create({"name": "moon", "address": "far"})
    astro = bo.users.create({"name": "neil", "surname": "amstrong", "addr": moon_address._id})
    assert moon_address.users.get_value() == []
    moon_address.reload()
    assert moon_address.users.get_value() == [_id(astro)]
    assert astro.select("$.addr.name") == "moon"


# --- Ref <-> Ref ------------------------------------------------------------------------


def test_ref_to_ref_one_to_one(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev"), Ref(coll="a", field="$.f"))
    b1, b2 = bo.b.create({"name": "b1"}), bo.b.create({"name": "b2"})
    a1 = bo.a.create({"name": "a1", "f": _id(b1)})
    assert stored(bo.b, b1)["rev"] == _id(a1)

    a1.f = _id(b2)
    a1.save()
    assert stored(bo.b, b1)["rev"] is None and stored(bo.b, b2)["rev"] == _id(a1)

    a2 = bo.a.create({"name": "a2", "f": _id(b2)})  # steals b2
    assert stored(bo.b, b2)["rev"] == _id(a2) and stored(bo.a, a1)["f"] is None

    b1 = bo.b.get_by_id(_id(b1))
    b1.rev = _id(a1)  # from the other side
    b1.save()
    assert stored(bo.a, a1)["f"] == _id(b1)

    a1 = bo.a.get_by_id(_id(a1))
    a1.f = None
    a1.save()
    assert stored(bo.b, b1)["rev"] is None

    bo.b.get_by_id(_id(b2)).delete()
    assert stored(bo.a, a2)["f"] is None


# --- Ref <-> RefsList (FILL) -----------------------------------------------------------


def test_ref_to_refslist_one_to_many(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev"), RefsList(coll="a", field="$.f"))
    b1, b2 = bo.b.create({"name": "b1"}), bo.b.create({"name": "b2"})
    a1 = bo.a.create({"name": "a1", "f": _id(b1)})
    a2 = bo.a.create({"name": "a2", "f": _id(b1)})
    assert stored(bo.b, b1)["rev"] == [_id(a1), _id(a2)]

    a1.f = _id(b2)
    a1.save()
    assert stored(bo.b, b1)["rev"] == [_id(a2)] and stored(bo.b, b2)["rev"] == [_id(a1)]

    b2 = bo.b.get_by_id(_id(b2))
    b2.rev.append(_id(a2))  # a2 moves from b1 to b2
    b2.save()
    assert stored(bo.a, a2)["f"] == _id(b2)
    assert stored(bo.b, b1)["rev"] == [] and stored(bo.b, b2)["rev"] == [_id(a1), _id(a2)]

    b2 = bo.b.get_by_id(_id(b2))
    b2.rev = []
    b2.save()
    assert stored(bo.a, a1)["f"] is None and stored(bo.a, a2)["f"] is None

    a3 = bo.a.create({"name": "a3", "f": _id(b1)})
    bo.a.get_by_id(_id(a3)).delete()
    assert stored(bo.b, b1)["rev"] == []


def test_must_be_empty_refuses_and_changes_nothing(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev"), RefsList(coll="a", field="$.f"))
    b = bo.b.create({"name": "b"})
    bo.a.create({"name": "a", "f": _id(b)})
    before = snapshot(bo)
    with pytest.raises(BackoError, match='Collection "a" not empty'):
        bo.b.get_by_id(_id(b)).delete()
    assert snapshot(bo) == before


def test_delete_referenced_items_cascades(store_factory: StoreFactory) -> None:
    bo = build(
        store_factory,
        Ref(coll="b", field="$.rev"),
        RefsList(coll="a", field="$.f", ods=DeleteStrategy.DELETE_REFERENCED_ITEMS),
    )
    b = bo.b.create({"name": "b"})
    kept = bo.b.create({"name": "kept"})
    for n in range(3):
        bo.a.create({"name": f"a{n}", "f": _id(b)})
    other = bo.a.create({"name": "other", "f": _id(kept)})
    bo.b.get_by_id(_id(b)).delete()
    assert [d["name"] for d in bo.a.db_handler.select(None)] == ["other"]
    assert stored(bo.b, kept)["rev"] == [_id(other)]


def test_unlink_referenced_items_clears_the_refs(store_factory: StoreFactory) -> None:
    bo = build(
        store_factory,
        Ref(coll="b", field="$.rev"),
        RefsList(coll="a", field="$.f", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
    )
    b = bo.b.create({"name": "b"})
    a = bo.a.create({"name": "a", "f": _id(b)})
    bo.b.get_by_id(_id(b)).delete()
    assert stored(bo.a, a)["f"] is None


# --- NOT_FILL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (DeleteStrategy.MUST_BE_EMPTY, 'Collection (not filled) "a" not empty'),
        (DeleteStrategy.DELETE_REFERENCED_ITEMS, []),
        (DeleteStrategy.UNLINK_REFERENCED_ITEMS, [None]),
    ],
)
def test_not_fill_lists_stay_empty_and_strategies_use_a_select(store_factory: StoreFactory, strategy, expected) -> None:
    bo = build(
        store_factory,
        Ref(coll="b", field="$.rev"),
        RefsList(coll="a", field="$.f", ofs=FillStrategy.NOT_FILL, ods=strategy),
    )
    b = bo.b.create({"name": "b"})
    bo.a.create({"name": "a", "f": _id(b)})
    assert stored(bo.b, b)["rev"] == []
    assert [item.name.get_value() for item in bo.b.get_by_id(_id(b)).rev.get_other_with_a_select(_id(b))] == ["a"]
    if isinstance(expected, str):
        with pytest.raises(BackoError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            bo.b.get_by_id(_id(b)).delete()
        return
    bo.b.get_by_id(_id(b)).delete()
    assert [d["f"] for d in bo.a.db_handler.select(None)] == expected


def test_not_fill_explicit_ids_still_propagate(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev"), RefsList(coll="a", field="$.f", ofs=FillStrategy.NOT_FILL))
    a = bo.a.create({"name": "a"})
    b = bo.b.create({"name": "b", "rev": [_id(a)]})
    assert stored(bo.a, a)["f"] == _id(b)


def test_not_fill_list_mirrors_a_refslist(store_factory: StoreFactory) -> None:
    """Only a Ref leaves a NOT_FILL list alone: a RefsList's additions and removals reach it."""
    bo = build(
        store_factory, RefsList(coll="b", field="$.rev"), RefsList(coll="a", field="$.f", ofs=FillStrategy.NOT_FILL)
    )
    b = bo.b.create({"name": "b"})
    a = bo.a.create({"name": "a", "f": [_id(b)]})
    assert stored(bo.b, b)["rev"] == [_id(a)]
    a.f = []
    a.save()
    assert stored(bo.b, b)["rev"] == []
    assert bo.check_integrity() == []


# --- RefsList <-> RefsList --------------------------------------------------------------


def test_many_to_many(store_factory: StoreFactory) -> None:
    bo = build(
        store_factory,
        RefsList(coll="b", field="$.rev", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
        RefsList(coll="a", field="$.f", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
    )
    b1, b2 = bo.b.create({"name": "b1"}), bo.b.create({"name": "b2"})
    a1 = bo.a.create({"name": "a1", "f": [_id(b1), _id(b2)]})
    assert stored(bo.b, b1)["rev"] == [_id(a1)] and stored(bo.b, b2)["rev"] == [_id(a1)]
    a2 = bo.a.create({"name": "a2"})
    b1 = bo.b.get_by_id(_id(b1))
    b1.rev.append(_id(a2))
    b1.save()
    assert stored(bo.a, a2)["f"] == [_id(b1)]
    a1 = bo.a.get_by_id(_id(a1))
    a1.f = [_id(b2)]
    a1.save()
    assert stored(bo.b, b1)["rev"] == [_id(a2)]
    bo.b.get_by_id(_id(b2)).delete()
    assert stored(bo.a, a1)["f"] == []


def test_cascade_on_a_cycle_terminates(store_factory: StoreFactory) -> None:
    cascade = DeleteStrategy.DELETE_REFERENCED_ITEMS
    bo = build(
        store_factory, RefsList(coll="b", field="$.rev", ods=cascade), RefsList(coll="a", field="$.f", ods=cascade)
    )
    b = bo.b.create({"name": "b"})
    a = bo.a.create({"name": "a", "f": [_id(b)]})
    bo.a.create({"name": "a2", "f": [_id(b)]})
    bo.a.get_by_id(_id(a)).delete()
    assert bo.a.db_handler.select(None) == [] and bo.b.db_handler.select(None) == []


# --- refusals and errors ----------------------------------------------------------------


@pytest.mark.parametrize("reverse", ["$.rev", None])
def test_an_unknown_id_is_refused_and_nothing_is_written(store_factory: StoreFactory, reverse) -> None:
    kwargs = {"field": reverse} if reverse else {}
    bo = build(store_factory, Ref(coll="b", **kwargs), RefsList(coll="a", field="$.f"))
    with pytest.raises(NotFoundError):
        bo.a.create({"name": "a", "f": "does-not-exist"})
    assert bo.a.db_handler.select(None) == []
    a = bo.a.create({"name": "a"})
    a.f = "../../etc/passwd"
    with pytest.raises(NotFoundError):
        a.save()
    assert stored(bo.a, a)["f"] is None


def test_required_ref_without_value_is_refused(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev", required=True), RefsList(coll="a", field="$.f"))
    with pytest.raises(NotFoundError):
        bo.a.create({"name": "a"})
    assert bo.a.db_handler.select(None) == []


def test_bad_reverse_declarations_raise_clear_errors(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.nope"), String())
    b = bo.b.create({"name": "b"})
    with pytest.raises(PathNotFoundError, match='Path "\\$.nope" not found in collection "b"'):
        bo.a.create({"name": "a", "f": _id(b)})
    bo2 = build(store_factory, Ref(coll="b", field="$.name"), String())
    b = bo2.b.create({"name": "b"})
    with pytest.raises(STypeError, match=r"b.\$.name is not a Ref or a RefsList"):
        bo2.a.create({"name": "a", "f": _id(b)})
    bo3 = build(store_factory, Ref(coll="zz", field="$.x"), String())
    with pytest.raises(SSyntaxError, match='Ref "\\$.f" to unnknown collection "zz"'):
        bo3.a.create({"name": "a", "f": "1"})
    assert bo.a.db_handler.select(None) == [] and bo3.a.db_handler.select(None) == []


def test_check_syntax_logs_problems(store_factory: StoreFactory) -> None:
    handler = log_system.set_memoryhandler(None, capacity=1000)
    log_system.add_handler(handler, "ref")
    try:
        bo = Backoffice("app")
        model = Item({"x": Ref(coll="zz"), "y": Ref(coll="a"), "z": Ref(coll="a", field="$.name"), "name": String()})
        bo.register_collection(Collection("a", model, store_factory("a")))
        bo.check_syntax()
        messages = [record.getMessage() for record in handler.buffer]
    finally:
        log_system.loggers["ref"].removeHandler(handler)
    assert 'a/$.x: Collection "zz" not found' in messages
    assert 'a/$.y: Collection "a". No reverse defined. Are you sure ?' in messages
    assert 'a/$.z: Collection "a", "$.name" is not a Ref or a RefsList' in messages


def test_schema_and_options() -> None:
    ref = Ref(collection="users", rev="$.addr")
    assert ref.get_schema()["collection"] == "users" and ref.get_schema()["reverse"] == "$.addr"
    refs = RefsList(coll="users")
    assert refs.on_delete is DeleteStrategy.MUST_BE_EMPTY and refs.on_fill is FillStrategy.FILL
    assert (ref._collection, ref._reverse) == ("users", "$.addr")  # 0.2.1's names
    assert (refs._collection, refs._reverse, refs._fill_strategy) == ("users", None, FillStrategy.FILL)
    with pytest.raises(TypeError, match='keys "collection" is missing'):
        Ref(field="$.x")
    with pytest.raises(TypeError):
        Ref(coll="x", ods=DeleteStrategy.MUST_BE_EMPTY)


def test_loop_path_limit() -> None:
    looper = LoopPath(max_loop=2)
    for n in range(3):
        looper.append("c", str(n), "$.f")
    assert looper.is_loop("c", "1", "$.f") and not looper.is_loop("c", "9", "$.f")
    with pytest.raises(BackoError, match=r"Loop max detected for \( c, 3, \$.f\)"):
        looper.append("c", "3", "$.f")


def test_selectors_traverse_references(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev"), RefsList(coll="a", field="$.f"))
    b = bo.b.create({"name": "b"})
    a1 = bo.a.create({"name": "a1", "f": _id(b)})
    bo.a.create({"name": "a2", "f": _id(b)})
    b = bo.b.get_by_id(_id(b))
    assert b.select("$.rev.name") == ["a1", "a2"]
    assert b.select("$.rev[1].name") == "a2"
    assert b.select("$.rev[0:2].name") == ["a1", "a2"]
    assert bo.a.get_by_id(_id(a1)).select("$.f.name") == "b"
    assert bo.a.create({"name": "lonely"}).select("$.f.name").get_value() is None


# --- atomicity --------------------------------------------------------------------------


class StorageDown(Exception):
    """The injected storage failure."""


def fail_on_write(bo: Backoffice, failing_write: int) -> None:
    """Make the ``failing_write``-th write (save/delete/create) across all collections fail."""
    count = {"writes": 0}
    for coll in bo.collections.values():
        db = coll.db_handler
        for name in ("save", "delete_by_id", "create"):
            original = getattr(db, name)

            def wrapped(*args, _original=original, **kwargs):
                count["writes"] += 1
                if count["writes"] == failing_write:
                    raise StorageDown(f"write {failing_write} failed")
                return _original(*args, **kwargs)

            setattr(db, name, wrapped)


@pytest.mark.parametrize("failing_write", [1, 2, 3, 4])
def test_a_failure_in_a_cascade_restores_everything(store_factory: StoreFactory, failing_write: int) -> None:
    bo = build(
        store_factory,
        Ref(coll="b", field="$.rev"),
        RefsList(coll="a", field="$.f", ods=DeleteStrategy.DELETE_REFERENCED_ITEMS),
    )
    b = bo.b.create({"name": "b"})
    for n in range(3):
        bo.a.create({"name": f"a{n}", "f": _id(b)})
    before = snapshot(bo)
    fail_on_write(bo, failing_write)
    with pytest.raises(StorageDown):
        bo.b.get_by_id(_id(b)).delete()
    for coll in bo.collections.values():  # undo the injection before comparing
        for name in ("save", "delete_by_id", "create"):
            coll.db_handler.__dict__.pop(name, None)
    assert snapshot(bo) == before
    assert bo.transactions == {}


@pytest.mark.parametrize("failing_write", [1, 2, 3])
def test_a_failure_while_linking_restores_everything(store_factory: StoreFactory, failing_write: int) -> None:
    bo = build(store_factory, RefsList(coll="b", field="$.rev"), RefsList(coll="a", field="$.f"))
    b1, b2 = bo.b.create({"name": "b1"}), bo.b.create({"name": "b2"})
    before = snapshot(bo)
    fail_on_write(bo, failing_write)
    with pytest.raises(StorageDown):
        bo.a.create({"name": "a", "f": [_id(b1), _id(b2)]})
    for coll in bo.collections.values():
        for name in ("save", "delete_by_id", "create"):
            coll.db_handler.__dict__.pop(name, None)
    assert snapshot(bo) == before


# --- integrity and concurrency ------------------------------------------------------------


def test_check_integrity_reports_broken_links(store_factory: StoreFactory) -> None:
    bo = build(store_factory, Ref(coll="b", field="$.rev"), RefsList(coll="a", field="$.f"))
    b = bo.b.create({"name": "b"})
    a = bo.a.create({"name": "a", "f": _id(b)})
    assert bo.check_integrity() == []
    bo.b.db_handler.save(_id(b), {**stored(bo.b, b), "rev": []})  # a manual edit of the store
    bo.a.db_handler.save("ghost", {**stored(bo.a, a), "_id": "ghost", "f": "nowhere"})
    problems = bo.check_integrity()
    assert f"a/{_id(a)} $.f -> b/{_id(b)}: $.rev does not point back" in problems
    assert "a/ghost $.f -> b/nowhere: not found" in problems


def test_concurrent_writers_keep_references_consistent(store_factory: StoreFactory) -> None:
    import random
    import threading

    bo = build(
        store_factory,
        Ref(coll="b", field="$.rev"),
        RefsList(coll="a", field="$.f", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS),
    )
    targets = [_id(bo.b.create({"name": f"b{n}"})) for n in range(3)]
    owners = [_id(bo.a.create({"name": f"a{n}"})) for n in range(6)]
    errors: list[Exception] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(25):
                item = bo.a.get_by_id(rng.choice(owners))
                item.f = rng.choice([*targets, None])
                item.save()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert bo.check_integrity() == []
    listed = sorted(owner for target in targets for owner in stored(bo.b, bo.b.get_by_id(target))["rev"])
    assert listed == sorted(d["_id"] for d in bo.a.db_handler.select(None) if d["f"] is not None)
