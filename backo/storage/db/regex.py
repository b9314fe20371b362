"""The regular expressions of filters (``$reg`` and its synonym ``$re``), on a linear-time engine.

0.2.1 matched them with Python's ``re`` (stricto's ``re.match``), a backtracking engine:
one stored name of 28 ``a`` and a ``!`` against ``(a+)+$`` took longer than 12 s, holding
the GIL, so one query string stopped a whole worker. Here every filter pattern runs on
google-re2 (:data:`RE2`), whose time is linear in the pattern and the value, with 0.2.1's
meaning:

* anchored at the start, not at the end (``re.match``);
* ``$`` also matches before a final newline, as in Python;
* ``\\d``, ``\\w``, ``\\s`` (and ``\\D``, ``\\W``, ``\\S``) are Unicode classes, as in Python
  (re2's own are ASCII); ``\\Z``, ``\\uXXXX``, ``\\UXXXXXXXX``, ``\\N{name}``, ``{,n}`` and
  ``(?#...)`` comments are rewritten into re2's spelling;
* a pattern Python's ``re`` rejects (``(``, ``\\z``...) matches nothing, as it did (stricto
  turned the error into "no match").

A pattern Python accepts but re2 cannot run (backreferences, lookarounds, atomic groups,
possessive quantifiers, verbose mode, repetitions above 1,000, ``\\W`` or ``\\S`` inside a
negated class...) raises :class:`~backo.error.FilterError` (HTTP 400) saying so, unless the
caller chose Python's ``re`` (:data:`PYTHON`, for trusted callers: see
``Collection(..., regex_engine="python")``). A pattern longer than
:data:`MAX_PATTERN_LENGTH` characters raises it with either engine.

What still differs from Python on re2: ``\\b``/``\\B`` look at ASCII word characters only,
and case-insensitive matching folds case with re2's simple Unicode folding.

Storage-level and pure: the embedded stores, the Mongo translation and the domain core
(selections, plain models) all compile their patterns here.
"""

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import re2

from backo.error import FilterError

#: The linear-time engine, the default everywhere.
RE2 = "re2"
#: Python's backtracking ``re``, as in 0.2.1: only for collections whose callers are trusted.
PYTHON = "python"
#: The accepted values of ``regex_engine``.
REGEX_ENGINES = (RE2, PYTHON)
#: The filter operators whose operand is a regular expression.
REGEX_OPERATORS = frozenset({"$reg", "$re"})
#: The longest pattern a filter may hold, in characters (either engine).
MAX_PATTERN_LENGTH = 1000
#: How deep :func:`compile_filter` walks a filter (query strings nest at most 100 levels).
MAX_FILTER_DEPTH = 200

#: Python's classes, for re2 (Python's ``\\w`` is ``str.isalnum()`` or ``_``; ``\\d`` is
#: ``str.isdecimal()``; ``\\s`` is ``str.isspace()``).
_WORD = r"\p{L}\p{N}_"
_DIGIT = r"\p{Nd}"
_SPACE = r"\t\n\x0b\f\r\x1c-\x1f\x85\p{Z}"
_OUTSIDE_CLASS = {
    "d": _DIGIT,
    "D": r"\P{Nd}",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
}
_INSIDE_CLASS = {"d": _DIGIT, "D": r"\P{Nd}", "w": _WORD, "s": _SPACE, "b": r"\x08"}
#: ``\\W`` and ``\\S`` inside a class: the complement joins the class as an alternative.
_COMPLEMENTS = {"W": f"[^{_WORD}]", "S": f"[^{_SPACE}]"}
#: ``\\Z`` on the retry without the final newline (see :class:`CompiledRegex`): never matches.
_NEVER = r"[^\x00-\x{10FFFF}]"
_EMPTY_MIN_REPEAT = re.compile(r"\{,(\d+)\}")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is the client's error, not a line on stderr
_OPTIONS.never_capture = True  # only "does it match" is asked


class _Unsupported(Exception):
    """A construct Python accepts and re2 cannot express (the message says which)."""


