"""What stricto's ``get_view(name)`` leaves out of a value, computed without copying it.

backo 0.2.1 writes ``item.get_view("save").get_encoded()`` and answers ``GET /{c}/<_id>``
with ``item.get_view("client")``. For a view that no field names, that view is the whole
value except:

* a ``List`` (or ``Tuple``) that was never set (its value is None): the key is left out;
* a ``Dict`` left with no key by that rule: left out;
* the elements of a list that cannot be read, or are such a ``Dict``: left out.

So an unset List is stored without its key, not as ``null``, and loads back as None (a
stored ``null`` would load as ``[]``). :func:`encoded_as_view` applies these rules to
``get_encoded()``, :func:`view_leaves_out_something` tells whether a view would differ
from the value itself; both walk the fields, with no copy of the model.

stricto's views also leave out a ``Dict`` of no field at all (``Dict({})``); backo keeps
storing and answering it as ``{}``, as it always has (the plain-model fast path, see
:mod:`backo.core.plain_model`, gives the same).
"""

from typing import Any

from stricto import Dict, GenericType
from stricto.list_and_tuple import ListAndTuple

_LEFT_OUT = object()


def encoded_as_view(field: Dict, encoded: dict) -> dict:
    """``encoded`` (``field.get_encoded()``) as ``field.get_view(v).get_encoded()`` gives it,
    for a view ``v`` that no field of ``field`` names (``{}`` when nothing is left)."""
    shaped = _shaped(field, encoded)
    return {} if shaped is _LEFT_OUT else shaped


def _shaped(field: Any, encoded: Any) -> Any:
    """One value of :func:`encoded_as_view`, or ``_LEFT_OUT``."""
    if isinstance(field, Dict):
        if not isinstance(encoded, dict):
            return encoded
        out = {}
        for key in field._keys:
            if key in encoded:  # get_encoded() already left out the fields that cannot be read
                value = _shaped(object.__getattribute__(field, key), encoded[key])
                if value is not _LEFT_OUT:
                    out[key] = value
        return out if out or not encoded else _LEFT_OUT
    if isinstance(field, ListAndTuple):
        elements = GenericType.get_value(field)
        if encoded is None or elements is None:
            return _LEFT_OUT
        kept = []
        for element, value in zip(elements, encoded, strict=False):  # a shorter encoding keeps 0.2.1's cut
            if element.exists_or_can_read() is False:
                continue
            shaped = _shaped(element, value)
            if shaped is not _LEFT_OUT:
                kept.append(shaped)
        return tuple(kept) if isinstance(encoded, tuple) else kept
    return encoded


def view_leaves_out_something(field: Any) -> bool:
    """Tell whether a view that no field names would leave something of ``field`` out
    (see the module docstring), i.e. whether it differs from ``field`` itself."""
    return _leaves_out(field)


def _leaves_out(field: Any) -> bool:
    if isinstance(field, Dict):
        children = (object.__getattribute__(field, key) for key in field._keys)
        return any(child.exists_or_can_read() is not False and _leaves_out(child) for child in children)
    if isinstance(field, ListAndTuple):
        elements = GenericType.get_value(field)
        if elements is None:
            return True
        return any(element.exists_or_can_read() is False or _leaves_out(element) for element in elements)
    return False
