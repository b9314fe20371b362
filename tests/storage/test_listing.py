"""The pure query functions of the embedded stores (backo/storage/db/listing.py) and the filter
language they apply (``matches``, ``paginate``, ``clone``: the contract's, backo/storage/db/query.py;
checked against stricto in test_query.py)."""

import copy
from datetime import datetime

import pytest

from backo.storage.db.listing import apply_query, project, sort_documents
from backo.storage.db.query import clone, matches, paginate

DAVE = {
    "_id": "1",
    "name": "dave",
    "age": 25,
    "height": 1.8,
    "active": True,
    "nothing": None,
    "tags": ["t3", "x"],
    "address": {"city": "Paris", "zip": 75001, "geo": {"lat": 48.8}},
    "pets": [{"kind": "cat", "age": 3}, {"kind": "dog", "age": 7}],
}


# -- matches: plain values --------------------------------------------------------------


@pytest.mark.parametrize("match_filter", [None, {}])
def test_empty_filter_matches_everything(match_filter):
    assert matches(DAVE, match_filter)
    assert matches({}, match_filter)


@pytest.mark.parametrize(
    ("match_filter", "expected"),
    [
        ({"name": "dave"}, True),
        ({"name": "eve"}, False),
        ({"name": "dave", "age": 25}, True),
        ({"name": "dave", "age": 26}, False),
        ({"age": 25.0}, True),  # 3 == 3.0
        ({"height": 1.8}, True),
        ({"active": True}, True),
        ({"active": "True"}, False),  # "True" never equals True
        ({"nothing": None}, True),
        ({"name": None}, False),
        ({"unknown": None}, False),  # every key must exist
        ({"unknown": 1}, False),
        ({"tags": ["t3", "x"]}, True),  # whole-list equality
        ({"tags": ["t3"]}, False),
        ({"tags": ["x", "t3"]}, False),
        ({"tags": "t3"}, False),
        ({"tags": ("t3", "x")}, False),  # a tuple that is not an operator is a plain value
    ],
)
def test_scalar_and_list_equality(match_filter, expected):
    assert matches(DAVE, match_filter) is expected


@pytest.mark.parametrize(
    ("match_filter", "expected"),
    [
        ({"address": {"city": "Paris"}}, True),
        ({"address": {"city": "Lyon"}}, False),
        ({"address": {"geo": {"lat": 48.8}}}, True),
        ({"address": {"geo": {"lat": ("$gt", 40)}}}, True),
        ({"address": {"geo": {"lon": 2}}}, False),
        ({"address": {}}, True),
        ({"name": {"first": "dave"}}, False),  # a dict filter on a scalar
        ({"address": {"city": "Paris", "zip": 75002}}, False),
    ],
)
def test_nested_dicts(match_filter, expected):
    assert matches(DAVE, match_filter) is expected


# -- matches: operators -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("$eq", 25), True),
        (("$eq", 24), False),
        (("$ne", 24), True),
        (("$ne", 25), False),
        (("$gt", 24), True),
        (("$gt", 25), False),
        (("$gte", 25), True),
        (("$gte", 26), False),
        (("$lt", 26), True),
        (("$lt", 25), False),
        (("$lte", 25), True),
        (("$lte", 24.9), False),
    ],
)
def test_comparison_operators(condition, expected):
    assert matches(DAVE, {"age": condition}) is expected


@pytest.mark.parametrize("operator", ["$reg", "$re"])
@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("da", True), ("^d.v", True), ("ave", False), (".*ave$", True), ("D", False)],
)
def test_regex_is_anchored_at_the_start(operator, pattern, expected):
    assert matches(DAVE, {"name": (operator, pattern)}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("$contains", "x"), True),
        (("$contains", "y"), False),
        (("$contains", ("$reg", "^t")), True),  # the operand may be an operator tuple
        (("$contains", ("$reg", "^z")), False),
    ],
)
def test_contains_on_a_list_of_scalars(condition, expected):
    assert matches(DAVE, {"tags": condition}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("$contains", {"kind": "dog"}), True),
        (("$contains", {"kind": "dog", "age": ("$gt", 5)}), True),
        (("$contains", {"kind": "cat", "age": ("$gt", 5)}), False),
        (("$contains", {"kind": "fish"}), False),
    ],
)
def test_contains_on_a_list_of_dicts(condition, expected):
    assert matches(DAVE, {"pets": condition}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("$and", [("$gt", 20), ("$lt", 30)]), True),
        (("$and", [("$gt", 20), ("$lt", 25)]), False),
        (("$and", []), True),
        (("$or", [("$lt", 20), ("$gt", 24)]), True),
        (("$or", [("$lt", 20), ("$gt", 30)]), False),
        (("$or", []), False),
        (("$not", ("$eq", 25)), False),
        (("$not", ("$eq", 26)), True),
        (("$not", ("$not", ("$eq", 25))), True),
        (("$and", [("$gt", 20), ("$not", ("$eq", 25))]), False),
    ],
)
def test_and_or_not_on_scalars(condition, expected):
    assert matches(DAVE, {"age": condition}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("$and", [{"city": "Paris"}, {"zip": 75001}]), True),
        (("$and", [{"city": "Paris"}, {"zip": 1}]), False),
        (("$and", [{"city": "Paris"}, {"missing": 1}]), False),
        (("$or", [{"city": "Lyon"}, {"zip": 75001}]), True),
        (("$or", [{"city": "Lyon"}, {"zip": 1}]), False),
    ],
)
def test_and_or_on_dicts(condition, expected):
    assert matches(DAVE, {"address": condition}) is expected