class CompiledRegex:
    """A filter pattern ready to match values, as ``re.match(pattern, value)`` would.

    Stands for the pattern inside a filter once compiled (:func:`compile_filter`): the
    embedded stores, plain models and Items (through the stricto hook of
    :mod:`backo.core.regex_filters`) all call :meth:`matches`.
    """

    __slots__ = ("pattern", "engine", "_test")

    def __init__(self, pattern: str, engine: str, test: Callable[[str], bool]) -> None:
        #: the pattern as the filter wrote it
        self.pattern = pattern
        #: the engine that runs it (:data:`RE2` or :data:`PYTHON`)
        self.engine = engine
        self._test = test

    def matches(self, value: Any) -> bool:
        """True if ``value`` is a str matched at its start; anything else never matches."""
        return isinstance(value, str) and self._test(value)

    def __repr__(self) -> str:
        return f"CompiledRegex({self.pattern!r}, engine={self.engine!r})"


def _shown(pattern: str) -> str:
    """``pattern`` short enough for an error message."""
    return pattern if len(pattern) <= 80 else pattern[:80] + "..."


@functools.lru_cache(maxsize=512)
def compile_regex(pattern: str, engine: str = RE2) -> CompiledRegex:
    """``pattern`` compiled for ``engine``; cached, so a filter's pattern compiles once.

    :raises FilterError: the pattern is longer than :data:`MAX_PATTERN_LENGTH`, or re2
        cannot run it (and ``engine`` is :data:`RE2`), or ``engine`` is unknown.
    """
    if engine not in REGEX_ENGINES:
        raise FilterError('Unknown regular expression engine "{0}": use "re2" or "python"', engine)
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FilterError(
            "Regular expression too long: {0} characters, at most {1} are accepted", len(pattern), MAX_PATTERN_LENGTH
        )
    try:
        python_pattern = re.compile(pattern)
    except (re.error, ValueError, OverflowError, RecursionError):
        return CompiledRegex(pattern, engine, lambda value: False)  # 0.2.1: an invalid pattern matches nothing
    if engine == PYTHON:
        return CompiledRegex(pattern, engine, lambda value: python_pattern.match(value) is not None)
    try:
        main, retry = _for_re2(pattern)
        first = re2.compile(main, _OPTIONS)
        second = re2.compile(retry, _OPTIONS) if retry is not None else None
    except (_Unsupported, re2.error) as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise FilterError(
            'Regular expression "{0}" is not supported by the linear-time engine (re2) that runs filters: '
            "backreferences, lookarounds, atomic groups and a few other constructs are refused (re2: {1})",
            _shown(pattern),
            reason,
        ) from None
    return CompiledRegex(pattern, engine, _re2_test(first, second))


def _re2_test(first: Any, second: Any) -> Callable[[str], bool]:
    """``re.match`` semantics from re2 patterns: ``second`` (if any) retries without a final newline."""
    if second is None:
        return lambda value: first.match(value) is not None

    def test(value: str) -> bool:
        if first.match(value) is not None:
            return True
        return value.endswith("\n") and second.match(value[:-1]) is not None

    return test


def _for_re2(pattern: str) -> tuple[str, str | None]:
    """``pattern`` (valid for Python) in re2's spelling, and the retry pattern if it has a ``$``.

    Python's ``$`` (outside multi-line mode) matches at the end and before a final
    newline; re2's only at the end. Matching the value without its final newline too
    gives Python's answer; ``\\Z`` (the very end) must then fail, hence a second pattern.

    :raises _Unsupported: a construct re2 cannot express.
    """
    main, has_dollar = _translate(pattern, r"\z")
    if not has_dollar:
        return main, None
    retry, _ = _translate(pattern, _NEVER)
    return main, retry


def _translate(pattern: str, end_of_text: str) -> tuple[str, bool]:
    """One pass of :func:`_for_re2`; ``end_of_text`` replaces ``\\Z``. Returns (pattern, has ``$``)."""
    out: list[str] = []
    has_dollar = False
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\" and index + 1 < size:
            escape, index = _escape(pattern, index, inside_class=False)
            out.append(end_of_text if escape == r"\Z" else escape)
        elif char == "[":
            text, index = _character_class(pattern, index)
            out.append(text)
        elif pattern.startswith("(?#", index):
            end = pattern.find(")", index)
            index = size if end < 0 else end + 1
        elif char == "{" and (empty_min := _EMPTY_MIN_REPEAT.match(pattern, index)) is not None:
            out.append("{0," + empty_min.group(1) + "}")
            index = empty_min.end()
        else:
            has_dollar = has_dollar or char == "$"
            out.append(char)
            index += 1
    return "".join(out), has_dollar


