"""The keyword arguments of Item's database methods (load, save, delete, create...), checked and normalised."""

from typing import Any

from stricto import Dict

from backo.options import parse_options

from .references.loop_guard import OPERATION_MAX_LOOP, LoopPath

#: The keyword arguments every Item database method accepts (BEHAVIOR.md 4.3).
#: ``m_path`` is the documented name of ``looper``.
ITEM_METHOD_OPTIONS: dict[str, Any] = {
    "transaction_id": int | None,
    "looper|m_path": LoopPath | list | None,
    "old_object": Dict | None,
}


def item_method_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Check the kwargs of load/reload/save/delete/create and return them normalised.

    Unknown keys raise ``TypeError("keys [...] not used")``. The documented ``m_path``
    becomes ``looper``; given as a list, its ``(collection, _id, path)`` steps seed a new
    :class:`LoopPath`.
    """
    options = parse_options(dict(kwargs), ITEM_METHOD_OPTIONS, strict=True)
    if "m_path" not in kwargs:
        return dict(kwargs)
    normalised = {key: value for key, value in kwargs.items() if key != "m_path"}
    looper = options.get("looper")
    if isinstance(looper, list):
        seeded = LoopPath()
        for step in looper:
            if isinstance(step, tuple) and len(step) == 3:
                seeded.append(*step)
        looper = seeded
    normalised["looper"] = looper
    return normalised


def with_operation_guard(kwargs: dict[str, Any], transaction_id: int | None) -> dict[str, Any]:
    """The kwargs handed to event handlers: the transaction, and a loop guard for this operation."""
    kwargs["transaction_id"] = transaction_id
    if kwargs.get("looper") is None:
        kwargs["looper"] = LoopPath(max_loop=OPERATION_MAX_LOOP)
    return kwargs
