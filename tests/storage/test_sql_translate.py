"""The SQL translator (backo/storage/db/sql/translate.py) against its reference, ``query.matches``.

Differential, on both engines: the documents are stored in a SQLite or PostgreSQL table and the
same documents are kept in Python; wherever the translator gives a clause, the database's answer
(which documents, in which order, how many) must be ``listing.query_page``'s over the same
documents. Where it gives none the connector answers in Python, which is checked too. Two
sources of cases: the grid of tests/storage/test_query.py (its people, every condition shape),
and Hypothesis (random documents of a random plain model, random filters and sorts).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backo.storage.db import listing
from backo.storage.db.regex import compile_filter
from backo.storage.db.sql.dialect import PostgresDialect, SQLiteDialect, literal_prefix
from backo.storage.db.sql.sqlite import DBSQLiteConnector
from backo.storage.db.sql.table import JSONTableConnector
from backo.storage.db.sql.translate import translate
from tests.storage.test_query import PEOPLE, SHAPES
from tests.support.postgres import PostgresFactory

#: Values where Python and SQL engines could part: bools against ints, 1 against 1.0, strings of
#: digits and of JSON, big numbers, nested lists and dicts, JSON null.
TRICKY: list[dict[str, Any]] = [
    {"name": "[1]", "age": True, "height": 1, "tags": [True, 1.0, "1"], "scores": [[1], {"a": 1}], "address": [1]},
    {"name": "{", "age": 2**60, "height": -0.0, "tags": [None], "scores": [2**70], "address": {"city": "[]"}},
    {"name": "été", "age": -(2**63), "height": 1e300, "active": 1, "tags": "t3", "address": {"city": {"x": 1}}},
    {"name": "25", "age": 25.0, "height": 1e16, "active": 0, "tags": [["t3"]], "nick": None},
    {"name": None, "age": "25", "scores": [1.5, False], "address": None, "_id": "zz"},
]
DOCUMENTS = [*PEOPLE, *TRICKY]
SORTS: list[dict[str, int] | None] = [None, {"_id": 1}, {"name": 1}, {"age": -1, "name": 1}, {"tags": 1}]


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> JSONTableConnector:
    """An empty connector of the engine under test (the name field has an expression index)."""
    if request.param == "sqlite":
        return DBSQLiteConnector(path=str(tmp_path / "t.db"), table="t", indexes=["name"])
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    return factory(indexes=["name"])


def _store(db: JSONTableConnector, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store ``documents`` (with ids 0, 1...) and return them as stored."""
    db.drop()
    stored = []
    for index, document in enumerate(documents):
        document = {**document, "_id": document.get("_id", str(index))}
        db.create(document)
        stored.append(document)
    return stored


def _expected(stored: list[dict[str, Any]], match_filter: Any, page: int, skip: int, sort: Any) -> tuple[list, int]:
    return listing.query_page(stored, match_filter, page, skip, sort)


def _grid() -> Iterator[Any]:
    for shape in SHAPES.values():
        yield from shape()


@pytest.mark.timeout(240)
def test_the_grid_answers_as_query_matches(db: JSONTableConnector) -> None:
    stored = _store(db, DOCUMENTS)
    translated = 0
    for number, match_filter in enumerate(_grid()):
        sort = SORTS[number % len(SORTS)]
        expected = _expected(stored, match_filter, 3, 1, sort)
        assert db.select_page(match_filter, 3, 1, sort) == expected, (match_filter, sort)
        if db.answers_exactly(match_filter):
            translated += 1
            assert sorted(d["_id"] for d in db.select(match_filter)) == sorted(
                d["_id"] for d in listing.query_page(stored, match_filter, 0, 0, None)[0]
            ), match_filter
    assert translated > 1000  # most of the grid runs in SQL


# -- Hypothesis -------------------------------------------------------------------------

_TEXT = st.sampled_from(["", "a", "b", "1", "[1]", "é"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 2),
    st.sampled_from([0.5, 1.0, -0.0, 2**53 + 1, 2**63, 1e16]),
    _TEXT,
)
_VALUES = st.one_of(
    _SCALARS,
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["x", "y"]), _SCALARS, max_size=2),
    st.lists(st.lists(_SCALARS, max_size=2) | st.dictionaries(st.sampled_from(["x"]), _SCALARS), max_size=2),
)
_KEYS = st.sampled_from(["a", "b", "c"])
_DOCUMENTS = st.lists(
    st.fixed_dictionaries({}, optional={"a": _VALUES, "b": _VALUES, "c": _VALUES}), min_size=4, max_size=10
)
_OPERANDS = st.one_of(_SCALARS, _SCALARS, _SCALARS, st.just([1]), st.just({"x": 1}))
_PATTERNS = st.sampled_from(["^a", "a", "1", "^$", "[0-9]", "^(a|b)", "^\\[", "b.*", "^é", "^a$"])


