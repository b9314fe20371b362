"""The unit of work of each route, callable without HTTP.

Each function is what one route does once its request is parsed: one transaction for a
write (everything it writes, reference updates included, is undone if anything fails),
and the one place that picks the path: the **document path** (a plain model, see
:mod:`backo.core.plain_model`: the stored document is read and written without building
an Item) or the **Item path** (everything else). Both answer the same (the equivalence
tests of ``tests/core/test_plain_model.py``).

The read and write functions return what a client sees of the Item in a view
(:data:`Seen`): the plain record on the document path, the Item's view on the Item path
(None when the view keeps nothing); JSON-encoding either gives the same text. Scripts
may call them as the HTTP views do::

    from backo.core import operations

    seen = operations.update(backoffice.books, book_id, {"title": "Dune"}, "client")

The ``*_document`` functions are the document path alone: None, having written nothing,
when the Item is needed.
"""

import copy
from collections.abc import Callable
from typing import Any

from stricto import SSyntaxError, StrictoError

from backo.error import PathNotFoundError

from . import documents
from .action import Action
from .collection import BaseCollection
from .files.file import File
from .item import SYSTEM_FIELDS, Item
from .metadata import StandardMetaDataHandler
from .patch import Patch
from .plain_model import PlainModel, derives_ids_from_items
from .transaction import transaction

#: What a client sees of an Item in a view: a plain record, an Item's view, or None.
type Seen = dict | Item | None
#: A check of the Item's current state (as seen in the request's view) run inside a write's
#: transaction before anything is written; it raises to refuse (HTTP: ``If-Match`` -> 412).
type Precondition = Callable[[Seen], None]


def _check(collection: BaseCollection, _id: str, view: str, precondition: Precondition | None) -> None:
    """Run ``precondition`` on Item ``_id`` as seen in ``view`` (nothing when None).

    :raises NotFoundError: no such Item.
    """
    if precondition is not None:
        precondition(read(collection, _id, view))


# --- the choice of path ------------------------------------------------------------------


def _plain_for(collection: BaseCollection, view: str, *rights: str) -> PlainModel | None:
    """The compiled model if the document path may answer in ``view`` with ``rights``, else None.

    It may when the model is plain, the view is not a ``+view`` and each right is a plain
    ``True`` (a function of the Item needs the Item).
    """
    plain = collection.plain_model()
    if plain is None or view.startswith("+"):
        return None
    if any(collection.is_strictly_allowed_to(right) is not True for right in rights):
        return None
    return plain


def read_document(collection: BaseCollection, _id: str, view: str) -> dict | None:
    """Item ``_id`` as a client sees it in ``view``, straight from its stored document.

    None when that takes building the Item (the model is not plain, the read right is a
    function, the view is a ``+view``, the document is unusual): the caller loads it.

    :raises NotFoundError: no such Item.
    """
    plain = _plain_for(collection, view, "read")
    if plain is None:
        return None
    return plain.read(documents.connector(collection).get_by_id(str(_id)))


def create_document(collection: BaseCollection, body: Any, view: str, transaction_id: int | None = None) -> dict | None:
    """Create an Item from ``body`` without building it, and return what the client sees.

    Does exactly what :meth:`BaseCollection.create` does for a plain model and a plain
    body; returns None, having written nothing, when the Item is needed (anything
    ``create`` would convert, refuse or hand to an event).
    """
    plain = _plain_for(collection, view, "create")
    if plain is None or not isinstance(body, dict) or derives_ids_from_items(collection.db_handler):
        return None
    values = {key: value for key, value in body.items() if key not in SYSTEM_FIELDS}
    document = plain.new_document(values, StandardMetaDataHandler.creation_stamp() if plain.stamps_meta else None)
    if document is None:
        return None
    return documents.insert_document(collection, document, transaction_id)


def update_document(
    collection: BaseCollection, _id: str, body: Any, view: str, transaction_id: int | None = None
) -> dict | None:
    """``PUT`` without building the Item: merge ``body`` into Item ``_id`` and save it.

    Does what loading the Item, ``item.set(body)`` and ``item.save()`` do, for a plain
    model; returns None, having written nothing, when the Item is needed.

    :raises NotFoundError: no such Item.
    """
    plain = _plain_for(collection, view, "read", "modify")
    if plain is None:
        return None
    with transaction(collection.backoffice, transaction_id) as current_transaction:
        stored = documents.connector(collection).get_by_id(str(_id))
        document = plain.update(stored, body)
        if document is None:
            return None
        return documents.save_document(collection, document, stored, current_transaction, plain.stamps_meta)


# --- the routes' operations --------------------------------------------------------------


def load(collection: BaseCollection, _id: str, transaction_id: int | None = None) -> Item:
    """The stored Item ``_id`` (read right checked by the Item).

    :raises NotFoundError: no such Item.
    """
    item = collection.new_item()
    item.load(_id, transaction_id=transaction_id)
    return item


def read(collection: BaseCollection, _id: str, view: str) -> Seen:
    """``GET /{c}/<_id>``: Item ``_id`` as seen in ``view``."""
    document = read_document(collection, _id, view)
    if document is not None:
        return document
    return load(collection, _id).view(view)


