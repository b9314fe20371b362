"""The contract's filter language (backo/storage/db/query.py) against its reference, stricto's ``match``.

A grid of stored values x operators x filter shapes: for each filter and each stored person,
``query.matches(document, filter)`` (what the embedded stores answer, and what the MongoDB
translation is tested against) must equal ``item.match(filter)`` on the Item read back from the
same document (what backo answers on the Item path). The few places where the contract reads
a filter otherwise are pinned by their own tests below, so that a change on either side shows.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from stricto import Bool, Dict, Float, Int, List, String

from backo import Backoffice, Collection, DBMemoryConnector, Item
from backo.storage.db import listing, query
from backo.storage.db.regex import compile_filter

PEOPLE: list[dict[str, Any]] = [
    {
        "name": "dave",
        "age": 25,
        "height": 1.8,
        "active": True,
        "tags": ["t3", "x"],
        "scores": [1, 5],
        "address": {"city": "Paris", "zip": 75001},
    },
    {
        "name": "eve",
        "age": 0,
        "height": 2.0,
        "active": False,
        "tags": [],
        "scores": [],
        "address": {"city": None, "zip": 0},
        "nick": "",
    },
    {"name": "Zoe", "age": -3, "height": 25.0, "active": True, "tags": ["25"], "address": {"city": "", "zip": 25}},
    {},  # every field None
]

FIELDS = ["name", "age", "height", "active", "tags", "scores", "address", "nick", "_id", "unknown"]
OPERANDS: list[Any] = [
    25,
    25.0,
    1,
    0,
    -3,
    1.8,
    "dave",
    "eve",
    "25",
    "",
    None,
    True,
    False,
    ["t3", "x"],
    [],
    {"city": "Paris"},
]
COMPARISON_NAMES = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]
PATTERNS = ["^da", "e", "v.$", "^$", "[0-9]", "^(t|Z)"]


@pytest.fixture(scope="module")
def people() -> list[tuple[dict[str, Any], Item]]:
    """Each person as its store holds it, and as the Item read back from the store."""
    collection = Collection(
        "people",
        Item(
            {
                "name": String(),
                "age": Int(),
                "height": Float(),
                "active": Bool(),
                "tags": List(String()),
                "scores": List(Int()),
                "address": Dict({"city": String(), "zip": Int()}),
                "nick": String(),
            }
        ),
        DBMemoryConnector(),
    )
    Backoffice("query").register_collection(collection)
    pairs = []
    for person in PEOPLE:
        _id = collection.create(person)._id.get_value()
        document = collection.db_handler.get_by_id(_id)
        for key in ("tags", "scores"):  # a None List is not stored: see test_an_absent_key_never_matches
            document.setdefault(key, None)
        pairs.append((document, collection.get_by_id(_id)))
    return pairs


def conditions() -> Iterator[Any]:
    """Conditions on one value: plain values, every operator with many operands, combinations."""
    yield from OPERANDS
    for name in COMPARISON_NAMES:
        for operand in OPERANDS:
            yield (name, operand)
    for pattern in PATTERNS:
        yield ("$reg", pattern)
    yield ("$reg", 3)
    for operand in [*OPERANDS, ("$gt", 2), ("$lte", 1), ("$reg", "^t"), ("$ne", "x"), {"city": "Paris"}]:
        yield ("$contains", operand)
    for negated in [("$eq", 25), ("$gt", 0), ("$reg", "^d"), ("$contains", "x"), ("$and", [("$gt", 0)]), 25, "dave"]:
        yield ("$not", negated)
    for operands in [
        [("$gt", 1), ("$lt", 30)],
        [("$gte", 0), ("$ne", 25)],
        [("$reg", "^d"), ("$ne", "eve")],
        [("$eq", 25)],
        [],
        ("$gt", 1),
        [25],
        [{"city": "Paris"}, {"zip": 75001}],
        [{"city": "Paris"}, {"zip": 0}],
        [("$eq", 0), {"city": "Paris"}],
    ]:
        yield ("$and", operands)
    yield ("$in", [25])
    yield ("gt", 3)
    yield ("$gt",)
    yield ("$eq", 1, 2)
    yield (1, 2)


def whole_filters() -> Iterator[Any]:
    """Filters of several keys, nested dicts, and ``$and`` over whole documents."""
    yield {}
    yield {"name": "dave", "age": 25}
    yield {"name": "dave", "age": 26}
    yield {"name": ("$reg", "^d"), "address": {"city": "Paris"}}
    yield {"address": {"city": "Paris", "zip": 75001}}
    yield {"address": {"nope": 1}}
    yield {"address": {}}
    yield ("$and", [{"name": "dave"}, {"age": 25}])
    yield ("$and", [{"name": "dave"}, {"unknown": 1}])
    yield ("$and", [{"age": ("$gte", 0)}, {"address": {"zip": ("$lt", 100)}}])
    yield ("$and", [("$eq", 1)])
    yield ("$and", [])
    yield ("$not", ("$eq", None))
    yield "dave"
    yield 25


SHAPES = {
    "a field": lambda: ({field: condition} for field in FIELDS for condition in conditions()),
    "a nested field": lambda: ({"address": {key: c}} for key in ("city", "zip") for c in conditions()),
    "the whole document": lambda: (c if isinstance(c, tuple) else ("$eq", c) for c in conditions()),
    "several fields": whole_filters,
}


def uses_or(match_filter: Any) -> bool:
    """Whether ``$or`` appears anywhere in ``match_filter`` (see test_or_is_any_of_its_conditions)."""
    if isinstance(match_filter, tuple):
        return match_filter[:1] == ("$or",) or any(uses_or(part) for part in match_filter)
    if isinstance(match_filter, list):
        return any(uses_or(part) for part in match_filter)
    if isinstance(match_filter, dict):
        return any(uses_or(part) for part in match_filter.values())
    return False


@pytest.mark.parametrize("compiled", [False, True], ids=["str patterns", "compiled patterns"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_matches_answers_what_stricto_answers(
    people: list[tuple[dict[str, Any], Item]], shape: str, compiled: bool
) -> None:
    disagreements = []
    checked = 0
    for match_filter in SHAPES[shape]():
        assert not uses_or(match_filter)
        given = compile_filter(match_filter) if compiled else match_filter
        for document, item in people:
            try:
                expected = item.match(given) is not False  # how backo reads stricto's answer
            except TypeError:  # stricto refuses a tuple like (1, 2): to the contract, no match
                expected = False
            checked += 1
            if query.matches(document, given) is not expected:
                disagreements.append((document["name"], match_filter, expected))
    assert checked > 300 or shape == "several fields"
    assert disagreements == []


@pytest.mark.parametrize("name", COMPARISON_NAMES)
def test_the_comparisons_are_one_implementation(name: str) -> None:
    """``compare``, ``comparison_test`` and ``matches`` agree; failures are "no match" except in ``compare``."""
    values = [*OPERANDS, 3.5, "a"]
    for value in values:
        for operand in values:
            try:
                answer: bool | None = query.compare(name, value, operand)
            except TypeError:
                answer = None
            assert query.comparison_test(name, operand)(value) is bool(answer)
            assert query.matches({"f": value}, {"f": (name, operand)}) is bool(answer)


# -- where the contract reads a filter otherwise than stricto ----------------------------


def test_none_is_no_filter(people: list[tuple[dict[str, Any], Item]]) -> None:
    """``select(None)`` lists everything; stricto's ``match(None)`` asks whether the value is None."""
    for document, item in people:
        assert query.matches(document, None) is True
        assert item.match(None) is False


