"""The selection prefilter never changes a result: it only skips certain non-matches."""

import random

import pytest

from backo import Bool, Collection, DBMemoryConnector, Float, Int, Item, String
from backo.core.prefilter import conditions_for, prefilter

MODEL = {
    "n": Int(),
    "x": Float(),
    "s": String(),
    "b": Bool(),
    "lower": String(transform=lambda value, root: value.lower() if isinstance(value, str) else value),
    "d": Int(default=3),
}
#: valid stored values per field
VALUES = {
    "n": [0, 1, 2, 3],
    "x": [0.5, 1.0, 2.5],
    "s": ["a", "b", "1"],
    "b": [True, False],
    "lower": ["a", "A"],
    "d": [3, 4],
}
#: extra filter operands of other types, to exercise mismatches
ODD_OPERANDS = ["1", None, 2.0, 1, True]
OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$reg", "$zz"]


def random_filter(rng: random.Random) -> dict:
    chosen = rng.sample(sorted(VALUES), rng.randint(1, 3))
    result: dict = {}
    for key in chosen:
        value = rng.choice(VALUES[key] + ODD_OPERANDS)
        result[key] = (rng.choice(OPERATORS), value) if rng.random() < 0.6 else value
    return result


@pytest.fixture(scope="module")
def collection() -> Collection:
    coll = Collection("things", Item(dict(MODEL)), DBMemoryConnector())
    rng = random.Random(7)
    for _ in range(60):
        data = {key: rng.choice(values) for key, values in VALUES.items() if rng.random() < 0.9}
        coll.create(data)
    return coll


def test_prefilter_plus_match_equals_match_alone(collection: Collection) -> None:
    rng = random.Random(11)
    items = collection.select({})
    for _ in range(300):
        match_filter = random_filter(rng)
        expected = sorted(item._id.get_value() for item in items if item.match(match_filter))
        got = sorted(item._id.get_value() for item in collection.select(match_filter))
        assert got == expected, match_filter


def test_only_plain_fields_get_conditions(collection: Collection) -> None:
    model = collection.model
    assert [key for key, _, _ in conditions_for(model, {"n": 1, "lower": "a", "s": ("$reg", "a"), "zz": 1})] == ["n"]
    assert conditions_for(model, ("$or", [])) == []
    documents = [{"n": 1}, {"n": 2}, {}]
    assert prefilter(documents, model, {"n": ("$gt", 1)}) == [{"n": 2}, {}]


@pytest.mark.parametrize("stored", [{"f": None}, {}], ids=["None", "missing"])
@pytest.mark.parametrize("kind", ["memory", "yml"])
def test_a_stored_none_takes_the_default_as_on_the_item(stored: dict, kind: str, tmp_path) -> None:
    """Found by the pushdown differential test: a document holding None (or nothing) for a
    field with a default loads as the default, so it matches a filter on the default, on
    every path (the pre-pass used to drop the None)."""
    from backo import Backoffice, DBYmlConnector

    connector = DBMemoryConnector() if kind == "memory" else DBYmlConnector(path=str(tmp_path / "things"))
    backoffice = Backoffice("app")
    things = Collection("things", Item({"f": Bool(default=False), "n": Int()}), connector)
    backoffice.register_collection(things)
    connector.create({"_id": "1", **stored})
    assert things.item_from_document({"_id": "1", **stored}, validate=False).match({"f": False})
    assert [item._id.get_value() for item in things.select({"f": False})] == ["1"]
    assert things.selections["_all"].select({"f": False}, for_client=True)["total"] == 1
    assert prefilter([{"_id": "1", **stored}], things.model, {"f": False}) == [{"_id": "1", **stored}]