def create(collection: BaseCollection, body: Any, view: str, transaction_id: int | None = None) -> Seen:
    """``POST /{c}``: create an Item from ``body``, in one transaction; it is returned as seen in ``view``.

    ``transaction_id`` joins an open transaction (bulk creates).
    """
    with transaction(collection.backoffice, transaction_id) as transaction_id:
        document = create_document(collection, body, view, transaction_id)
        if document is not None:
            return document
        item = collection.create(body, transaction_id=transaction_id)
    return item.view(view)


def update(
    collection: BaseCollection, _id: str, body: Any, view: str, precondition: Precondition | None = None
) -> Seen:
    """``PUT /{c}/<_id>``: merge ``body`` into the stored Item (partial, deep) and save it.

    The load, the merge and the save are one transaction, under the write lock: no other
    writer's update is lost in between. ``precondition`` runs first, in that transaction.
    """
    with transaction(collection.backoffice) as transaction_id:
        _check(collection, _id, view, precondition)
        document = update_document(collection, _id, body, view, transaction_id)
        if document is not None:
            return document
        item = load(collection, _id, transaction_id)
        item.set(body)
        item.save(transaction_id=transaction_id)
    return item.view(view)


def patch(
    collection: BaseCollection, _id: str, patches: list[Patch], view: str, precondition: Precondition | None = None
) -> Seen:
    """``PATCH /{c}/<_id>``: apply the operations in order to the stored Item, then save it once.

    ``precondition`` runs first, in the same transaction.
    """
    with transaction(collection.backoffice) as transaction_id:
        _check(collection, _id, view, precondition)
        item = load(collection, _id, transaction_id)
        for one in patches:
            one.apply_to(item)
        item.save(transaction_id=transaction_id)
    return item.view(view)


def delete(
    collection: BaseCollection,
    _id: str,
    precondition: Precondition | None = None,
    view: str = "client",
    transaction_id: int | None = None,
) -> None:
    """``DELETE /{c}/<_id>``: delete the stored Item (and what its references' strategies say).

    ``precondition`` runs first (on the Item as seen in ``view``), in the same
    transaction; ``transaction_id`` joins an open transaction (bulk deletes).
    """
    with transaction(collection.backoffice, transaction_id) as transaction_id:
        _check(collection, _id, view, precondition)
        item = load(collection, _id, transaction_id)
        item.delete(transaction_id=transaction_id)


def action_named(collection: BaseCollection, name: str) -> Action:
    """The action registered as ``name``.

    :raises SSyntaxError: there is none (400).
    """
    registered = collection.actions.get(name)
    if registered is None:
        raise SSyntaxError('collection "{0}" has no action "{1}"', collection.name, name)
    return registered


def run_action(
    collection: BaseCollection,
    action: Action,
    _id: str,
    body: Any,
    precondition: Precondition | None = None,
    view: str = "client",
) -> None:
    """``POST /{c}/_actions/<action>/<_id>``: run ``action`` on Item ``_id`` with ``body``.

    The body is validated on a copy of the registered action, so that runs never share
    payload values; the load and the run are one transaction. ``on_trig`` receives
    ``transaction_id`` if it accepts it. ``precondition`` runs first (on the Item as seen
    in ``view``), in the same transaction.
    """
    payload = copy.copy(action)
    payload.set(body)
    with transaction(collection.backoffice) as transaction_id:
        _check(collection, _id, view, precondition)
        item = load(collection, _id, transaction_id)
        payload.go(item, transaction_id=transaction_id)


def stored_file(collection: BaseCollection, _id: str, path: str) -> File:
    """The File field at ``path`` (``f``, ``sub.f`` or ``$.f``) of the stored Item ``_id``.

    :raises PathNotFoundError: no such field, or it is not a File.
    """
    item = load(collection, _id)
    selector = path if path.startswith("$.") else f"$.{path}"
    field = item.select(selector)
    if field is None:
        raise PathNotFoundError('{0}: path "{1}" not found', collection.name, selector)
    if not isinstance(field, File):
        raise PathNotFoundError(
            '{0}: path "{1}" must be a File(), and actually is "{2}"', collection.name, selector, type(field)
        )
    return field


def unvalidated_item(collection: BaseCollection, values: dict) -> Item:
    """A new Item holding ``values`` without validation (unknown keys still refused)."""
    item = collection.new_item()
    item.set_value(values)
    item.enable_permissions()
    return item


def check(collection: BaseCollection, path: str, values: dict) -> str | None:
    """``POST /{c}/_check``: the error the field at ``path`` would raise if the Item held
    ``values``, or None if it is valid. stricto checks the whole object, so the first error
    anywhere is reported.

    :raises PathNotFoundError: no readable field at ``path``.
    """
    item = unvalidated_item(collection, values)
    try:
        field = item.select(path)
    except Exception:  # noqa: BLE001 - an unreadable selector is a path not found
        field = None
    if field is None or field.exists_or_can_read() is False:
        raise PathNotFoundError('Path "{0}" not found in collection "{1}"', path, collection.name)
    try:
        field.check(field.get_value())
    except Exception as error:
        if not isinstance(error, StrictoError):
            raise
        return error.to_string()
    return None


def current_meta(collection: BaseCollection, values: dict) -> dict:
    """``POST /{c}/_meta``: the model's meta with rights evaluated for ``values``."""
    return unvalidated_item(collection, values).get_current_meta()