def _escape(pattern: str, index: int, inside_class: bool) -> tuple[str, int]:
    """The escape at ``pattern[index]`` (a backslash) in re2's spelling, and the index after it."""
    letter = pattern[index + 1]
    table = _INSIDE_CLASS if inside_class else _OUTSIDE_CLASS
    if letter in table:
        return table[letter], index + 2
    if letter in "uU":
        digits = 4 if letter == "u" else 8
        code = pattern[index + 2 : index + 2 + digits]
        return r"\x{" + code + "}", index + 2 + digits
    if letter == "N" and pattern.startswith("{", index + 2):
        end = pattern.index("}", index)
        return rf"\x{{{ord(unicodedata.lookup(pattern[index + 3 : end])):X}}}", end + 1
    return pattern[index : index + 2], index + 2


def _character_class(pattern: str, index: int) -> tuple[str, int]:
    """The class ``[...]`` starting at ``pattern[index]`` in re2's spelling, and the index after it.

    Python reads a ``]`` right after ``[`` or ``[^`` as a literal, and a ``[`` inside as a
    literal (re2 would see ``[:alpha:]`` there): both are escaped. ``\\W``/``\\S`` have no
    in-class form in re2: in a plain class they become an alternative, ``(?:[...]|[^...])``.

    :raises _Unsupported: ``\\W`` or ``\\S`` inside a negated class.
    """
    index += 1
    negated = pattern.startswith("^", index)
    if negated:
        index += 1
    members: list[str] = []
    alternatives: list[str] = []
    first = True
    while index < len(pattern):
        char = pattern[index]
        if char == "]" and not first:
            break
        first = False
        if char == "\\" and index + 1 < len(pattern):
            letter = pattern[index + 1]
            if letter in _COMPLEMENTS:
                if negated:
                    raise _Unsupported(f"\\{letter} inside a negated class")
                alternatives.append(_COMPLEMENTS[letter])
                index += 2
                continue
            text, index = _escape(pattern, index, inside_class=True)
            members.append(text)
            continue
        members.append("\\" + char if char in "[]" else char)
        index += 1
    body = "[" + ("^" if negated else "") + "".join(members) + "]"
    if alternatives:
        parts = ([body] if members else []) + alternatives
        body = "(?:" + "|".join(parts) + ")"
    return body, index + 1


# -- whole filters ------------------------------------------------------------------------


def compile_filter(match_filter: Any, engine: str = RE2) -> Any:
    """``match_filter`` with every ``("$reg", pattern)``/``("$re", pattern)`` operand compiled.

    Walks dicts, operator tuples and lists (``$and``/``$or``/``$not``/``$contains``);
    each str pattern becomes a :class:`CompiledRegex`, which every matcher of backo runs
    (operands that are not str are left: they match nothing, as in 0.2.1). Returns
    ``match_filter`` itself when it holds no pattern, and never mutates it.

    :raises FilterError: a pattern is refused (:func:`compile_regex`), or the filter nests
        deeper than :data:`MAX_FILTER_DEPTH` levels (its patterns could not all be checked).
    """
    return _compiled(match_filter, engine, MAX_FILTER_DEPTH)


def _compiled(value: Any, engine: str, depth: int) -> Any:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] in REGEX_OPERATORS and isinstance(value[1], str):
            return (value[0], compile_regex(value[1], engine))
        children: list[Any] = list(value)
    elif isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return value
    if depth <= 0:
        raise FilterError("Filter nested too deeply: at most {0} levels", MAX_FILTER_DEPTH)
    compiled = [_compiled(child, engine, depth - 1) for child in children]
    if all(new is old for new, old in zip(compiled, children, strict=True)):
        return value
    if isinstance(value, dict):
        return dict(zip(value.keys(), compiled, strict=True))
    return tuple(compiled) if isinstance(value, tuple) else compiled


def regex_matches(operand: Any, value: Any, engine: str = RE2) -> bool:
    """``re.match(operand, value)`` on ``engine``: ``operand`` a str or a :class:`CompiledRegex`.

    :raises FilterError: a str ``operand`` is refused (:func:`compile_regex`).
    """
    if isinstance(operand, CompiledRegex):
        return operand.matches(value)
    if not isinstance(operand, str):
        return False
    return compile_regex(operand, engine).matches(value)