def test_a_top_level_operator_applies_to_the_whole_document():
    assert matches(DAVE, ("$or", [{"name": "eve"}, {"age": 25}]))
    assert not matches(DAVE, ("$and", [{"name": "eve"}, {"age": 25}]))
    assert matches(DAVE, ("$not", ("$eq", None)))
    assert not matches(DAVE, ("$not", ("$eq", DAVE)))


@pytest.mark.parametrize(
    "match_filter",
    [
        {"age": ("$unknown", 1)},
        {"age": ("$gt", "a")},  # str vs int
        {"name": ("$lt", 3)},
        {"nothing": ("$gt", 1)},  # None vs int
        {"age": ("$reg", "2")},  # $reg on an int
        {"name": ("$reg", 3)},  # non-str pattern
        {"name": ("$reg", "(")},  # invalid pattern
        {"name": ("$contains", "d")},  # $contains on a str
        {"nothing": ("$contains", 1)},
        {"age": ("$and", ("$gt", 1))},  # not a list
        {"age": ("$and", [("$gt", 1), 25])},  # neither a tuple nor a dict
        {"age": ("$or", [25])},
        {"age": ("$not", 25)},  # not a tuple
        {"age": ("$not", {"x": 1})},
        ("$gt", 1),  # a dict compared with an int
        "dave",
    ],
)
def test_a_filter_that_cannot_apply_does_not_match_and_never_raises(match_filter):
    assert matches(DAVE, match_filter) is False


def test_not_of_an_error_matches_as_in_stricto():
    # stricto: an error inside $not counts as False, so $not gives True.
    assert matches(DAVE, {"age": ("$not", ("$gt", "a"))})


def test_true_equals_1_as_in_python():
    assert matches({"flag": True}, {"flag": 1})


# -- project ----------------------------------------------------------------------------


def test_empty_projection_returns_the_document_itself():
    assert project(DAVE, {}) is DAVE
    assert project(DAVE, None) is DAVE


def test_inclusion_keeps_the_listed_fields_and_the_id():
    assert project(DAVE, {"name": 1, "age": True}) == {"_id": "1", "name": "dave", "age": 25}


def test_inclusion_can_drop_the_id():
    assert project(DAVE, {"name": 1, "_id": 0}) == {"name": "dave"}


def test_inclusion_ignores_missing_fields():
    assert project(DAVE, {"name": 1, "missing": 1}) == {"_id": "1", "name": "dave"}


def test_inclusion_of_dotted_paths():
    projected = project(DAVE, {"address.city": 1, "address.geo.lat": 1, "name.first": 1})
    assert projected == {"_id": "1", "address": {"city": "Paris", "geo": {"lat": 48.8}}}
    assert DAVE["address"] == {"city": "Paris", "zip": 75001, "geo": {"lat": 48.8}}


def test_inclusion_of_a_dict_and_one_of_its_fields():
    assert project(DAVE, {"address": 1, "address.city": 1})["address"] == DAVE["address"]
    assert project(DAVE, {"address.city": 1, "address": 1})["address"] == DAVE["address"]


def test_exclusion_drops_the_listed_fields():
    projected = project(DAVE, {"pets": 0, "tags": 0, "address.geo": 0, "_id": 0})
    assert "_id" not in projected and "pets" not in projected and "tags" not in projected
    assert projected["address"] == {"city": "Paris", "zip": 75001}
    assert DAVE["address"]["geo"] == {"lat": 48.8}  # the input is not mutated


def test_projecting_only_the_id():
    assert project(DAVE, {"_id": 1}) == {"_id": "1"}
    assert project(DAVE, {"_id": 0}) == {k: v for k, v in DAVE.items() if k != "_id"}


# -- sort_documents ---------------------------------------------------------------------


def _ids(documents):
    return [document["_id"] for document in documents]


def test_sort_ascending_and_descending():
    documents = [{"_id": "a", "n": 2}, {"_id": "b", "n": 1}, {"_id": "c", "n": 3}]
    assert _ids(sort_documents(documents, {"n": 1})) == ["b", "a", "c"]
    assert _ids(sort_documents(documents, {"n": -1})) == ["c", "a", "b"]
    assert _ids(documents) == ["a", "b", "c"]  # input untouched


