"""The filters MongoDB evaluates exactly as :func:`backo.storage.db.query.matches` does.

:func:`~backo.storage.db.mongo.to_mongo_filter` translates any stricto filter into a
MongoDB query that keeps *MongoDB's* meaning: an equality on an array field looks at its
elements, ``1`` equals ``1.0`` and not ``True``, ``null`` matches a missing field, regular
expressions run on the server's PCRE. That is what ``select`` always did. The pushdown
(:meth:`DBConnector.answers_exactly`) needs more: the same documents ``matches`` selects,
whatever a document holds. :func:`exact_query` gives a query with that guarantee for a
small set of filters, and None for every other (the core then matches in Python).

The exact set, kept small and certain:

* a dict of conditions on top-level fields (not ``_id``, which MongoDB stores as an
  ObjectId; no dotted, empty or ``$`` names), or ``("$and", [dict, ...])`` of such dicts;
* per field, with a **str** operand (one UTF-8 can encode): an equality, ``$eq``,
  ``$ne``, ``$gt``, ``$gte``, ``$lt``, ``$lte``, and ``$and`` of those.

Why each guard: ``matches`` compares a str only with a str (``"a" > 1`` raises, which is
"no match"), and so do MongoDB's comparisons (type bracketing; strings compare by their
UTF-8 bytes, which is code-point order, as in Python), except that MongoDB looks inside
arrays: every condition carries ``$not: {$type: "array"}``, and ``$ne`` (which ``matches``
answers True for an array, a None, a number) is ``$or`` of "exists and not equal" and "is
an array". A missing field matches no condition on either side (``matches`` needs the
key; ``$exists`` for ``$ne``).

Not exact, so not here: numbers and bools (``True == 1`` in Python, not in MongoDB),
None (MongoDB's null matches a missing field), ``$reg`` (PCRE is not re2), ``$contains``,
``$or``, ``$not``, nested dicts (MongoDB walks arrays of sub-documents), and a
collection with a default collation (see :func:`collation_is_simple`).
"""

from typing import Any

from .query import COMPARISONS, is_operator

_NOT_AN_ARRAY = {"$not": {"$type": "array"}}


def exact_query(select_filter: Any) -> dict[str, Any] | None:
    """The MongoDB query selecting exactly what ``query.matches(document, select_filter)``
    selects, or None when ``select_filter`` is outside the exact set (see the module)."""
    if isinstance(select_filter, dict):
        return _fields(select_filter)
    if is_operator(select_filter) and select_filter[0] == "$and":
        subs = select_filter[1]
        if not isinstance(subs, list) or not subs:
            return None
        clauses = [_fields(sub) if isinstance(sub, dict) else None for sub in subs]
        if any(clause is None for clause in clauses):
            return None
        return {"$and": clauses}
    return None


def _fields(conditions: dict) -> dict[str, Any] | None:
    """A dict of conditions on top-level fields, every one required."""
    if not conditions:
        return None
    clauses = []
    for key, condition in conditions.items():
        if not _plain_name(key):
            return None
        clause = _field(key, condition)
        if clause is None:
            return None
        clauses.append(clause)
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _plain_name(key: Any) -> bool:
    """A field name MongoDB reads as that one top-level field."""
    return (
        type(key) is str
        and key != ""
        and key != "_id"
        and not key.startswith("$")
        and "." not in key
        and "\x00" not in key
        and _encodable(key)
    )


def _field(key: str, condition: Any) -> dict[str, Any] | None:
    """The query of one condition on the field ``key``, or None if it is not exact."""
    if not isinstance(condition, tuple):
        return _comparison(key, "$eq", condition)
    if not is_operator(condition):
        return None
    name, operand = condition
    if name in COMPARISONS:
        return _comparison(key, name, operand)
    if name == "$and" and isinstance(operand, list) and operand:
        clauses = [_field(key, sub) if is_operator(sub) else None for sub in operand]
        if any(clause is None for clause in clauses):
            return None
        return {"$and": clauses}
    return None


def _comparison(key: str, name: str, operand: Any) -> dict[str, Any] | None:
    if type(operand) is not str or not _encodable(operand):
        return None
    if name == "$ne":
        return {"$or": [{key: {"$exists": True, "$ne": operand}}, {key: {"$type": "array"}}]}
    return {key: {name: operand, **_NOT_AN_ARRAY}}


def _encodable(text: str) -> bool:
    """Whether BSON can hold ``text`` (no lone surrogate: bson would raise, not answer)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def collation_is_simple(collection: Any) -> bool:
    """Whether the MongoDB ``collection`` compares strings by their bytes (no default collation).

    Read from ``collection.options()`` (one round trip: callers keep the answer). A driver
    without ``options`` (mongomock, which has no collations) compares Python strings;
    an error of the server answers False (not exact).
    """
    options_of = getattr(type(collection), "options", None)
    if options_of is None or not callable(options_of):
        return type(collection).__module__.startswith("mongomock")
    try:
        options = collection.options()
    except Exception:  # noqa: BLE001 - any failure: not certain, not exact
        return False
    collation = options.get("collation") if isinstance(options, dict) else None
    return collation is None or (isinstance(collation, dict) and collation.get("locale") == "simple")


def index_keys(indexes: list[str]) -> list[list[tuple[str, int]]]:
    """``["category", "-price"]`` as MongoDB index keys: one single-field index each,
    ascending, or descending for a leading ``-``."""
    return [[(name[1:], -1)] if name.startswith("-") else [(name, 1)] for name in indexes]
