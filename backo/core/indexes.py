"""Indexes declared on a collection: ``Collection(..., indexes=["category", "-price"])``.

Declared once, on the collection, in terms of its model: each entry names a field (a
dotted path into sub-dicts, ``"address.city"``), with a leading ``-`` for a descending
index. They are checked against the model when the collection is built (an unknown
field raises :class:`~backo.error.PathNotFoundError`), then handed to the connector's
``ensure_indexes(indexes)`` when it has one: MongoDB creates them (``create_index``), the
SQL stores too; the YAML and memory stores have no such method and index nothing.

The list is handed as declared; a connector creates the indexes it does not have yet and
leaves the others (it is called each time the collection is built, at every start).
"""

from typing import Any

from stricto import Dict, SSyntaxError

from backo.error import PathNotFoundError


def declared_indexes(collection: Any, indexes: Any) -> list[str]:
    """``indexes`` checked against the model of ``collection``: a list of field paths,
    each optionally prefixed by ``-`` (descending).

    :raises SSyntaxError: ``indexes`` is not a list of non-empty strings.
    :raises PathNotFoundError: an entry names no field of the model.
    """
    if not isinstance(indexes, list) or not all(isinstance(one, str) for one in indexes):
        raise SSyntaxError("Collection {0}: indexes must be a list of field names", collection.name)
    for entry in indexes:
        path = entry[1:] if entry.startswith("-") else entry
        if not path or not _names_a_field(collection.model, path):
            raise PathNotFoundError(
                'Collection {0}: the index "{1}" names no field of the model', collection.name, entry
            )
    return list(indexes)


def _names_a_field(model: Any, path: str) -> bool:
    """Whether the dotted ``path`` leads from ``model`` (a Dict) to one of its fields."""
    field = model
    for part in path.split("."):
        if not isinstance(field, Dict) or part not in field._keys:
            return False
        field = field.__dict__[part]
    return True
