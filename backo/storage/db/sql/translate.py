"""A backo match filter as a SQL WHERE clause, with exactly :func:`~backo.storage.db.query.matches`' meaning.

:func:`translate` walks the filter the way ``query.matches`` does and hands each elementary
test to the engine's :class:`~.dialect.Dialect` (SQLite JSON1 or PostgreSQL JSONB). The
result is a :class:`~.fragment.Fragment`: SQL text whose values are all bound parameters.

It answers None, "not translatable", for anything it cannot express with exactly the
semantics of ``query.matches`` on every document a store may hold; the connector then
matches in Python. That is: list, dict or tuple operands of equalities and comparisons;
integers beyond ±2**53 and floats that are not finite or beyond ±2**53 (where Python's exact
int/float comparison and the engines' could part); strings an engine cannot hold (lone
surrogates; NUL on PostgreSQL); field names other than identifiers; on PostgreSQL, regular
expressions other than a literal prefix. What it does translate, it translates whole:
Python's ``True == 1 == 1.0``, ``"1" != 1``, missing fields (a condition on a missing field
never matches; ``$ne`` neither), JSON null, ``$contains`` on arrays only, ``$and``/``$or``/
``$not`` and the conditions ``query.matches`` reads as "no match" (an unknown operator, a
``$reg`` on a number...), which become FALSE.

Regular expressions must be compiled first (:func:`~backo.storage.db.regex.compile_filter`),
so that a refused pattern raises FilterError before any SQL, as on every other store.
"""

import math
from dataclasses import dataclass
from typing import Any

from ..query import COMPARISONS, MatchFilter, is_operator
from ..regex import REGEX_OPERATORS, CompiledRegex, compile_regex
from .dialect import SAFE_NUMBER, Dialect, ElementTest, Location, checked_key
from .fragment import Fragment, join

_ORDERINGS = ("$gt", "$gte", "$lt", "$lte")


class _Untranslatable(Exception):
    """Part of the filter has no exact SQL spelling: the whole filter stays in Python."""


@dataclass
class _Test:
    """A translated condition: the predicate, and whether it can only be TRUE where a value is present."""

    predicate: Fragment
    needs_value: bool


def translate(select_filter: MatchFilter, dialect: Dialect) -> Fragment | None:
    """The WHERE clause selecting exactly the documents ``query.matches(document, select_filter)`` accepts.

    None when the filter is not translatable (see the module docstring). ``select_filter``
    must have its patterns compiled (:func:`~backo.storage.db.regex.compile_filter`).
    """
    if select_filter is None or (isinstance(select_filter, dict) and not select_filter):
        return dialect.constant(True)
    try:
        return _Translation(dialect).condition(dialect.root(), select_filter).predicate
    except (_Untranslatable, RecursionError):
        return None


def plain_value(value: Any, dialect: Dialect) -> bool:
    """Whether ``value`` is a scalar whose comparisons the dialect spells exactly."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -SAFE_NUMBER <= value <= SAFE_NUMBER
    if isinstance(value, float):
        return math.isfinite(value) and -SAFE_NUMBER < value < SAFE_NUMBER
    if isinstance(value, str):
        return dialect.accepts_string(value)
    return False


def _plain(value: Any, dialect: Dialect) -> Any:
    if not plain_value(value, dialect):
        raise _Untranslatable(value)
    return value


def _all(tests: list[_Test], dialect: Dialect) -> _Test:
    if not tests:
        return _Test(dialect.constant(True), False)
    if len(tests) == 1:
        return tests[0]
    predicate = join(" AND ", [test.predicate.wrapped("(", ")") for test in tests])
    return _Test(predicate, any(test.needs_value for test in tests))


def _any(tests: list[_Test], dialect: Dialect) -> _Test:
    if not tests:
        return _Test(dialect.constant(False), True)
    if len(tests) == 1:
        return tests[0]
    predicate = join(" OR ", [test.predicate.wrapped("(", ")") for test in tests]).wrapped("(", ")")
    return _Test(predicate, all(test.needs_value for test in tests))


class _ElementTest(ElementTest):
    """``$contains``' test of one element: the operand as a condition on the element."""

    def __init__(self, translation: "_Translation", operand: Any) -> None:
        self.translation = translation
        self.operand = operand

    def __call__(self, element: Location) -> Fragment:
        return self.translation.condition(element, self.operand).predicate


