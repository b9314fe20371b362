"""stricto's ``Item.match`` for plain models, as tests of encoded records.

Comparisons and equality are the storage contract's (:mod:`backo.storage.db.query`, the one
implementation of their meaning); this module only decides which condition a record field
can answer without an Item, and says None (undecided) for the rest.

``$reg`` runs on re2 in linear time, with ``re.match``'s meaning (see
:mod:`backo.storage.db.regex`); selections hand patterns already compiled.
"""

from collections.abc import Callable
from typing import Any

from backo.storage.db.query import COMPARISONS, comparison_test, is_operator
from backo.storage.db.regex import CompiledRegex, compile_regex

from .specs import CHILDREN, KEY, KIND, RECORD, SCALAR, TYPE, Spec

RecordTest = Callable[[dict], bool]


def _never(record: dict) -> bool:
    return False


def _regex_test(pattern: Any) -> Callable[[Any], bool]:
    """A test of values for ``("$reg", pattern)``: a str pattern is compiled (re2) now.

    :raises FilterError: a str pattern is refused (too long, or re2 cannot run it).
    """
    if isinstance(pattern, str):
        pattern = compile_regex(pattern)
    if not isinstance(pattern, CompiledRegex):
        return _never  # re.match(<not a pattern>, value) raises: stricto's "no match"
    return pattern.matches


def _scalar_test(spec: Spec, condition: Any) -> Callable[[Any], bool] | None:
    """stricto's ``field.match(condition)`` for a plain scalar, as a test of its value."""
    if not isinstance(condition, tuple):
        return comparison_test("$eq", condition)  # stricto: a plain condition is an equality
    if not is_operator(condition):
        return None
    name, operand = condition
    if name in COMPARISONS:
        return comparison_test(name, operand)
    if name == "$reg" and spec[TYPE] is str:
        return _regex_test(operand)
    return None


def record_test(specs: tuple[Spec, ...], match_filter: Any) -> RecordTest | None:
    """stricto's ``Dict.match(match_filter)`` as a test of encoded records; None if undecided."""
    if match_filter is None or (not isinstance(match_filter, dict) and not isinstance(match_filter, tuple)):
        return _never
    if isinstance(match_filter, tuple):
        return None
    by_key = {spec[KEY]: spec for spec in specs}
    tests: list[tuple[str, Callable[[Any], bool]]] = []
    for key, condition in match_filter.items():
        spec = by_key.get(key)
        if spec is None:
            return _never
        if spec[KIND] == SCALAR:
            test = _scalar_test(spec, condition)
        elif spec[KIND] == RECORD:
            test = record_test(spec[CHILDREN], condition)
        else:
            test = None
        if test is None:
            return None
        tests.append((key, test))

    def record_matches(record: dict) -> bool:
        return all(test(record[key]) for key, test in tests)

    return record_matches
