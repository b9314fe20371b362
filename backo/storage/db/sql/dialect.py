"""How SQLite (JSON1) and PostgreSQL (JSONB) spell the tests the translator needs.

The translator (:mod:`.translate`) decides *what* a filter means, once, for both engines;
a :class:`Dialect` only says *how* its engine writes each elementary test on a JSON value
(its type, an equality, a comparison, "some element of this array"...), and how it orders
values the way :func:`backo.storage.db.listing.sort_documents` does.

Every predicate a dialect returns is TRUE exactly when :func:`backo.storage.db.query.matches`
would say the value matches, and FALSE or NULL otherwise (a missing value gives NULL): the
translator negates only through :meth:`Dialect.negate`, which reads NULL as FALSE.

A *location* (:class:`Location`) is where a value sits: the document itself, a key of the
value at another location, or an element of an array being scanned. Field names enter the
SQL text only after :func:`checked_key` accepted them (letters, digits, underscores: an
expression index must be spelled exactly as the query spells it); every value is a bound
parameter.
"""

import abc
import json
import re
from dataclasses import dataclass
from typing import Any

from backo.error import DBError

from ..query import compare
from .fragment import Fragment, join

#: The field names written into SQL: an identifier of letters, digits and underscores.
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
#: Numbers whose meaning is the same in Python and in both engines when compared with any
#: stored number (2**53: every integer up to it is a float too, see docs/storage-sql.md).
SAFE_NUMBER = 2**53
#: The ranks of :func:`backo.storage.db.listing._sort_key`: None or missing, numbers,
#: strings, dicts, lists, booleans.
RANK_NONE, RANK_NUMBER, RANK_STRING, RANK_DICT, RANK_LIST, RANK_BOOL = range(6)
_SQL_COMPARISONS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def checked_key(key: Any) -> str | None:
    """``key`` if it may be written into SQL as a field name, else None."""
    return key if isinstance(key, str) and KEY.fullmatch(key) else None


def checked_path(path: Any) -> list[str] | None:
    """The keys of a dotted ``path`` (``"a.b"``) if each may be written into SQL, else None."""
    if not isinstance(path, str):
        return None
    keys = path.split(".")
    return keys if all(checked_key(key) for key in keys) else None


def checked_identifier(name: str, what: str) -> str:
    """``name`` as a quoted SQL identifier (table, index).

    :raises DBError: ``name`` is not letters, digits and underscores (at most 63).
    """
    if not isinstance(name, str) or not KEY.fullmatch(name):
        raise DBError('Invalid {0} name "{1}": letters, digits and "_" only, at most 63', what, name)
    return f'"{name}"'


def sql_operator(name: str) -> str:
    """The SQL spelling of an ordering operator of the filter language (``"$gt"`` -> ``">"``)."""
    return _SQL_COMPARISONS[name]


@dataclass(frozen=True)
class Location:
    """Where a value sits, as the dialect's SQL expressions.

    ``keys`` is the chain of keys from the document when the location is fixed (not inside
    an array being scanned), else None.
    """

    #: the SQLite JSON path (SQL expression) or the PostgreSQL jsonb expression
    expression: str
    keys: tuple[str, ...] | None
    #: SQLite only: the SQL value (``json_extract``) and JSON type (``json_type``) expressions
    value: str = ""
    kind: str = ""