class _Translation:
    """One walk of a filter, for one dialect (it numbers the aliases of the arrays it scans)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._aliases = 0

    def alias(self) -> str:
        self._aliases += 1
        return f"e{self._aliases}"

    def condition(self, location: Location, condition: Any) -> _Test:
        """``_match_condition(value_at_location, condition)`` of query.py."""
        dialect = self.dialect
        if is_operator(condition):
            return self.operator(location, condition[0], condition[1])
        if isinstance(condition, dict):
            if not condition:
                return _Test(dialect.is_object(location), True)
            tests = []
            for key, sub in condition.items():
                name = checked_key(key)
                if name is None:
                    raise _Untranslatable(key)
                child = dialect.child(location, name)
                test = self.condition(child, sub)
                if not test.needs_value:  # "key in value" is part of the condition
                    test = _all([_Test(dialect.present(child), True), test], dialect)
                tests.append(test)
            return _Test(_all(tests, dialect).predicate, True)
        return _Test(dialect.equals(location, _plain(condition, dialect)), True)

    def operator(self, location: Location, name: str, operand: Any) -> _Test:
        """``_match_operator(value, name, operand)`` of query.py."""
        dialect = self.dialect
        if name in ("$eq", "$ne"):
            equal = dialect.equals(location, _plain(operand, dialect))
            if name == "$eq":
                return _Test(equal, True)
            return _all([_Test(dialect.present(location), True), _Test(dialect.negate(equal), False)], dialect)
        if name in _ORDERINGS:
            value = _plain(operand, dialect)
            if value is None:  # None is not ordered: always a TypeError, "no match"
                return _Test(dialect.constant(False), True)
            if isinstance(value, str):
                return _Test(dialect.compare_string(location, name, value), True)
            return _Test(dialect.compare_number(location, name, value), True)
        if name in COMPARISONS:  # not reached: every comparison is handled above
            raise _Untranslatable(name)
        if name in REGEX_OPERATORS:
            return self.regex(location, operand)
        if name == "$contains":
            return self.contains(location, operand)
        if name in ("$and", "$or"):
            if not isinstance(operand, list) or not all(is_operator(sub) or isinstance(sub, dict) for sub in operand):
                return _Test(dialect.constant(False), True)
            tests = [self.condition(location, sub) for sub in operand]
            return _all(tests, dialect) if name == "$and" else _any(tests, dialect)
        if name == "$not":
            if not is_operator(operand):
                return _Test(dialect.constant(False), True)
            return _Test(dialect.negate(self.condition(location, operand).predicate), False)
        return _Test(dialect.constant(False), True)  # an unknown operator never matches

    def regex(self, location: Location, operand: Any) -> _Test:
        if isinstance(operand, str):
            operand = compile_regex(operand)  # raises FilterError if refused, like query.matches
        if not isinstance(operand, CompiledRegex):
            return _Test(self.dialect.constant(False), True)  # a pattern that is no str matches nothing
        predicate = self.dialect.regex(location, operand.pattern, operand.engine)
        if predicate is None:
            raise _Untranslatable(operand.pattern)
        return _Test(predicate, True)

    def contains(self, location: Location, operand: Any) -> _Test:
        dialect = self.dialect
        if not is_operator(operand) and not isinstance(operand, dict):
            value = _plain(operand, dialect)
            contains_value = getattr(dialect, "contains_value", None)
            if contains_value is not None:
                contained = contains_value(location, value)
                if contained is not None:
                    return _Test(contained, True)
        return _Test(dialect.some_element(location, self.alias(), _ElementTest(self, operand)), True)
