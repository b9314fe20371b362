"""COMPAT-FIXES §6: check migrations raise the first invalid object's error (as 0.2.1) and see a
model changed at run time (``add_to_model`` / ``remove_model``); ``on_error="report"`` is the opt-in.

Also the id arguments 0.2.1 scripts pass: ``_id=item._id`` (a stricto String), ``_ids=None``.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backo import (
    Backoffice,
    Collection,
    DBConnector,
    DBMemoryConnector,
    DBYmlConnector,
    Dict,
    Int,
    Item,
    SAttributeError,
    SConstraintError,
    SSyntaxError,
    String,
)
from backo.error import NotFoundError
from tests.support.backends import mongo_connector

MISSING_DOORS = '$.doors: Cannot be empty "None"'
UNKNOWN_DOORS = '$: Dict object has no attribute "doors"'


@pytest.fixture(params=["memory", "yml", "mongo"])
def garage_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DBConnector]:
    """Where the cars are kept: in memory, in YAML files, on (mock) MongoDB."""
    if request.param == "memory":
        yield DBMemoryConnector()
    elif request.param == "yml":
        yield DBYmlConnector(path=str(tmp_path / "cars"))
    else:
        with mongo_connector(collection="cars") as connector:
            yield connector


def garage(store: DBConnector, plates: tuple[str, ...] = ("AA-1", "BB-2", "CC-3")) -> tuple[Backoffice, list[str]]:
    """A back office "garage" whose "cars" hold one car per plate; the cars' ids."""
    cars = Collection("cars", Item({"plate": String(), "owner": Dict({"name": String()})}), store)
    bo = Backoffice("garage")
    bo.register_collection(cars)
    ids = [cars.create({"plate": plate, "owner": {"name": "ann"}})._id.get_value() for plate in plates]
    return bo, ids


def add_doors(o: dict) -> dict:
    o["doors"] = 5
    return o


def drop_doors(o: dict) -> dict:
    del o["doors"]
    return o


