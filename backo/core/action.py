"""Action: an operation on one Item, richer than a PUT, with a payload schema and rights."""

import inspect
from collections.abc import Callable
from typing import Any

from stricto import Dict, SRightError, validation_parameters

from backo.log import ACTION, get_logger
from backo.options import parse_options

from .enforcement import ENFORCE_RIGHTS, backoffice_enforces, declares, evaluate_right

log = get_logger(ACTION)

ACTION_OPTIONS: dict[str, Any] = {
    "can_see|exists": {"type": bool | Callable, "default": True},
    "can_execute": {"type": bool | Callable, "default": True},
    ENFORCE_RIGHTS: {"type": bool, "default": False},
}

#: The rights an Action adds to its payload's permissions.
ACTION_RIGHTS = ("see", "execute")


def call_with_accepted_kwargs(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)``, leaving out the kwargs it does not accept.

    Lets backo pass ``transaction_id`` to handlers written ``f(action, o, **kwargs)``
    without breaking those written ``f(action, o)``.
    """
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return function(*args, **kwargs)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return function(*args, **kwargs)
    accepted = {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    return function(*args, **{key: value for key, value in kwargs.items() if key in accepted})


class Action(Dict):
    """A named operation on an Item: ``on_trig(action, item, **kwargs)`` with a validated payload.

    Example::

        def vote(action, book, **kwargs):
            book.score = action.score
            book.save(**kwargs)

        books.register_action("vote", Action({"score": Float(min=0.0, max=10.0)}, vote,
                                             can_execute=lambda right, book: current_user.has_role("READER")))

    ``can_see`` (alias ``exists``) tells whether the action makes sense for an Item,
    ``can_execute`` whether the current user may run it: bools or ``f(right_name, item)``.
    As in 0.2.1 they are evaluated only once the action's permissions are enabled
    (``action.enable_permissions()``); ``enforce_rights=True`` enables them here, and
    ``Backoffice(name, enforce_rights=True)`` enforces the rights of every action it serves
    (see :mod:`backo.core.enforcement`). Other keywords are stricto ``Dict`` options of the payload.
    """

    @validation_parameters
    def __init__(self, schema: dict, on_trig: Callable, **kwargs: Any) -> None:
        options = parse_options(kwargs, ACTION_OPTIONS, strict=False)
        Dict.__init__(self, schema, **kwargs)
        self._permissions.add_or_modify_permission("see", options["can_see"])
        self._permissions.add_or_modify_permission("execute", options["can_execute"])
        self.__dict__["on_trig"] = on_trig
        self.attach(None, None, None)
        if options[ENFORCE_RIGHTS]:
            self.enable_permissions()

    def attach(self, name: str | None, collection: Any, backoffice: Any) -> None:
        """Record where this action is registered (done by ``Collection.register_action``).

        ``name``, ``collection`` and ``backoffice`` become attributes, unless the payload
        has fields of those names.
        """
        attachment = {"name": name, "collection": collection, "backoffice": backoffice}
        self.__dict__["_attachment"] = attachment
        for attribute, value in attachment.items():
            if attribute not in self._keys:
                self.__dict__[attribute] = value

    def rights_enforced(self) -> bool:
        """Tell whether ``can_see`` / ``can_execute`` are evaluated (permissions enabled, or
        the backoffice enforces every action's rights)."""
        return self._permissions.get_permissions_status() is True or self._backoffice_enforces()

    def declares_rights(self) -> bool:
        """Tell whether ``can_see`` or ``can_execute`` is something else than ``True``."""
        return declares(self._permissions, ACTION_RIGHTS)

    def _backoffice_enforces(self) -> bool:
        return backoffice_enforces(self.__dict__["_attachment"]["backoffice"])

    def _right(self, right_name: str, o: Any) -> bool:
        return evaluate_right(self._permissions, right_name, o, self._backoffice_enforces()) is True

    def can_see(self, o: Any) -> bool:
        """Tell whether this action exists for the Item ``o`` (True while rights are not enforced)."""
        return self._right("see", o)

    def can_execute(self, o: Any) -> bool:
        """Tell whether the current user may run this action on ``o`` (True while rights are not enforced)."""
        return self._right("execute", o)

    def go(self, o: Any, **kwargs: Any) -> Any:
        """Run the action on ``o`` and return what ``on_trig`` returns.

        :raises SRightError: the action is not available for ``o`` or not allowed.
        """
        name = self.__dict__["_attachment"]["name"]
        if not self.can_see(o):
            log.error("Try to launch non available action '%s'", name)
            raise SRightError('Action "{0}" not available', name)
        if not self.can_execute(o):
            log.error("Try to launch forbidden action '%s'", name)
            raise SRightError('Action "{0}" forbidden', name)
        return call_with_accepted_kwargs(self.__dict__["on_trig"], self, o, **kwargs)
