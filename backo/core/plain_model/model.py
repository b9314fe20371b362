"""PlainModel: the compiled form of a plain model, answering routes without Items."""

import functools
from typing import Any

from stricto import Dict

from ..metadata import StandardMetaDataHandler
from .matching import RecordTest, record_test
from .pushdown import pushable
from .records import encode_record, keeps_defaults_where_unmodifiable, merge_record
from .specs import (
    KEY,
    KIND,
    REFS,
    TYPE,
    NotPlain,
    Spec,
    all_rights_known,
    compile_children,
    has_references,
    listens_to_nothing_but,
    modify_right,
    root_is_plain,
)


class PlainModel:
    """The compiled form of a plain model: reads and creates without building Items.

    Example::

        plain = PlainModel.compile(collection.model)
        if plain is not None:
            body = plain.read(collection.db_handler.get_by_id(_id))  # None: take the Item path
    """

    __slots__ = ("_specs", "_keys", "_body_specs", "_body_keys", "_meta_stamp", "_writable", "_updatable", "_lists")

    def __init__(self, specs: tuple[Spec, ...], meta_stamp: bool, references: bool = False) -> None:
        self._specs = specs
        self._keys = frozenset(spec[KEY] for spec in specs)
        self._body_specs = tuple(spec for spec in specs if spec[KEY] not in ("_id", "_meta"))
        self._body_keys = frozenset(spec[KEY] for spec in self._body_specs)
        self._meta_stamp = meta_stamp
        # References synchronise other Items on create and save: those need the Item.
        self._writable = not references
        self._updatable = self._writable and all_rights_known(specs)
        #: top-level RefsLists: key -> whether Refs pointing here fill it
        self._lists = {spec[KEY]: spec[TYPE] for spec in specs if spec[KIND] == REFS}

    @classmethod
    def compile(cls, model: Any, allowed_root_handlers: frozenset[Any] = frozenset()) -> "PlainModel | None":
        """The plain form of ``model`` (an Item), or None if some field is not plain.

        ``allowed_root_handlers`` are event handlers of the root known not to change
        values (backo's own status bookkeeping).
        """
        if not isinstance(model, Dict) or not root_is_plain(model):
            return None
        handler = model.__dict__.get("_state").meta_data_handler if "_state" in model.__dict__ else None
        if handler is not None and type(handler) is not StandardMetaDataHandler:
            return None
        try:  # first: it checks every field's attributes, which the handlers' walk reads
            specs = compile_children(model, modify_right(model, True))
        except NotPlain:
            return None
        if not listens_to_nothing_but(model, allowed_root_handlers):
            return None
        return cls(specs, meta_stamp=handler is not None, references=has_references(specs, model))

    def read(self, document: dict, validated: bool = True) -> dict | None:
        """What the Item holding the stored ``document`` shows a client, or None when unsure.

        With ``validated`` the result is what ``Item.load`` followed by JSON encoding
        gives; without, what a selection's Item gives (it skips stricto's validation,
        see :meth:`BaseCollection.item_from_document`): stored values, defaults for
        missing ones, datetimes as stricto writes them back.
        """
        if "_id" in document and type(document["_id"]) is not str:
            return None
        return encode_record(self._specs, self._keys, document, validated)

    def vouches_for(self, document: dict) -> bool:
        """Tell whether stricto would accept the stored ``document`` and fill an Item with
        the same values whether it validates or not (so that the validation can be skipped)."""
        checked = self.read(document)
        return checked is not None and checked == self.read(document, validated=False)

    def new_document(self, body: Any, meta: dict | None) -> dict | None:
        """The document ``Item.create(body)`` would store, ``_id`` still None; None when unsure.

        ``body`` has no ``_id`` nor ``_meta`` any more; ``meta`` is the stamp to store
        (see :meth:`StandardMetaDataHandler.creation_stamp`), None for a model without
        metadata. A value for a field the user may not modify that is not its default is
        the Item path's to refuse (or to accept, if the right is a function granting it).
        """
        if not self._writable or (meta is None) is self._meta_stamp:
            return None
        record = encode_record(self._body_specs, self._body_keys, body, validated=True)
        if record is None or not keeps_defaults_where_unmodifiable(self._body_specs, body):
            return None
        document: dict[str, Any] = {}
        for spec in self._specs:
            key = spec[KEY]
            if key == "_id":
                document[key] = None
            elif key == "_meta":
                document[key] = meta
            else:
                document[key] = record[key]
        return document

    def update(self, stored: dict, body: Any) -> dict | None:
        """What ``PUT`` stores for ``body`` over the ``stored`` document, ``_meta`` not yet stamped.

        That is ``Item.load`` then ``Item.set(body)``: a partial, deep merge in which
        defaults first fill the empty fields, a value equal to the current one keeps the
        current one, and a field the user may not modify must not change. None when
        unsure, or when the Item path would refuse (it then raises the error).
        """
        if not self._updatable:
            return None
        current = self.read(stored)
        if current is None:
            return None
        return merge_record(self._specs, self._keys, current, body)

    def relink(self, stored: dict, key: str, link_id: str, linked: bool, from_list: bool = False) -> dict | None:
        """The ``stored`` document once its RefsList ``key`` lists ``link_id`` (or no longer does).

        What a reference update does to the target Item (load it, then, permissions off,
        append to or filter the list), ``_meta`` not yet stamped; ``stored`` itself when
        the list already says so (nothing to write), None when unsure or when ``key`` is
        not a top-level RefsList. ``from_list``: the update comes from a RefsList, which
        fills a ``NOT_FILL`` list too (only a Ref's updates leave it alone).
        """
        if key not in self._lists:
            return None
        current = self.read(stored)
        if current is None:
            return None
        ids = current[key]
        if linked and link_id not in ids and (from_list or self._lists[key]):
            wanted = [*ids, link_id]
        elif not linked and link_id in ids:
            wanted = [one for one in ids if one != link_id]
        else:
            return stored
        return merge_record(self._specs, self._keys, current, {key: wanted}, enforce_rights=False)

    def matcher(self, match_filter: Any) -> RecordTest | None:
        """``Item.match(match_filter)`` as a test of what :meth:`read` returns; None if it needs Items.

        Decided here: dicts of conditions on plain fields, values compared for equality,
        ``$eq``, ``$ne``, ``$gt``, ``$gte``, ``$lt``, ``$lte`` and, on strings, ``$reg``.
        Anything else (``$and``, ``$or``, ``$not``, datetimes...) is left to stricto.
        """
        return record_test(self._specs, match_filter)

    def pushable(self, match_filter: Any) -> bool:
        """Whether a store evaluating ``match_filter`` on the stored documents (the storage
        contract's ``query.matches``) selects exactly the Items ``Item.match`` selects.

        Then the store may filter, count and page (see :mod:`.pushdown` for what passes
        and why the rest does not). ``match_filter`` is compiled already: its ``$reg``
        patterns are the collection's (see :mod:`backo.core.regex_filters`).
        """
        return pushable(self._specs, match_filter)

    @property
    def stamps_meta(self) -> bool:
        """Tell whether documents of this model carry the standard ``_meta``."""
        return self._meta_stamp


