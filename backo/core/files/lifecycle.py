"""How File content follows its Item's transactions: undo on rollback, release after commit.

A File writes new content during its Item's create or save, under a new id, and must
(1) remove that content if the operation rolls back, (2) remove the content it replaced,
or the content of a deleted Item, only once the operation is committed: before that, a
rollback restores documents that still point at it.

(1) uses the transaction's undo log: :class:`ContentUndo` is a step like the database
ones (``BaseBackoffice.record_step``), undone last-in first-out on rollback. (2) waits
for the commit (``BaseBackoffice.on_commit``); outside any transaction it happens at once.
"""

import functools
from collections.abc import Callable, Iterator
from typing import Any

from stricto import Dict, GenericType

from backo.error import FileError
from backo.log import FILE, get_logger
from backo.storage.files.base import FileConnector

_log = get_logger(FILE)


class ContentUndo:
    """A transaction step that undoes a content write (``rollback`` runs ``undo``)."""

    def __init__(self, description: str, undo: Callable[[], None]) -> None:
        self.description = description
        self._undo = undo

    def rollback(self, backoffice: Any) -> None:
        """Undo the write (the signature of ``Transaction.rollback``)."""
        self._undo()

    def __repr__(self) -> str:
        return f"ContentUndo({self.description!r})"


def _backoffice_of(root: Any) -> Any:
    """The backoffice the root Item belongs to, or None (a plain Dict, an unregistered Item)."""
    collection = getattr(root, "_collection", None)
    return None if collection is None else getattr(collection, "backoffice", None)


def register_undo(root: Any, event_kwargs: dict[str, Any], description: str, undo: Callable[[], None]) -> bool:
    """Run ``undo`` if the transaction of this event rolls back; False if there is none.

    Without a transaction (an Item outside any backoffice) nothing can be undone: content
    written by a failed operation stays, unreferenced.
    """
    backoffice = _backoffice_of(root)
    transaction_id = event_kwargs.get("transaction_id")
    if backoffice is None or transaction_id is None:
        return False
    if transaction_id not in backoffice.transactions:
        return False
    backoffice.record_step(transaction_id, ContentUndo(description, undo))
    return True


def after_commit(root: Any, event_kwargs: dict[str, Any], action: Callable[[], None]) -> None:
    """Run ``action`` once the transaction of this event commits (at once if it cannot wait)."""
    backoffice = _backoffice_of(root)
    transaction_id = event_kwargs.get("transaction_id")
    if backoffice is not None and transaction_id is not None:
        backoffice.on_commit(transaction_id, action)
        return
    action()


#: Where a File's content is stored: its id, its work connector and its cold one (if any).
StoredContent = tuple[str, FileConnector, FileConnector | None]


def release_content(stored: StoredContent | None, root: Any, event_kwargs: dict[str, Any]) -> None:
    """Remove the content ``stored`` designates once the event's transaction commits."""
    if stored is not None:
        after_commit(root, event_kwargs, functools.partial(discard_content, *stored))


def release_replaced_content(root: Any, event_kwargs: dict[str, Any], kind: type) -> None:
    """After a save: release the content of ``kind`` fields the previous version referenced and the Item no longer does.

    The whole Item is compared, not field by field, so that content moving within a
    list of Files is kept.
    """
    old_object = event_kwargs.get("old_object")
    if old_object is None:
        return
    kept = {(stored[1], stored[0]) for field in walk_fields(root, kind) if (stored := field.stored_content())}
    for previous in walk_fields(old_object, kind):
        stored = previous.stored_content()
        if stored is not None and (stored[1], stored[0]) not in kept:
            release_content(stored, root, event_kwargs)


def discard_content(file_id: str, *connectors: FileConnector | None) -> None:
    """Remove ``file_id`` from each connector, logging (not raising) failures.

    Used once an operation has succeeded: content that cannot be removed is left behind
    (and logged), rather than failing or undoing the operation.
    """
    for connector in connectors:
        if connector is None:
            continue
        try:
            if connector.has_file(file_id):
                connector.delete(file_id)
        except FileError:
            _log.warning("could not remove file %r from %r", file_id, connector, exc_info=True)


def _on_created(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    me.on_created(event_name, root, me, **kwargs)


def _on_before_save(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    me.on_before_save(event_name, root, me, **kwargs)


def _on_saved(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    me.on_saved(event_name, root, me, **kwargs)


def _on_before_delete(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
    me.on_before_delete(event_name, root, me, **kwargs)


#: The handlers a File registers on its Item's events. Module functions, not bound
#: methods: stricto copies a field's registrations to its copies, and each call must
#: reach the File it is called on (``me``), not the model the handlers were declared on.
ITEM_EVENT_HANDLERS: list[tuple[str, Callable[..., None]]] = [
    ("created", _on_created),
    ("before_save", _on_before_save),
    ("saved", _on_saved),
    ("before_delete", _on_before_delete),
]


def walk_fields(field: GenericType, kind: type) -> Iterator[Any]:
    """Yield every field of type ``kind`` in ``field``'s tree, whatever the read rights.

    Does not look inside a ``kind`` field (a File's own metadata fields).
    """
    if isinstance(field, kind):
        yield field
        return
    if isinstance(field, Dict):
        for key in field._keys:
            yield from walk_fields(field.__dict__[key], kind)
        return
    elements = field.__dict__.get("_value")
    if isinstance(elements, list):
        for element in elements:
            if isinstance(element, GenericType):
                yield from walk_fields(element, kind)