@pytest.mark.parametrize(
    ("match_filter", "expected"),
    [
        ({"name": ("$or", [("$eq", "dave"), ("$eq", "eve")])}, {"dave", "eve"}),
        ({"age": ("$or", [("$gt", 1), ("$lt", 0)])}, {"dave", "Zoe"}),
        ({"age": ("$or", [])}, set()),
        ({"address": ("$or", [{"city": "Paris"}, {"zip": 0}])}, {"dave", "eve"}),
        ({"address": {"city": ("$or", [("$reg", "^P")])}}, {"dave"}),
        (("$or", [{"name": "eve"}, {"age": 25}]), {"dave", "eve"}),
    ],
    ids=repr,
)
def test_or_is_any_of_its_conditions(
    people: list[tuple[dict[str, Any], Item]], match_filter: Any, expected: set[str]
) -> None:
    """The contract's ``$or`` holds when one of its conditions holds. stricto 0.2's never says
    False (its loop ends on ``return True``): the Item path inherits that, the stores do not."""
    everyone = {document["name"] for document, _ in people}
    assert {document["name"] for document, _ in people if query.matches(document, match_filter)} == expected
    by_stricto = {document["name"] for document, item in people if item.match(match_filter) is not False}
    assert by_stricto in (expected, everyone)


def test_or_accepts_dict_conditions_on_any_value() -> None:
    """The contract's ``$and``/``$or`` list operator tuples or dict filters, mixed; stricto
    takes tuples on a field and dicts on a Dict, and answers "no match" otherwise."""
    document = {"address": {"city": "Paris", "zip": 75001}}
    assert query.matches(document, {"address": ("$or", [("$eq", 0), {"city": "Paris"}])})
    assert not query.matches(document, {"address": ("$and", [("$eq", 0), {"city": "Paris"}])})


@pytest.mark.parametrize("compiled", [False, True])
def test_re_is_a_store_alias_of_reg(people: list[tuple[dict[str, Any], Item]], compiled: bool) -> None:
    """``$re`` means ``$reg`` to the stores (the list route's ``name.$re=``); stricto knows no ``$re``."""
    for pattern in PATTERNS:
        for document, item in people:
            given = compile_filter({"name": ("$re", pattern)}) if compiled else {"name": ("$re", pattern)}
            assert item.match(given) is False
            reg = compile_filter({"name": ("$reg", pattern)}) if compiled else {"name": ("$reg", pattern)}
            assert query.matches(document, given) is (item.match(reg) is not False)


def test_an_absent_key_never_matches() -> None:
    """A key the document lacks matches nothing, not even None; stricto sees a None field."""
    assert not query.matches({}, {"tags": None})
    assert not query.matches({}, {"tags": ("$ne", 1)})
    assert query.matches({"tags": None}, {"tags": None})


# -- the contract's other rules, and the old import path ---------------------------------


def test_clone_and_paginate_are_the_contract_s() -> None:
    document = {"a": [{"b": 1}], "c": (1, [2])}
    copied = query.clone(document)
    assert copied == document and copied["a"][0] is not document["a"][0]
    rows = [{"_id": str(n)} for n in range(5)]
    assert query.paginate(rows, 2, 1) == rows[1:3]
    assert query.paginate(rows, 0, 3) == rows[3:]
    assert query.paginate(rows, -1, 0) == []


def test_listing_re_exports_the_language() -> None:
    """Code that imported the language from ``listing.py`` before gets the very same objects."""
    for name in ["COMPARISONS", "REGEX_OPERATORS", "MatchFilter", "clone", "is_operator", "matches", "paginate"]:
        assert getattr(listing, name) is getattr(query, name)
