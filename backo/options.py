"""Keyword-argument parsing on top of stricto's ``Kparse``, without its shared state (used by every layer).

``Kparse`` stores parsed values in a dict that is a *class* attribute, shared by every
instance; :func:`parse_options` gives each parse its own dict and returns a plain copy,
so concurrent parses cannot see each other's values.
"""

from typing import Any

from stricto import Kparse


class _IsolatedKparse(Kparse):
    """A Kparse whose parsed values live on the instance."""

    def __init__(self, obj: dict, model: dict, **kwargs: Any) -> None:
        self._data: dict[str, Any] = {}
        super().__init__(obj, model, **kwargs)


def parse_options(kwargs: dict, model: dict, *, strict: bool, consume: bool = True) -> dict[str, Any]:
    """Check ``kwargs`` against a Kparse ``model`` and return the canonical name -> value.

    With ``consume`` the recognised keys are removed from ``kwargs`` (the rest can go on to
    stricto); with ``strict`` an unrecognised key raises ``TypeError("keys [...] not used")``.
    """
    parsed = _IsolatedKparse(kwargs, model, strict=strict, pop=consume)
    return dict(parsed._data)
