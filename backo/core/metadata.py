"""Metadata handlers: what backo adds to every Item under ``_meta``, and when it updates it."""

from datetime import datetime

from stricto import Datetime, Dict, String, validation_parameters

from backo.current_user import current_user


class GenericMetaDataHandler:
    """A handler that adds nothing: Items built with it have no ``_meta``.

    Subclass it to keep your own metadata: ``append_schema`` adds fields to the Item
    schema once, ``update`` fills them on every create and save (never on migration or
    rollback).
    """

    def append_schema(self, o: Dict) -> None:
        """Add the metadata fields to the Item ``o``'s schema."""

    def update(self, o: Dict) -> None:
        """Refresh the metadata of ``o`` before it is written."""

    def __copy__(self) -> "GenericMetaDataHandler":
        # A handler is shared by every copy of the Items using it.
        return self


def _user_dict() -> dict[str, str | None]:
    user = current_user.retrieve_current_user()
    return {"_id": user._id.get_value(), "login": user.login.get_value()}


class StandardMetaDataHandler(GenericMetaDataHandler):
    """Creation and modification times and users, in ``_meta``.

    ``ctime`` and ``created_by`` are set once, at creation; ``mtime`` and ``modified_by``
    on every create and save, from :data:`backo.current_user`.
    """

    @validation_parameters
    def append_schema(self, o: Dict) -> None:
        o.add_to_model(
            "_meta",
            Dict(
                {
                    "ctime": Datetime(description="Creation time"),
                    "mtime": Datetime(description="Last modification time"),
                    "created_by": Dict(
                        {"_id": String(), "login": String(default="ANONYMOUS")},
                        description="Created by",
                    ),
                    "modified_by": Dict(
                        {"_id": String(), "login": String(default="ANONYMOUS")},
                        description="Modifyied by",
                    ),
                },
                can_modify=False,
                description="Meta data information",
            ),
        )

    def update(self, o: Dict) -> None:
        """Stamp ``o``: creation fields if still empty, modification fields always.

        The values are computed by backo, so they are assigned without a validation pass.
        """
        meta = Dict.__getattribute__(o, "_meta")
        now = datetime.now()
        user = _user_dict()
        values: dict = {"mtime": now, "modified_by": user}
        if meta.ctime.get_value() is None:
            values["ctime"] = now
        if meta.created_by._id.get_value() is None:
            values["created_by"] = user
        meta.set_value(values)

    @staticmethod
    def creation_stamp() -> dict:
        """The ``_meta`` :meth:`update` gives a new Item, already encoded for storage.

        Used to create Items of plain models without building them (see
        :mod:`backo.core.plain_model`); times are truncated to the second, as stricto's
        Datetime does.
        """
        now = datetime.now().replace(microsecond=0).isoformat()
        user = _user_dict()
        return {"ctime": now, "mtime": now, "created_by": user, "modified_by": dict(user)}

    @staticmethod
    def modification_stamp(meta: dict) -> dict:
        """The encoded ``_meta`` after :meth:`update` on a saved Item whose ``_meta`` is ``meta``."""
        now = datetime.now().replace(microsecond=0).isoformat()
        user = _user_dict()
        stamped = {**meta, "mtime": now, "modified_by": user}
        if meta.get("ctime") is None:
            stamped["ctime"] = now
        if (meta.get("created_by") or {}).get("_id") is None:
            stamped["created_by"] = dict(user)
        return stamped


#: The handler Items use unless told otherwise (shared, it holds no state).
DEFAULT_META_DATA_HANDLER = StandardMetaDataHandler()