def _conditions() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        _OPERANDS,
        st.tuples(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), _OPERANDS),
        st.tuples(st.sampled_from(["$reg", "$re"]), _PATTERNS),
        st.tuples(st.just("$unknown"), _OPERANDS),
    )

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        operators = st.tuples(st.sampled_from(["$eq", "$gt", "$reg", "$contains"]), inner).filter(
            lambda op: op[0] == "$contains" or not isinstance(op[1], dict | tuple)
        )
        return st.one_of(
            st.tuples(st.just("$contains"), inner),
            st.tuples(st.just("$not"), operators),
            st.tuples(
                st.sampled_from(["$and", "$or"]),
                st.lists(operators | st.dictionaries(_KEYS, inner, max_size=2), max_size=3),
            ),
            st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2),
        )

    return st.one_of(leaves, leaves, st.recursive(leaves, extend, max_leaves=3))


_FILTERS = st.one_of(
    st.dictionaries(_KEYS, _conditions(), min_size=1, max_size=2),
    st.dictionaries(_KEYS, _conditions(), min_size=1, max_size=1),
    st.tuples(
        st.sampled_from(["$and", "$or"]), st.lists(st.dictionaries(_KEYS, _conditions(), max_size=2), max_size=3)
    ),
    st.tuples(st.just("$not"), st.tuples(st.just("$eq"), _OPERANDS)),
)
_SORT_OBJECTS = st.one_of(
    st.none(), st.dictionaries(st.sampled_from(["a", "b", "_id", "c.x"]), st.sampled_from([1, -1]), max_size=2)
)


@pytest.mark.timeout(300)
@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(documents=_DOCUMENTS, match_filter=_FILTERS, sort=_SORT_OBJECTS, page=st.integers(0, 3), skip=st.integers(0, 3))
def test_random_filters_answer_as_query_matches(
    db: JSONTableConnector,
    documents: list[dict[str, Any]],
    match_filter: Any,
    sort: dict[str, int] | None,
    page: int,
    skip: int,
) -> None:
    stored = _store(db, documents)
    assert db.select_page(match_filter, page, skip, sort) == _expected(stored, match_filter, page, skip, sort), (
        match_filter,
        sort,
    )


def _held_values(documents: list[dict[str, Any]]) -> list[Any]:
    """Every scalar the documents hold (in fields, lists and dicts): operands that hit."""
    values: list[Any] = [0]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            values.append(value)

    for document in documents:
        walk(document)
    return values


@pytest.mark.timeout(300)
@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(documents=_DOCUMENTS, data=st.data())
def test_filters_on_values_the_documents_hold(
    db: JSONTableConnector, documents: list[dict[str, Any]], data: Any
) -> None:
    held = st.sampled_from(_held_values(documents))
    comparison = st.tuples(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), held)
    condition = st.one_of(
        held,
        comparison,
        st.tuples(st.just("$contains"), held | comparison),
        st.tuples(st.just("$not"), comparison),
        st.dictionaries(st.sampled_from(["x", "y"]), held | comparison, min_size=1, max_size=1),
        st.tuples(st.sampled_from(["$and", "$or"]), st.lists(comparison, max_size=2)),
    )
    match_filter = data.draw(st.dictionaries(_KEYS, condition, min_size=1, max_size=2), label="filter")
    sort = data.draw(_SORT_OBJECTS, label="sort")
    stored = _store(db, documents)
    assert db.select_page(match_filter, 0, 0, sort) == _expected(stored, match_filter, 0, 0, sort), (match_filter, sort)


# -- what is not translated -------------------------------------------------------------


@pytest.mark.parametrize("dialect", [SQLiteDialect(), PostgresDialect()], ids=["sqlite", "postgres"])
@pytest.mark.parametrize(
    "match_filter",
    [
        {"a": [1, 2]},  # list equality
        {"a": ("$eq", {"x": 1})},
        {"a": ("$gt", [1])},
        {"a": 2**53 + 1},  # beyond the numbers both sides compare alike
        {"a": ("$lt", float("inf"))},
        {"a": ("$gt", 1e17)},
        {"a.b": 1},  # not an identifier
        {"a b": 1},
        {"a": "\ud800"},  # a lone surrogate
        {"a": (1, 2)},  # a tuple that is no operator
    ],
)
def test_what_cannot_be_answered_exactly_is_not_translated(dialect: Any, match_filter: Any) -> None:
    assert translate(compile_filter(match_filter), dialect) is None


def test_postgres_runs_only_literal_prefixes_of_regular_expressions() -> None:
    assert literal_prefix("^ab-c") == "ab-c"
    assert literal_prefix("ab\\.c.*") == "ab.c"
    assert literal_prefix("") == ""
    for pattern in ("^a|b", "a+", "[ab]", "a$", "(?i)a", "a\\d", "a.", "\\bx"):
        assert literal_prefix(pattern) is None, pattern
    assert translate({"a": ("$reg", "^[ab]")}, PostgresDialect()) is None
    assert translate({"a": ("$reg", "^[ab]")}, SQLiteDialect()) is not None  # backo's own engine, in SQLite


def test_values_are_bound_never_written_into_the_sql() -> None:
    hostile = "x'); DROP TABLE t; --"
    for dialect in (SQLiteDialect(), PostgresDialect()):
        clause = translate({"name": hostile, "tags": ("$contains", hostile), "n": ("$reg", "^" + "ab")}, dialect)
        assert clause is not None
        assert hostile not in clause.sql
        assert any(hostile in str(param) for param in clause.params)
