"""COMPAT-FIXES 10 and N9: 0.2.1's ``_collection``, ``_reverse`` and ``_fill_strategy`` of
Ref and RefsList, read and written per field instance, and used by the synchronisation."""

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
)
from tests.support.references import Stores, extra_fields, ident, path_kind, stores  # noqa: F401 - fixtures


def fleet(stores: Stores, path_kind: str) -> Backoffice:
    """Harbours listing their boats (RefsList, FILL), boats in one harbour (Ref)."""
    bo = Backoffice("fleet")
    bo.register_collection(
        Collection(
            "harbours",
            Item({"name": String(), **extra_fields(path_kind), "boats": RefsList(coll="boats", field="$.harbour")}),
            stores("harbours"),
        )
    )
    bo.register_collection(
        Collection(
            "boats",
            Item({"name": String(), **extra_fields(path_kind), "harbour": Ref(coll="harbours", field="$.boats")}),
            stores("boats"),
        )
    )
    return bo


def documents(bo: Backoffice, name: str) -> list[dict]:
    return bo.collections[name].db_handler.select(None)


def test_declared_values_are_readable_on_fields_and_items() -> None:
    ref = Ref(coll="harbours", field="$.boats")
    refs = RefsList(coll="boats", rev="$.harbour", ofs=FillStrategy.NOT_FILL)
    assert (ref._collection, ref._reverse) == ("harbours", "$.boats")
    assert (refs._collection, refs._reverse, refs._fill_strategy) == ("boats", "$.harbour", FillStrategy.NOT_FILL)
    assert Ref(collection="x")._reverse is None
    assert RefsList(coll="x")._fill_strategy is FillStrategy.FILL
    assert str(RefsList(coll="x")._fill_strategy) == "FillStrategy.FILL"


def test_items_expose_the_declaration(stores: Stores, path_kind: str) -> None:
    bo = fleet(stores, path_kind)
    boat, harbour = bo.boats.new(), bo.harbours.new()
    assert (boat.harbour._collection, boat.harbour._reverse) == ("harbours", "$.boats")
    assert (harbour.boats._collection, harbour.boats._reverse) == ("boats", "$.harbour")
    assert harbour.boats._fill_strategy is FillStrategy.FILL
    brest = bo.harbours.create({"name": "brest"})
    assert bo.harbours.get_by_id(ident(brest)).boats._collection == "boats"


def test_a_change_stays_on_that_field_instance(stores: Stores, path_kind: str) -> None:
    bo = fleet(stores, path_kind)
    boat = bo.boats.new()
    boat.harbour._collection = "docks"
    boat.harbour._reverse = "$.moored"
    assert (boat.harbour._collection, boat.harbour._reverse) == ("docks", "$.moored")
    assert (boat.harbour.target_name, boat.harbour.reverse) == ("docks", "$.moored")
    other = bo.boats.new()
    assert (other.harbour._collection, other.harbour._reverse) == ("harbours", "$.boats")
    assert bo.boats.model.harbour._collection == "harbours"


def test_an_unknown_target_collection_set_on_the_item_is_refused(stores: Stores, path_kind: str) -> None:
    bo = fleet(stores, path_kind)
    transaction_id = bo.start_transaction()
    boat = bo.boats.new()
    boat.harbour._collection = "docks"
    with pytest.raises(SSyntaxError) as raised:
        boat.create({"name": "pourquoi-pas", "harbour": "no_such_harbour"}, transaction_id=transaction_id)
    assert 'Ref "$.harbour" to unnknown collection "docks"' in str(raised.value)
    bo.rollback_transaction(transaction_id)
    assert documents(bo, "boats") == []


def test_an_unknown_reverse_set_on_the_item_is_refused(stores: Stores, path_kind: str) -> None:
    bo = fleet(stores, path_kind)
    brest = bo.harbours.create({"name": "brest"})
    transaction_id = bo.start_transaction()
    boat = bo.boats.new()
    boat.harbour._reverse = "hull"
    with pytest.raises(PathNotFoundError) as raised:
        boat.create({"name": "belem", "harbour": ident(brest)}, transaction_id=transaction_id)
    assert 'Path "hull" not found in collection "harbours"' in str(raised.value)
    bo.rollback_transaction(transaction_id)
    assert documents(bo, "boats") == []
    assert documents(bo, "harbours")[0]["boats"] == []


def test_an_unknown_id_in_the_declared_collection_is_not_found(stores: Stores, path_kind: str, tmp_path: Any) -> None:
    bo = fleet(stores, path_kind)
    with pytest.raises(NotFoundError) as raised:
        bo.boats.create({"name": "belem", "harbour": "no_such_harbour"})
    if stores.kind == "yml":  # type: ignore[attr-defined]
        folder = bo.harbours.db_handler.path
        assert f'_id "no_such_harbour" not found in path "{folder}"' in str(raised.value)
    elif stores.kind == "memory":  # type: ignore[attr-defined]
        assert '_id "no_such_harbour" not found in memory' in str(raised.value)
    assert documents(bo, "boats") == []


def test_a_retargeted_ref_links_into_the_new_collection(stores: Stores, path_kind: str) -> None:
    bo = fleet(stores, path_kind)
    bo.register_collection(
        Collection(
            "docks", Item({"name": String(), "moored": RefsList(coll="boats", field="$.harbour")}), stores("docks")
        )
    )
    dock = bo.docks.create({"name": "dry dock"})
    boat = bo.boats.new()
    boat.harbour._collection = "docks"
    boat.harbour._reverse = "$.moored"
    boat.create({"name": "belem", "harbour": ident(dock)})
    assert bo.docks.db_handler.get_by_id(ident(dock))["moored"] == [ident(boat)]


def test_refslist_attributes_drive_its_own_updates(stores: Stores, path_kind: str) -> None:
    bo = fleet(stores, path_kind)
    brest = bo.harbours.create({"name": "brest"})
    bo.boats.create({"name": "belem", "harbour": ident(brest)})

    harbour = bo.harbours.get_by_id(ident(brest))
    harbour.boats._fill_strategy = FillStrategy.NOT_FILL  # MUST_BE_EMPTY now uses the select
    with pytest.raises(BackoError, match=r'Collection \(not filled\) "boats" not empty'):
        harbour.delete()
    harbour = bo.harbours.get_by_id(ident(brest))
    with pytest.raises(BackoError, match='Collection "boats" not empty'):
        harbour.delete()

    lorient = bo.harbours.new()
    lorient.boats._collection = "ships"
    with pytest.raises(SSyntaxError, match='Ref "\\$.boats" to unnknown collection "ships"'):
        lorient.create({"name": "lorient", "boats": ["x"]})
    lorient = bo.harbours.new()
    lorient.boats._reverse = "$.berth"
    boat_id = documents(bo, "boats")[0]["_id"]
    with pytest.raises(PathNotFoundError, match='Path "\\$.berth" not found in collection "boats"'):
        lorient.create({"name": "lorient", "boats": [str(boat_id)]})
    assert [d["name"] for d in documents(bo, "harbours")] == ["brest"]


def test_delete_strategy_is_unchanged_by_the_aliases() -> None:
    refs = RefsList(coll="boats", ods=DeleteStrategy.UNLINK_REFERENCED_ITEMS)
    refs._fill_strategy = FillStrategy.NOT_FILL
    assert refs.on_fill is FillStrategy.NOT_FILL and refs.on_delete is DeleteStrategy.UNLINK_REFERENCED_ITEMS