def test_a_required_field_added_at_run_time_raises_then_migrates(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    bo.cars.select()  # the collection served a request before its model changes
    bo.cars.model.add_to_model("doors", Int(required=True))

    with pytest.raises(SConstraintError) as one:
        bo.migrate("cars", _id=ids[0])
    assert one.value.to_string() == MISSING_DOORS
    with pytest.raises(SConstraintError) as every:
        bo.migrate("cars")
    assert every.value.to_string() == MISSING_DOORS

    done = bo.migrate("cars", add_doors, dry_run=False)
    assert done.changes.total.get_value() == 3 and sorted(done.changes._ids.get_value()) == sorted(ids)
    assert all(garage_store.get_by_id(_id)["doors"] == 5 for _id in ids)
    checked = bo.migrate("cars", _id=ids[0])
    assert (checked.no_changes.total.get_value(), checked.changes.total.get_value()) == (1, 0)


def test_a_removed_field_still_stored_raises_then_migrates(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    bo.cars.model.add_to_model("doors", Int(required=True))
    bo.migrate("cars", add_doors, dry_run=False)
    assert bo.migrate("cars").no_changes.total.get_value() == 3  # compiled with "doors"

    bo.cars.model.remove_model("doors")
    with pytest.raises(SAttributeError) as raised:
        bo.migrate("cars", _id=ids[0])
    assert raised.value.to_string() == UNKNOWN_DOORS

    done = bo.migrate("cars", drop_doors, dry_run=False)
    assert done.changes.total.get_value() == 3
    assert all("doors" not in garage_store.get_by_id(_id) for _id in ids)
    assert bo.migrate("cars").no_changes.total.get_value() == 3


def test_a_field_added_to_a_sub_dict_is_seen(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    bo.migrate("cars")
    bo.cars.model.owner.add_to_model("phone", String(required=True))
    with pytest.raises(SConstraintError) as raised:
        bo.migrate("cars", _id=ids[1])
    assert raised.value.to_string() == '$.owner.phone: Cannot be empty "None"'


def test_the_report_mode_is_an_opt_in(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    bo.cars.model.add_to_model("doors", Int(required=True))
    report = bo.migrate("cars", on_error="report")
    assert sorted(failure["_id"] for failure in report.failures.get_value()) == sorted(ids)
    assert {failure["error"] for failure in report.failures.get_value()} == {f'ConstraintsError("{MISSING_DOORS}")'}
    assert report.no_changes.total.get_value() == 0 and report.changes.total.get_value() == 0
    assert len(bo.cars.migrate(None, on_error="report").failures.get_value()) == 3
    with pytest.raises(ValueError, match='on_error must be "raise" or "report"'):
        bo.migrate("cars", on_error="ignore")


def test_a_real_run_stops_at_the_first_invalid_object(tmp_path: Path) -> None:
    store = DBYmlConnector(path=str(tmp_path / "cars"))
    bo, ids = garage(store)
    bo.cars.model.add_to_model("doors", Int(required=True))
    order = [document["_id"] for document in store.select(None, {}, 0, 0, {})]

    def some_doors(o: dict) -> dict:
        if o["_id"] != order[1]:
            o["doors"] = 3
        return o

    with pytest.raises(SConstraintError):
        bo.migrate("cars", some_doors, dry_run=False)
    assert store.get_by_id(order[0])["doors"] == 3  # before it: written
    assert "doors" not in store.get_by_id(order[2])  # after it: not reached, as in 0.2.1
    report = bo.migrate("cars", some_doors, dry_run=False, on_error="report")
    assert report.failures.get_value()[0]["_id"] == order[1]
    assert store.get_by_id(order[2])["doors"] == 3


def test_an_unknown_id_raises_by_default(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    missing = "0123456789abcdef01234567"  # an ObjectId-shaped id no store holds
    with pytest.raises(NotFoundError):
        bo.migrate("cars", _ids=[ids[0], missing])
    report = bo.migrate("cars", _ids=[ids[0], missing], on_error="report")
    assert report.no_changes._ids.get_value() == [ids[0]]
    assert [failure["_id"] for failure in report.failures.get_value()] == [missing]


# -- ids as 0.2.1 scripts pass them ---------------------------------------------------------


def test_an_items_id_is_accepted_where_an_id_is_expected(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    car = bo.cars.get_by_id(ids[1])
    assert bo.migrate("cars", _id=car._id).no_changes._ids.get_value() == [ids[1]]
    assert bo.migrate("cars", _ids=[car._id, ids[2]]).no_changes._ids.get_value() == [ids[1], ids[2]]
    assert bo.cars.migrate(None, [car._id]).no_changes._ids.get_value() == [ids[1]]
    again = bo.cars.get_by_id(car._id)
    assert again.plate.get_value() == "BB-2"
    report = bo.migrate("cars", add_doors_later(bo), _id=car._id)
    assert report.changes._ids.get_value() == [ids[1]]


def add_doors_later(bo: Backoffice) -> Any:
    """Add the field, then a function that fills it (a dry run)."""
    bo.cars.model.add_to_model("doors", Int())
    return add_doors


def test_ids_none_is_every_object(garage_store: DBConnector) -> None:
    bo, ids = garage(garage_store)
    assert sorted(bo.migrate("cars", _ids=None).no_changes._ids.get_value()) == sorted(ids)
    assert sorted(bo.migrate("cars", None, _id=None, _ids=None).no_changes._ids.get_value()) == sorted(ids)
    assert sorted(bo.cars.migrate(None, None).no_changes._ids.get_value()) == sorted(ids)


def test_what_is_not_an_id_is_still_refused() -> None:
    bo, _ = garage(DBMemoryConnector(), ("AA-1",))
    with pytest.raises(TypeError, match="key \"_id\" must be <class 'str'>"):
        bo.migrate("cars", _id=3)
    with pytest.raises(SSyntaxError, match='parameter "_ids"'):
        bo.cars.migrate(None, ["a", 1])
    with pytest.raises(SSyntaxError, match='parameter "_ids"'):
        bo.cars.migrate(None, [String()])  # a String holding no id
