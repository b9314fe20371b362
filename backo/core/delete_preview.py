"""What deleting an Item would do, computed without writing anything.

:func:`preview` follows the rules :mod:`backo.core.references.sync` applies on a real
delete, reading only:

* a ``Ref`` with a reverse field: the target stops pointing back (an *unlink*);
* a ``RefsList`` (``FILL``: its ids; ``NOT_FILL``: the Items found pointing here):
  ``DELETE_REFERENCED_ITEMS`` deletes them too (and whatever *their* deletes do),
  ``UNLINK_REFERENCED_ITEMS`` clears their reverse field, ``MUST_BE_EMPTY`` refuses the
  whole delete while they exist (the real delete answers 500 ``Collection "x" not empty``);
* every Item the delete would remove must grant the ``delete`` right, or the delete is
  refused (403).

Answer::

    {"would_delete": true,
     "delete":  [{"collection": "authors", "_id": "a1"}, {"collection": "books", "_id": "b1"}],
     "unlink":  [{"collection": "shops", "_id": "s1", "field": "$.authors"}],
     "refused": []}

``refused`` lists ``{"collection", "_id", "field", "reason", "referencing": [ids]}``;
``would_delete`` is false when it is not empty. Unlinks of Items deleted anyway are left out.

.. versionadded:: 0.3.0
"""

from collections.abc import Iterator
from typing import Any

from stricto import Dict

from backo.error import NotFoundError

from .collection import BaseCollection
from .item import Item
from .references.strategies import DeleteStrategy, FillStrategy
from .references.sync import DEFAULT_ID, is_reference, referrers, target_collection

#: The most Items a preview follows (a cascade larger than this is cut and says so).
MAX_PREVIEW_ITEMS = 10_000


def reference_fields(field: Any) -> Iterator[Any]:
    """Every Ref and RefsList of an Item, nested Dicts included."""
    for key in field._keys:
        child = field.__dict__[key]
        if is_reference(child):
            yield child
        elif isinstance(child, Dict):
            yield from reference_fields(child)


class _Preview:
    """The walk over the Items a delete reaches."""

    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []
        self.unlinked: list[tuple[str, str, str]] = []
        self.refused: list[dict] = []
        self.truncated = False

    def visit(self, collection: BaseCollection, item: Item) -> None:
        key = (str(collection.name), str(item._id.get_value()))
        if key in self.deleted:
            return
        if len(self.deleted) >= MAX_PREVIEW_ITEMS:
            self.truncated = True
            return
        self.deleted.append(key)
        if collection.is_allowed_to("delete", item) is not True:
            self.refused.append({"collection": key[0], "_id": key[1], "field": None, "reason": "no delete right"})
        for field in reference_fields(item):
            if field.reference_kind == "one":
                self._ref(field, item)
            else:
                self._refs_list(field, item, key)

    def _ref(self, field: Any, root: Item) -> None:
        value = field.get_value()
        if value in (None, DEFAULT_ID) or field.reverse is None:
            return
        target = target_collection(field, root)
        self.unlinked.append((str(target.name), str(value), field.reverse))

    def _refs_list(self, field: Any, root: Item, key: tuple[str, str]) -> None:
        filled = field.on_fill is FillStrategy.FILL
        if field.reverse is None and (not filled or field.on_delete is DeleteStrategy.MUST_BE_EMPTY):
            return
        if filled:
            ids = list(dict.fromkeys(field.get_value() or []))
        else:
            ids = [str(one._id.get_value()) for one in referrers(field, root, key[1])]
        if not ids:
            return
        target = target_collection(field, root)
        if field.on_delete is DeleteStrategy.MUST_BE_EMPTY:
            self.refused.append(
                {
                    "collection": key[0],
                    "_id": key[1],
                    "field": field.path_name(),
                    "reason": f'MUST_BE_EMPTY: "{target.name}" items still point here',
                    "referencing": ids,
                }
            )
        elif field.on_delete is DeleteStrategy.DELETE_REFERENCED_ITEMS:
            for target_id in ids:
                self._cascade(target, target_id)
        elif field.reverse is not None:
            self.unlinked.extend((str(target.name), target_id, field.reverse) for target_id in ids)

    def _cascade(self, collection: BaseCollection, _id: str) -> None:
        item = collection.new_item()
        try:
            item.load(_id)
        except NotFoundError:
            return  # the real cascade skips it too (with a warning)
        item.enable_permissions()
        self.visit(collection, item)

    def answer(self) -> dict:
        deleted = set(self.deleted)
        unlink = [
            {"collection": name, "_id": _id, "field": field}
            for name, _id, field in dict.fromkeys(self.unlinked)
            if (name, _id) not in deleted
        ]
        answer = {
            "would_delete": not self.refused and not self.truncated,
            "delete": [{"collection": name, "_id": _id} for name, _id in self.deleted],
            "unlink": unlink,
            "refused": self.refused,
        }
        if self.truncated:
            answer["truncated"] = True
        return answer


def preview(collection: BaseCollection, _id: str) -> dict:
    """What ``DELETE /{c}/<_id>`` (or ``item.delete()``) would do, writing nothing (see the module docstring).

    :raises NotFoundError: no such Item (404).
    :raises SRightError: the user may not read it (403).
    """
    item = collection.new_item()
    item.load(_id)
    item.enable_permissions()
    walk = _Preview()
    walk.visit(collection, item)
    return walk.answer()
