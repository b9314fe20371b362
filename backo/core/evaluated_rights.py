"""``_meta`` with the rights evaluated for the current user (and one Item): what a front end needs.

backo 0.2.1's ``_meta`` renders a right given as a function as the word ``"Callable"``,
which tells a generic front end nothing. The evaluated form, asked for with
``GET {base}/_meta?_rights=evaluated`` (see :mod:`backo.http.evaluated_meta`), has the
same shape with every right replaced by the answer the API would give now:

* collection rights (``read``, ``create``, ``modify``, ``delete``) are called
  ``f(right_name, o)`` with ``o=None``, or with the stored Item when one is named;
* field rights (``rights.read``/``rights.modify``) and ``exists`` are stricto's
  evaluation on an empty Item, or on the stored Item (what ``POST /{c}/_meta`` gives);
* action rights ``see``/``execute`` and selection ``read`` follow the enforcement rules
  of :mod:`backo.core.enforcement` (True while not enforced, as the routes behave);
* a right whose function raises, or returns something else than a bool, is ``None``:
  "cannot be told here" (typically a rule that needs an Item, asked without one).

RefsList nodes also say what deleting the owner does (``"on_delete": "MUST_BE_EMPTY"``...),
so a front end can state the delete strategy. The default ``_meta`` is left unchanged.

Example::

    meta = evaluated_backoffice_meta(backoffice)              # for the current user
    one = evaluated_collection_meta(collection, item)         # for one loaded Item
    one["rights"]   # {"read": True, "create": False, "delete": None, "modify": True}
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from backo.log import COLLECTION, get_logger

from .collection import BaseCollection
from .item import Item
from .references.refslist import RefsList

log = get_logger(COLLECTION)

#: The collection rights, in 0.2.1's ``_meta`` order.
COLLECTION_RIGHTS = ("read", "create", "delete", "modify")


def _answer(evaluate: Callable[[], Any]) -> bool | None:
    """``evaluate()`` as a right: True or False, or None when it raises or is no bool."""
    try:
        value = evaluate()
    except Exception as error:  # noqa: BLE001 - a user's rights function may fail on o=None
        log.debug("right not evaluable here: %r", error)
        return None
    return value if isinstance(value, bool) else None


def _merge_field_rights(schema: dict, current: dict) -> None:
    """Copy the evaluated ``rights`` and ``exists`` of ``current`` (``get_current_meta``) into ``schema``."""
    for key in ("rights", "exists"):
        if key in current:
            schema[key] = current[key]
    sub_schema, sub_current = schema.get("sub_scheme"), current.get("sub_scheme")
    if isinstance(sub_schema, dict) and isinstance(sub_current, dict):
        for name, node in sub_schema.items():
            if isinstance(node, dict) and isinstance(sub_current.get(name), dict):
                _merge_field_rights(node, sub_current[name])
    if isinstance(schema.get("sub_type"), dict) and isinstance(current.get("sub_type"), dict):
        _merge_field_rights(schema["sub_type"], current["sub_type"])


def _add_delete_strategies(schema: dict, field: Any) -> None:
    """Add ``on_delete`` (the :class:`DeleteStrategy` name) to the RefsList nodes of ``schema``."""
    if isinstance(field, RefsList):
        schema["on_delete"] = field.on_delete.name
        return
    sub_schema = schema.get("sub_scheme")
    if not isinstance(sub_schema, dict):
        return
    for name, node in sub_schema.items():
        child = getattr(field, name, None) if hasattr(field, "keys") and name in field.keys() else None
        if isinstance(node, dict) and child is not None:
            _add_delete_strategies(node, child)


def _field_tree(collection: BaseCollection, item: Item | None) -> dict:
    """The model's schema with field rights evaluated on ``item`` (an empty Item if None)."""
    schema = collection.model.get_schema()
    subject = item
    if subject is None:
        subject = collection.new_item()
        subject.enable_permissions()
    try:
        current = subject.get_current_meta()
    except Exception as error:  # noqa: BLE001 - a field rights function may fail on an empty Item
        log.debug("field rights of %s not evaluable here: %r", collection.name, error)
    else:
        _merge_field_rights(schema, current)
    _add_delete_strategies(schema, collection.model)
    return schema


def evaluated_collection_meta(collection: BaseCollection, item: Item | None = None) -> dict:
    """``collection.get_meta()`` with its rights evaluated for the current user, on ``item`` if given.

    ``create`` is always asked with ``o=None`` (as the create route does).
    """
    meta = collection.get_meta()
    meta["item"] = _field_tree(collection, item)
    meta["rights"] = {
        name: _answer(partial(collection.is_allowed_to, name, None if name == "create" else item))
        for name in COLLECTION_RIGHTS
    }
    for entry in meta["actions"]:
        action = collection.actions[entry["name"]]
        entry["rights"] = dict(entry["rights"])
        entry["rights"]["see"] = _answer(partial(action.can_see, item))
        entry["rights"]["execute"] = _answer(partial(action.can_execute, item))
    for entry in meta["selections"]:
        selection = collection.selections[entry["name"]]
        entry["rights"] = dict(entry["rights"])
        entry["rights"]["read"] = _answer(partial(selection.is_allowed_to, "read", None))
    return meta


def evaluated_backoffice_meta(backoffice: Any) -> dict:
    """``backoffice.get_meta()`` with every collection's rights evaluated for the current user."""
    return {
        "name": backoffice.name,
        "collections": [evaluated_collection_meta(collection) for collection in backoffice.collections.values()],
    }
