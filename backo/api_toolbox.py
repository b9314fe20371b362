"""Compatibility module: backo 0.2.1's ``backo.api_toolbox``.

The filter helpers are pure functions of :mod:`backo.core.filters`; ``request_to_object``
reads a Flask request (:mod:`backo.http.request`).
"""

from .core.filters import append_path_to_filter, multidict_to_filter
from .http.request import request_to_object

__all__ = ["append_path_to_filter", "multidict_to_filter", "request_to_object"]