def test_sort_by_several_keys_in_order():
    documents = [
        {"_id": "a", "g": 1, "n": 1},
        {"_id": "b", "g": 2, "n": 2},
        {"_id": "c", "g": 1, "n": 3},
        {"_id": "d", "g": 2, "n": 1},
    ]
    assert _ids(sort_documents(documents, {"g": 1, "n": -1})) == ["c", "a", "b", "d"]
    assert _ids(sort_documents(documents, {"g": -1, "n": 1})) == ["d", "b", "a", "c"]


@pytest.mark.parametrize("sort_object", [{}, None])
def test_no_sort_keeps_the_input_order(sort_object):
    documents = [{"_id": "b"}, {"_id": "a"}, {"_id": "c"}]
    assert _ids(sort_documents(documents, sort_object)) == ["b", "a", "c"]


def test_sort_is_stable():
    documents = [{"_id": str(i), "n": i % 2} for i in range(6)]
    assert _ids(sort_documents(documents, {"n": 1})) == ["0", "2", "4", "1", "3", "5"]
    assert _ids(sort_documents(documents, {"n": -1})) == ["1", "3", "5", "0", "2", "4"]


def test_sort_mixed_types_none_and_missing_first_without_raising():
    documents = [
        {"_id": "str", "v": "b"},
        {"_id": "int", "v": 2},
        {"_id": "missing"},
        {"_id": "float", "v": 1.5},
        {"_id": "none", "v": None},
        {"_id": "bool", "v": False},
        {"_id": "list", "v": [1, "a"]},
        {"_id": "dict", "v": {"a": 1}},
        {"_id": "date", "v": datetime(2020, 1, 1)},
        {"_id": "other", "v": {1, 2}},
        {"_id": "str2", "v": "a"},
    ]
    ordered = _ids(sort_documents(documents, {"v": 1}))
    assert ordered == [
        "missing", "none", "float", "int", "str2", "str", "dict", "list", "bool", "date", "other",
    ]  # fmt: skip
    assert _ids(sort_documents(documents, {"v": -1})) == [*reversed(ordered[2:]), "missing", "none"]


def test_sort_by_a_dotted_path():
    documents = [{"_id": "a", "m": {"t": 2}}, {"_id": "b", "m": {"t": 1}}, {"_id": "c", "m": 3}]
    assert _ids(sort_documents(documents, {"m.t": 1})) == ["c", "b", "a"]


# -- paginate ---------------------------------------------------------------------------

TEN = [{"_id": str(i)} for i in range(10)]


@pytest.mark.parametrize(
    ("page_size", "skip", "expected"),
    [
        (0, 0, list(range(10))),
        (0, 7, [7, 8, 9]),
        (3, 0, [0, 1, 2]),
        (3, 8, [8, 9]),
        (3, 10, []),
        (3, 99, []),
        (20, 0, list(range(10))),
        (-1, 0, []),
        (-5, 3, []),
        (2, -3, [0, 1]),
        (0, -1, list(range(10))),
    ],
)
def test_paginate(page_size, skip, expected):
    assert _ids(paginate(TEN, page_size, skip)) == [str(i) for i in expected]


# -- apply_query ------------------------------------------------------------------------


def test_apply_query_filters_then_sorts_then_pages_then_projects():
    documents = [{"_id": str(i), "n": i % 5, "odd": i % 2 == 1} for i in range(20)]
    page = apply_query(documents, {"odd": True}, {"n": 1}, 3, 2, {"n": -1, "_id": 1})
    # odd ids sorted by n desc then _id: n=4: 19, 9 | n=3: 13, 3 | n=2: 17, 7 ...
    assert page == [{"_id": "13", "n": 3}, {"_id": "3", "n": 3}, {"_id": "17", "n": 2}]


def test_apply_query_with_nothing_returns_every_document_in_order():
    assert apply_query(TEN, None, {}, 0, 0, {}) == TEN


# -- clone ------------------------------------------------------------------------------


def test_clone_is_deep_and_independent():
    original = copy.deepcopy(DAVE)
    original["t"] = (1, [2])
    copied = clone(original)
    assert copied == original
    copied["tags"].append("new")
    copied["address"]["geo"]["lat"] = 0
    copied["pets"][0]["kind"] = "cow"
    copied["t"][1].append(3)
    assert original["tags"] == ["t3", "x"]
    assert original["address"]["geo"]["lat"] == 48.8
    assert original["pets"][0]["kind"] == "cat"
    assert original["t"] == (1, [2])


def test_clone_keeps_types_and_leaves_other_values_as_they_are():
    when = datetime(2020, 1, 1)
    copied = clone({"t": (1, 2), "when": when, "n": None})
    assert isinstance(copied["t"], tuple)
    assert copied["when"] is when


def test_clone_turns_dict_and_list_subclasses_into_copies():
    class Tagged(dict):
        pass

    original = Tagged(a=[1])
    copied = clone(original)
    copied["a"].append(2)
    assert original == {"a": [1]}
