"""What a client may set in a File's metadata, and when backo trusts a ``file_id`` it did not make.

A File's ``file_id`` designates stored content, so it must come from backo: from a
content assignment (a new id), or from the stored document of the File's own Item.
A client (a create body, an update, a PATCH) may keep the ``file_id``, set it to null
(dropping the file), rename the file, or name a file its Item already holds (a list of
Files sent back reordered); ``content_type``, ``size`` and ``modified`` describe the
content and follow it.
"""

from collections.abc import Callable, Iterator
from typing import Any

from stricto import Dict, GenericType, SConstraintError

from .lifecycle import walk_fields

#: The metadata of a File holding no file.
EMPTY_METADATA: dict[str, Any] = {"filename": None, "file_id": None, "content_type": None, "size": 0, "modified": False}

#: Finds the stored metadata of the content a metadata dict names, if the Item owns it.
OwnedLookup = Callable[[dict[str, Any]], dict[str, Any] | None]


def _nothing_owned(after: dict[str, Any]) -> None:
    return None


def refused_metadata_change(
    before: dict[str, Any],
    after: dict[str, Any],
    content_keys: tuple[str, ...],
    empty: dict[str, Any],
    owned: OwnedLookup = _nothing_owned,
) -> tuple[str, Any] | None:
    """The ``(key, value)`` a client may not set going from ``before`` to ``after``, or None.

    ``content_keys`` starts with the key identifying the content (``file_id``, or
    ``content`` for a BlobFile). The content must stay, be dropped (``file_id`` None), or
    be content the Item owns (``owned`` returns its stored metadata); every content key
    must then equal those of ``before``, of an empty File, or of that stored content.
    """
    identity = content_keys[0]
    if after[identity] == before[identity]:
        expected = before
    elif after["file_id"] is None:
        expected = empty
    else:
        stored = owned(after)
        if stored is None:
            return identity, after[identity]
        expected = stored
    for key in content_keys:
        if after.get(key) != expected.get(key):
            return key, after.get(key)
    return None


def client_change_error(path: str, key: str, value: Any) -> SConstraintError:
    """The error for a refused metadata change (see :func:`refused_metadata_change`)."""
    if key == "file_id":
        return SConstraintError(
            '{0}: file_id "{value}" is not a file of this item; keep the file_id, set it to null, or send new content',
            path,
            value=value,
        )
    return SConstraintError(
        '{0}: "{key}" describes the stored content and is set by backo; '
        'send new content to change it (value="{value}")',
        path,
        key=key,
        value=f"<{len(value)} bytes>" if isinstance(value, (bytes, bytearray)) else value,
    )


def assigned_by_client(field: GenericType) -> bool:
    """Tell whether a value assigned to ``field`` now comes from a client, not from storage.

    ``Item._fill`` assigns a stored document with the Item's permissions off and its
    ``_id`` in the document. A client's update runs with permissions on, and a client's
    create has no ``_id`` yet. Trusted code may turn permissions off on a stored Item.
    A plain stricto ``Dict`` (no ``_id`` field: not an Item) is the program's own value,
    never a client's: it is not stored nor served, so it may hold any metadata (as in 0.2.1).
    """
    root = field.get_root()
    if root._permissions.get_permissions_status():
        return True
    if not isinstance(root, Dict) or "_id" not in root._keys:
        return False
    return root.__dict__["_id"].get_value() is None


def stored_fields(field: GenericType, kind: type) -> Iterator[Any]:
    """The ``kind`` fields of the stored version of ``field``'s Item (none if it was never stored)."""
    stored = getattr(field.get_root(), "_loaded_object", None)
    if isinstance(stored, GenericType):
        yield from walk_fields(stored, kind)