def derives_ids_from_items(db_handler: Any) -> bool:
    """Tell whether ``db_handler.generate_id`` may look at the Item being created.

    If it may not, a new document can be created without building an Item. A
    ``generate_id`` set on the connector instance (0.2.1's way:
    ``db.generate_id = lambda o: f"Book_{o.title}"``) is the application's, so it gets the
    Item; so does any connector whose instance attributes cannot be seen. Otherwise the
    connector's class says so, through :attr:`DBConnector.generates_ids_from_items`.
    """
    try:
        own = vars(db_handler)
    except TypeError:  # no __dict__: cannot tell what the instance holds
        return True
    if "generate_id" in own:
        return True
    connector_class: type = type(db_handler)
    return _declares_ids_from_items(connector_class)


@functools.cache
def _declares_ids_from_items(connector_class: type) -> bool:
    """``generates_ids_from_items`` as declared for the ``generate_id`` the class uses.

    The declaration counts only on the class that defines that ``generate_id`` or on a
    subclass of it: a class overriding ``generate_id`` without declaring anything gets
    True (the Item), whatever its bases declare.
    """
    for klass in connector_class.__mro__:
        declared = vars(klass)
        if "generates_ids_from_items" in declared:
            return bool(declared["generates_ids_from_items"])
        if "generate_id" in declared:
            return True
    return True