class Dialect(abc.ABC):
    """The SQL of one engine for the elementary tests on JSON values."""

    #: the placeholder of a bound value
    placeholder: str
    #: the SQL constants
    true: str
    false: str
    #: the column holding the JSON text handed back (SQLite: the document; PostgreSQL: its exact text)
    text_column: str

    def __init__(self, indexed: frozenset[str] = frozenset()) -> None:
        #: the dotted paths with an expression index (PostgreSQL tests them by that expression)
        self.indexed = indexed

    def param(self, value: Any) -> Fragment:
        """A placeholder bound to ``value``."""
        return Fragment(self.placeholder, (value,))

    def constant(self, answer: bool) -> Fragment:
        return Fragment(self.true if answer else self.false)

    def negate(self, predicate: Fragment) -> Fragment:
        """NOT ``predicate``, NULL counting as FALSE (so NOT of a missing value's test is TRUE)."""
        return predicate.wrapped("NOT COALESCE((", f"), {self.false})")

    def accepts_string(self, value: str) -> bool:
        """Whether the engine holds ``value`` exactly (valid UTF-8; PostgreSQL: no NUL)."""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    @abc.abstractmethod
    def root(self) -> Location:
        """The document itself."""

    @abc.abstractmethod
    def child(self, location: Location, key: str) -> Location:
        """The value of ``key`` in the object at ``location`` (missing if it is no object)."""

    @abc.abstractmethod
    def present(self, location: Location) -> Fragment:
        """TRUE when a value (maybe JSON null) is at ``location``."""

    @abc.abstractmethod
    def is_object(self, location: Location) -> Fragment:
        """TRUE when the value at ``location`` is a JSON object."""

    @abc.abstractmethod
    def equals(self, location: Location, value: None | bool | int | float | str) -> Fragment:
        """TRUE when the value at ``location`` ``== value`` in Python (1 == 1.0 == True; "1" != 1)."""

    @abc.abstractmethod
    def compare_number(self, location: Location, operator: str, number: int | float) -> Fragment:
        """TRUE when the value is a number or a bool and ``value <operator> number`` (``$gt``...)."""

    @abc.abstractmethod
    def compare_string(self, location: Location, operator: str, text: str) -> Fragment:
        """TRUE when the value is a string and ``value <operator> text``, by code points."""

    @abc.abstractmethod
    def regex(self, location: Location, pattern: str, engine: str) -> Fragment | None:
        """TRUE when the value is a string ``re.match``-ed by ``pattern`` on backo's ``engine``;
        None if this engine cannot run it with exactly that meaning."""

    @abc.abstractmethod
    def some_element(self, location: Location, alias: str, element_test: "ElementTest") -> Fragment:
        """TRUE when the value is an array and ``element_test`` holds for one of its elements."""

    @abc.abstractmethod
    def sort_terms(self, keys: list[str], descending: bool) -> list[str]:
        """ORDER BY terms giving ``listing.sort_documents``' order for values that are None,
        missing, numbers within ±2**53, strings or booleans."""

    @abc.abstractmethod
    def unsortable(self, keys: list[str]) -> str:
        """A predicate TRUE when the value at ``keys`` would be ordered differently by
        :meth:`sort_terms` than by ``listing``: an object, an array, a number beyond ±2**53."""


class ElementTest(abc.ABC):
    """The test of one array element, built once the dialect names the element's location."""

    @abc.abstractmethod
    def __call__(self, element: Location) -> Fragment: ...


# -- SQLite (JSON1) ---------------------------------------------------------------------


_SQLITE_KINDS = "CASE {0} WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'text' THEN 2 WHEN 'object' THEN 3 "
_SQLITE_KINDS += "WHEN 'array' THEN 4 WHEN 'true' THEN 5 WHEN 'false' THEN 5 ELSE 0 END"


class SQLiteDialect(Dialect):
    """SQLite's JSON1: ``json_extract`` (JSON true is 1, false 0, a string its text, an array
    or object its JSON text), ``json_type`` and ``json_each``.

    SQLite orders NULL < numbers < text, compares an integer and a real exactly, and texts
    byte by byte (code points, for UTF-8). Regular expressions run in the engine through
    ``backo_regex``, a Python function on backo's own engine (:mod:`backo.storage.db.regex`)
    that the connector registers.
    """

    placeholder = "?"
    true = "1"
    false = "0"
    text_column = "doc"

    def root(self) -> Location:
        return self._fixed(())

    def _fixed(self, keys: tuple[str, ...]) -> Location:
        path = "'$" + "".join(f".{key}" for key in keys) + "'"
        return Location(path, keys, f"json_extract(doc, {path})", f"json_type(doc, {path})")

    def child(self, location: Location, key: str) -> Location:
        if location.keys is not None:
            return self._fixed((*location.keys, key))
        path = f"({location.expression} || '.{key}')"
        return Location(path, None, f"json_extract(doc, {path})", f"json_type(doc, {path})")

    def present(self, location: Location) -> Fragment:
        return Fragment(f"{location.kind} IS NOT NULL")

    def is_object(self, location: Location) -> Fragment:
        return Fragment(f"{location.kind} = 'object'")

    def equals(self, location: Location, value: None | bool | int | float | str) -> Fragment:
        if value is None:
            return Fragment(f"{location.kind} = 'null'")
        if isinstance(value, str):
            test = Fragment(f"{location.value} = ?", (value,))
            # an array or an object reads as its JSON text, which starts with [ or {
            return test + f" AND {location.kind} = 'text'" if value[:1] in ("[", "{") else test
        # numbers: JSON true reads as 1 and false as 0, which Python's == agrees with
        return Fragment(f"{location.value} = ?", (int(value) if isinstance(value, bool) else value,))

    def compare_number(self, location: Location, operator: str, number: int | float) -> Fragment:
        bound = int(number) if isinstance(number, bool) else number
        test = Fragment(f"{location.value} {sql_operator(operator)} ?", (bound,))
        # every text is above every number: "< ''" keeps numbers (and JSON booleans, 1 and 0) only
        return test + f" AND {location.value} < ''" if operator in ("$gt", "$gte") else test

    def compare_string(self, location: Location, operator: str, text: str) -> Fragment:
        return Fragment(f"{location.kind} = 'text' AND {location.value} {sql_operator(operator)} ?", (text,))

    def regex(self, location: Location, pattern: str, engine: str) -> Fragment | None:
        return Fragment(
            f"CASE WHEN {location.kind} = 'text' THEN backo_regex(?, ?, {location.value}) ELSE 0 END",
            (pattern, engine),
        )

    def some_element(self, location: Location, alias: str, element_test: ElementTest) -> Fragment:
        element = Location(f"{alias}.fullkey", None, f"{alias}.value", f"{alias}.type")
        inner = element_test(element)
        return inner.wrapped(
            f"({location.kind} = 'array' AND EXISTS (SELECT 1 FROM json_each(doc, {location.expression}) AS {alias} "
            "WHERE ",
            "))",
        )

    def sort_terms(self, keys: list[str], descending: bool) -> list[str]:
        location = self._fixed(tuple(keys))
        direction = " DESC" if descending else ""
        return [_SQLITE_KINDS.format(location.kind) + direction, location.value + direction]

    def unsortable(self, keys: list[str]) -> str:
        location = self._fixed(tuple(keys))
        value = location.value
        return (
            f"({location.kind} IN ('object', 'array') OR ({location.kind} IN ('integer', 'real') "
            f"AND ({value} > {SAFE_NUMBER} OR {value} < -{SAFE_NUMBER})))"
        )


