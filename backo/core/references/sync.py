"""Reverse-link upkeep: keeping both sides of a Ref / RefsList relation consistent.

The event handlers of :class:`Ref` and :class:`RefsList` call the functions below. Each
update of a reverse field loads the target Item, changes the field, and saves the
target with the same ``transaction_id`` and ``looper``: the target's own handlers then
keep *its* other side in step, and the whole chain is one transaction.

The loop guard (:class:`LoopPath`) records every ``(collection, _id, field path)`` whose
change is being propagated, and every Item being deleted (path ``"$"``): a step that
would touch one of them again is skipped, so updates travelling A -> B -> A stop.

A field is recognised as a reference by its ``reference_kind`` attribute ("one" for a
Ref, "many" for a RefsList), so this module imports neither class.
"""

from collections.abc import Iterable
from typing import Any

from stricto import SSyntaxError, STypeError

from backo.error import BackoError, NotFoundError, PathNotFoundError
from backo.log import REF, get_logger

from ..documents import save_document
from .loop_guard import BEING_DELETED, LoopPath
from .strategies import DeleteStrategy, FillStrategy

log = get_logger(REF)

#: The value a required Ref holds until it is given one.
DEFAULT_ID = "NULL_ID"

_PROPAGATED_KWARGS = ("transaction_id", "looper")


