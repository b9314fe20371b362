"""Regular expressions in the filters a collection matches: checked, compiled, run on re2.

Every filter a selection matches (its own ``filter`` merged with the caller's: the list
route, ``_selections/<name>``, ``collection.select(...)``) goes through
:func:`compile_for_collection` first: each ``$reg``/``$re`` pattern is checked (at most
1,000 characters; re2 must be able to run it unless the collection chose
``regex_engine="python"``) and replaced by a
:class:`~backo.storage.db.regex.CompiledRegex`. A refused pattern raises
:class:`~backo.error.FilterError` (HTTP 400) before any document is read.

Items are matched by stricto, whose ``String`` runs ``$reg`` with Python's ``re``: the hook
installed here makes it run a :class:`CompiledRegex` operand with that object instead.
Only compiled operands take the hook: a str pattern handed to ``item.match`` by the
application's own code still runs as in 0.2.1, while no pattern from a request can reach
stricto uncompiled.
"""

from collections.abc import Callable
from typing import Any

from stricto import String

from backo.storage.db.regex import RE2, REGEX_ENGINES, CompiledRegex, compile_filter

__all__ = ["RE2", "REGEX_ENGINES", "compile_for_collection", "regex_engine_of"]


def regex_engine_of(collection: Any) -> str:
    """The regex engine of ``collection`` (``Collection(..., regex_engine=...)``; default re2)."""
    engine = getattr(collection, "regex_engine", RE2)
    return engine if engine in REGEX_ENGINES else RE2


def compile_for_collection(match_filter: Any, collection: Any) -> Any:
    """``match_filter`` with its patterns compiled on the engine of ``collection``.

    :raises FilterError: a pattern is refused (see :mod:`backo.storage.db.regex`).
    """
    return compile_filter(match_filter, regex_engine_of(collection))


def _install_string_hook() -> None:
    """Make stricto's ``String`` run ``("$reg", CompiledRegex)`` with the compiled pattern."""
    if getattr(String, "_backo_compiled_regex", False):
        return
    original: Callable[[Any, str, Any], bool] = String._match_operator

    def _match_operator(self: Any, operator: str, other: Any) -> bool:
        if isinstance(other, CompiledRegex):
            if operator == "$reg":
                return other.matches(self.get_value())
            return False  # "$re": stricto knows no such operator, so no match, as in 0.2.1
        return original(self, operator, other)

    String._match_operator = _match_operator
    String._backo_compiled_regex = True


_install_string_hook()