# -- PostgreSQL (JSONB) -----------------------------------------------------------------


_PG_KINDS = "CASE jsonb_typeof({0}) WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'object' THEN 3 "
_PG_KINDS += "WHEN 'array' THEN 4 WHEN 'boolean' THEN 5 ELSE 0 END"


def _nested(keys: tuple[str, ...], leaf: Any) -> Any:
    """``{"a": {"b": leaf}}`` for the keys ``("a", "b")``: the document a containment test looks for."""
    for key in reversed(keys):
        leaf = {key: leaf}
    return leaf


class PostgresDialect(Dialect):
    """PostgreSQL's JSONB: ``->``, ``jsonb_typeof``, ``@>`` (served by the GIN index) and
    ``jsonb_array_elements``.

    JSONB numbers are exact decimals (a stored float is its shortest repr), compared as
    numbers; booleans are no numbers, so the tests add them where Python counts True as 1.
    Strings are compared with ``COLLATE "C"`` (code points, whatever the database's
    collation). A fixed path without an expression index is tested by containment
    (``doc @> '{"a": {"b": "x"}}'``), which the GIN index answers; an indexed one by its
    expression (``doc -> 'a' -> 'b'``), which its index answers. Regular expressions:
    PostgreSQL's ``~`` is not re2, so only a literal prefix (``^abc``) is run, as
    ``starts_with``.
    """

    placeholder = "%s"
    true = "TRUE"
    false = "FALSE"
    text_column = "raw"

    def accepts_string(self, value: str) -> bool:
        return "\x00" not in value and super().accepts_string(value)

    def root(self) -> Location:
        return Location("doc", ())

    def child(self, location: Location, key: str) -> Location:
        keys = None if location.keys is None else (*location.keys, key)
        return Location(f"({location.expression} -> '{key}')", keys)

    def present(self, location: Location) -> Fragment:
        return Fragment(f"{location.expression} IS NOT NULL")

    def is_object(self, location: Location) -> Fragment:
        return Fragment(f"jsonb_typeof({location.expression}) = 'object'")

    def _contained(self, location: Location, value: Any) -> Fragment | None:
        """``doc @> {path: value}`` if the location is a fixed path without an expression index."""
        keys = location.keys
        if not keys or ".".join(keys) in self.indexed:
            return None
        return Fragment("doc @> %s::jsonb", (json.dumps(_nested(keys, value)),))

    def _is(self, location: Location, value: Any) -> Fragment:
        """TRUE when the value at ``location`` is the JSON ``value`` (jsonb equality)."""
        contained = self._contained(location, value)
        if contained is not None:
            return contained
        return Fragment(f"{location.expression} = %s::jsonb", (json.dumps(value),))

    def _booleans(self, location: Location, accepts: list[bool]) -> list[Fragment]:
        """The tests of the JSON booleans that Python's comparison accepts (True as 1, False as 0)."""
        return [self._is(location, flag) for flag in accepts]

    def equals(self, location: Location, value: None | bool | int | float | str) -> Fragment:
        if value is None or isinstance(value, str):
            return self._is(location, value)
        number = int(value) if isinstance(value, bool) else value
        tests = [
            self._is(location, number),
            *self._booleans(location, [flag for flag in (True, False) if flag == number]),
        ]
        return _any(tests)

    def compare_number(self, location: Location, operator: str, number: int | float) -> Fragment:
        bound = int(number) if isinstance(number, bool) else number
        expression = location.expression
        test = Fragment(
            f"(jsonb_typeof({expression}) = 'number' AND {expression} {sql_operator(operator)} %s::jsonb)",
            (json.dumps(bound),),
        )
        accepted = [flag for flag in (True, False) if compare(operator, flag, bound)]  # True > 0.5 in Python
        return _any([test, *self._booleans(location, accepted)])

    def compare_string(self, location: Location, operator: str, text: str) -> Fragment:
        return Fragment(
            f"(jsonb_typeof({location.expression}) = 'string' AND "
            f"({location.expression} #>> '{{}}') COLLATE \"C\" {sql_operator(operator)} %s)",
            (text,),
        )

    def regex(self, location: Location, pattern: str, engine: str) -> Fragment | None:
        prefix = literal_prefix(pattern)
        if prefix is None or not self.accepts_string(prefix):
            return None
        return Fragment(
            f"(jsonb_typeof({location.expression}) = 'string' AND starts_with({location.expression} #>> '{{}}', %s))",
            (prefix,),
        )

    def some_element(self, location: Location, alias: str, element_test: ElementTest) -> Fragment:
        inner = element_test(Location(f"{alias}.v", None))
        expression = location.expression
        elements = f"CASE WHEN jsonb_typeof({expression}) = 'array' THEN {expression} ELSE '[]'::jsonb END"
        return inner.wrapped(
            f"(jsonb_typeof({expression}) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements({elements}) "
            f"AS {alias}(v) WHERE ",
            "))",
        )

    def contains_value(self, location: Location, value: None | bool | int | float | str) -> Fragment | None:
        """``$contains`` of a plain value at a fixed path, by containment (GIN): None elsewhere."""
        keys = location.keys
        if not keys:
            return None
        if value is None or isinstance(value, str):
            candidates: list[Any] = [value]
        else:
            number = int(value) if isinstance(value, bool) else value
            candidates = [number, *[flag for flag in (True, False) if flag == number]]
        return _any([Fragment("doc @> %s::jsonb", (json.dumps(_nested(keys, [one])),)) for one in candidates])

    def _expression(self, keys: list[str]) -> str:
        expression = "doc"
        for key in keys:
            expression = f"({expression} -> '{key}')"
        return expression

    def sort_terms(self, keys: list[str], descending: bool) -> list[str]:
        value = self._expression(keys)
        direction = " DESC" if descending else ""
        kind = f"jsonb_typeof({value})"
        return [
            _PG_KINDS.format(value) + direction,
            f"CASE WHEN {kind} = 'number' THEN ({value})::numeric END{direction}",
            f"(CASE WHEN {kind} = 'string' THEN ({value} #>> '{{}}') END) COLLATE \"C\"{direction}",
            f"CASE WHEN {kind} = 'boolean' THEN ({value})::boolean END{direction}",
        ]

    def unsortable(self, keys: list[str]) -> str:
        value = self._expression(keys)
        kind = f"jsonb_typeof({value})"
        return (
            f"(CASE WHEN {kind} IN ('object', 'array') THEN TRUE WHEN {kind} = 'number' "
            f"THEN abs(({value})::numeric) > {SAFE_NUMBER} ELSE FALSE END)"
        )


def _any(tests: list[Fragment]) -> Fragment:
    if len(tests) == 1:
        return tests[0]
    return join(" OR ", tests).wrapped("(", ")")


#: What a pattern may hold to be a literal prefix: characters that match themselves in
#: Python's ``re`` and re2 alike, or a backslash before ASCII punctuation.
_LITERAL = re.compile(r"(?:[A-Za-z0-9 _\-,:;@/'\"=<>!%&~`#]|\\[^A-Za-z0-9\s])*")


def literal_prefix(pattern: str) -> str | None:
    """The text a pattern requires a value to start with, if that is all it requires.

    ``re.match("^ab-c", value)`` is ``value.startswith("ab-c")``; so is ``"ab-c.*"``. Any
    other construct (classes, repetitions, alternatives, flags, anchors at the end) gives None.
    """
    body = pattern[1:] if pattern.startswith("^") else pattern
    if body.endswith(".*") and not body.endswith("\\.*"):
        body = body[:-2]
    if not _LITERAL.fullmatch(body):
        return None
    return re.sub(r"\\(.)", r"\1", body)