def propagated(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The kwargs a reference update passes on to the Items it loads, saves or deletes."""
    return {key: kwargs[key] for key in _PROPAGATED_KWARGS if key in kwargs}


def is_reference(field: Any) -> bool:
    """Tell whether a stricto field is a Ref or a RefsList."""
    return getattr(field, "reference_kind", None) in ("one", "many")


def owner_collection(root: Any) -> Any:
    """The collection of the root Item of a field, or None.

    A reference field standing alone is its own root; its ``_collection`` names its
    target (0.2.1's attribute), not an owner.
    """
    return None if is_reference(root) else root._collection


def target_collection(field: Any, root: Any) -> Any:
    """The collection a reference field points into.

    :raises SSyntaxError: the owner is in no backoffice, or the target is not registered.
    """
    owner = owner_collection(root)
    target = None if owner is None or owner.backoffice is None else owner.get_other_collection(field.target_name)
    if target is None:
        raise SSyntaxError('Ref "{0}" to unnknown collection "{1}"', field.path_name(), field.target_name)
    return target


def _looper(kwargs: dict[str, Any]) -> LoopPath:
    looper = kwargs.get("looper")
    if looper is None:
        looper = kwargs["looper"] = LoopPath()
    return looper


def enter(kwargs: dict[str, Any], root: Any, field: Any) -> bool:
    """Record that ``field`` of ``root`` is propagating; False if it already is (a loop)."""
    looper = _looper(kwargs)
    step = (root._collection.name, root._id.get_value(), field.path_name())
    if looper.is_loop(*step):
        return False
    looper.append(*step)
    return True


def ensure_exists(collection: Any, ids: Iterable[str]) -> None:
    """Refuse ids that are not in ``collection``. :raises NotFoundError: naming the first one."""
    for _id in ids:
        collection.db_handler.get_by_id(_id)


def reverse_field(target: Any, selector: str, collection_name: str) -> Any:
    """The field ``selector`` of ``target``, which must be a Ref or a RefsList."""
    field = target.select(selector)
    if field is None:
        raise PathNotFoundError('Path "{0}" not found in collection "{1}"', selector, collection_name)
    if not is_reference(field):
        raise STypeError("{0}.{1} is not a Ref or a RefsList", collection_name, selector)
    return field


def fills(field: Any, from_list: bool) -> bool:
    """Tell whether linking adds to the reverse RefsList ``field``.

    A RefsList on the other side always does (many-to-many: each side mirrors the
    other); a Ref only when the list is ``FILL`` (``NOT_FILL`` lists are too long to keep).
    """
    return from_list or field.on_fill is FillStrategy.FILL


def _link(field: Any, link_id: str, linked: bool, from_list: bool) -> bool:
    """Make a reverse field point (or stop pointing) at ``link_id``; tell whether it changed.

    ``from_list`` tells that the update comes from a RefsList (see :func:`fills`).
    """
    if field.reference_kind == "one":
        current = field.get_value()
        wanted = link_id if linked else None
        if current == wanted or (not linked and current != link_id):
            return False
        field.set(wanted)
        return True
    ids = field.get_value() or []
    if linked and link_id not in ids and fills(field, from_list):
        field.append(link_id)
        return True
    if not linked and link_id in ids:
        field.set([one for one in ids if one != link_id])
        return True
    return False


def update_reverse(
    collection: Any,
    target_id: str,
    selector: str,
    link_id: str,
    linked: bool,
    kwargs: dict[str, Any],
    from_list: bool = False,
) -> None:
    """Make the reverse field of Item ``target_id`` point (or stop pointing) at ``link_id``.

    ``from_list``: the update comes from a RefsList, whose additions a reverse RefsList
    mirrors whatever its fill strategy (a Ref's do not fill a ``NOT_FILL`` list).
    When unlinking, a target that no longer exists is logged and skipped; when linking it
    is refused (NotFoundError). Any other error propagates, and the operation rolls back.
    """
    looper = _looper(kwargs)
    if looper.is_loop(collection.name, target_id, selector) or looper.is_loop(
        collection.name, target_id, BEING_DELETED
    ):
        return
    if _update_reverse_list_document(collection, target_id, selector, link_id, linked, kwargs, from_list):
        return
    target = collection.new_item()
    try:
        target.load(target_id, **propagated(kwargs))
    except NotFoundError as exc:  # a storage failure must fail the operation, not be skipped
        if linked:
            raise
        log.warning("%s : load %s in collection %s return an error (%s)", selector, target_id, collection.name, exc)
        return
    field = reverse_field(target, selector, collection.name)
    target.disable_permissions()
    changed = _link(field, link_id, linked, from_list)
    target.enable_permissions()
    if changed:
        target.save(**propagated(kwargs))


def _update_reverse_list_document(
    collection: Any,
    target_id: str,
    selector: str,
    link_id: str,
    linked: bool,
    kwargs: dict[str, Any],
    from_list: bool,
) -> bool:
    """:func:`update_reverse` on the stored document, when the reverse field is a RefsList of a
    plain model (see :mod:`backo.core.plain_model`); False when the Item must do it.

    Loading and saving the target Item costs stricto work for every id of its list: a
    book added to an author with 250 books cost 5x one added to an author with 5. On the
    document it is a list append. What the Item path would also do, and this one skips,
    is running the target's own reference handlers on save; for a list changed by the
    Ref pointing at it, they are no-ops (the loop guard stops the way back).
    """
    plain = collection.plain_model()
    if (
        plain is None
        or collection.is_strictly_allowed_to("read") is not True
        or collection.is_strictly_allowed_to("modify") is not True
    ):
        return False
    try:
        stored = collection.db_handler.get_by_id(target_id)
    except NotFoundError:
        return False  # the Item path reports it as it always did
    document = plain.relink(stored, selector.removeprefix("$."), link_id, linked, from_list)
    if document is None:
        return False
    if document is not stored:
        save_document(collection, document, stored, kwargs.get("transaction_id"), plain.stamps_meta)
    return True


def delete_referenced(collection: Any, target_id: str, kwargs: dict[str, Any]) -> None:
    """Delete Item ``target_id`` as part of a cascade (skipped if gone or already being deleted)."""
    if _looper(kwargs).is_loop(collection.name, target_id, BEING_DELETED):
        return
    target = collection.new_item()
    try:
        target.load(target_id, **propagated(kwargs))
    except NotFoundError:
        log.warning("cascade delete: %s not found in collection %s", target_id, collection.name)
        return
    target.delete(**propagated(kwargs))


def _value_in(old_object: Any, field: Any) -> Any:
    if old_object is None:
        return None
    previous = old_object.select(field.path_name())
    return None if previous is None else previous.get_value()


# --- Ref ------------------------------------------------------------------------------


def ref_created(me: Any, root: Any, kwargs: dict[str, Any]) -> None:
    """A new Item points at a target: refuse unknown ids, fill the target's reverse field."""
    value = me.get_value()
    if value is None:
        return
    collection = target_collection(me, root)
    if me.reverse is None:
        ensure_exists(collection, [value])
    elif enter(kwargs, root, me):
        update_reverse(collection, value, me.reverse, root._id.get_value(), True, kwargs)


def ref_before_save(me: Any, root: Any, kwargs: dict[str, Any]) -> None:
    """A Ref changed: unlink the old target, link the new one."""
    old, new = _value_in(kwargs.get("old_object"), me), me.get_value()
    if old == new:
        return
    collection = target_collection(me, root)
    if me.reverse is None:
        if new is not None:
            ensure_exists(collection, [new])
        return
    if not enter(kwargs, root, me):
        return
    if old not in (None, DEFAULT_ID):
        update_reverse(collection, old, me.reverse, root._id.get_value(), False, kwargs)
    if new is not None:
        update_reverse(collection, new, me.reverse, root._id.get_value(), True, kwargs)


def ref_before_delete(me: Any, root: Any, kwargs: dict[str, Any]) -> None:
    """An Item is deleted: its target stops pointing back at it."""
    value = me.get_value()
    if value in (None, DEFAULT_ID) or me.reverse is None:
        return
    collection = target_collection(me, root)
    if enter(kwargs, root, me):
        update_reverse(collection, value, me.reverse, root._id.get_value(), False, kwargs)


# --- RefsList -------------------------------------------------------------------------


def refslist_created(me: Any, root: Any, kwargs: dict[str, Any]) -> None:
    """A new Item lists targets: refuse unknown ids, point every target back at it."""
    ids = list(dict.fromkeys(me.get_value() or []))
    if not ids:
        return
    collection = target_collection(me, root)
    if me.reverse is None:
        ensure_exists(collection, ids)
    elif enter(kwargs, root, me):
        for target_id in ids:
            update_reverse(collection, target_id, me.reverse, root._id.get_value(), True, kwargs, from_list=True)


def refslist_before_save(me: Any, root: Any, kwargs: dict[str, Any]) -> None:
    """Ids added to the list point back at the owner; removed ones stop."""
    old_ids = _value_in(kwargs.get("old_object"), me) or []
    new_ids = me.get_value() or []
    old_set, new_set = set(old_ids), set(new_ids)
    added = [one for one in dict.fromkeys(new_ids) if one not in old_set]
    removed = [one for one in dict.fromkeys(old_ids) if one not in new_set]
    if not added and not removed:
        return
    collection = target_collection(me, root)
    if me.reverse is None:
        ensure_exists(collection, added)
        return
    if not enter(kwargs, root, me):
        return
    for target_id in added:
        update_reverse(collection, target_id, me.reverse, root._id.get_value(), True, kwargs, from_list=True)
    for target_id in removed:
        update_reverse(collection, target_id, me.reverse, root._id.get_value(), False, kwargs, from_list=True)


def referrers(me: Any, root: Any, root_id: str) -> list[Any]:
    """The Items of the target collection whose reverse field points at ``root_id``."""
    if me.reverse is None:
        return []
    collection = target_collection(me, root)
    model_field = collection.model.select(me.reverse)
    if not is_reference(model_field):
        raise STypeError("{0}.{1} is not a Ref or a RefsList", collection.name, me.reverse)
    condition: Any = root_id if model_field.reference_kind == "one" else ("$contains", root_id)
    for key in reversed(me.reverse.removeprefix("$.").split(".")):
        condition = {key: condition}
    return collection.select(condition)


def refslist_before_delete(me: Any, root: Any, kwargs: dict[str, Any]) -> None:
    """Apply the list's delete strategy (refuse, cascade or unlink)."""
    root_id = root._id.get_value()
    strategy, filled = me.on_delete, me.on_fill is FillStrategy.FILL
    if strategy is DeleteStrategy.MUST_BE_EMPTY:
        _require_empty(me, root, root_id, filled)
        return
    if not filled and me.reverse is None:
        return
    collection = target_collection(me, root)
    ids = (me.get_value() or []) if filled else [item._id.get_value() for item in referrers(me, root, root_id)]
    if strategy is DeleteStrategy.DELETE_REFERENCED_ITEMS:
        for target_id in dict.fromkeys(ids):
            delete_referenced(collection, target_id, kwargs)
    elif me.reverse is not None and enter(kwargs, root, me):
        for target_id in dict.fromkeys(ids):
            update_reverse(collection, target_id, me.reverse, root_id, False, kwargs, from_list=True)


def _require_empty(me: Any, root: Any, root_id: str, filled: bool) -> None:
    """MUST_BE_EMPTY: refuse the delete while something is still referenced (needs a reverse)."""
    if me.reverse is None:
        return
    if filled:
        if me.get_value():
            raise BackoError('Collection "{0}" not empty', me.target_name)
    elif referrers(me, root, root_id):
        raise BackoError('Collection (not filled) "{0}" not empty', me.target_name)


# --- check_syntax ---------------------------------------------------------------------


def check_syntax(me: Any, root: Any) -> None:
    """Log what is wrong with a reference declaration (never raises)."""
    owner = owner_collection(root)
    where = f"{None if owner is None else owner.name}/{me.path_name()}"
    target = None if owner is None or owner.backoffice is None else owner.backoffice.collections.get(me.target_name)
    if target is None:
        log.error('%s: Collection "%s" not found', where, me.target_name)
        return
    if me.reverse is None:
        log.warning('%s: Collection "%s". No reverse defined. Are you sure ?', where, me.target_name)
        return
    if not is_reference(target.model.select(me.reverse)):
        log.error('%s: Collection "%s", "%s" is not a Ref or a RefsList', where, me.target_name, me.reverse)
