"""Compatibility module: backo 0.2.1's ``backo.request_decorators``; the code lives in :mod:`backo.http`."""

from .http.errors import error_to_http_handler, return_http_error
from .http.request import check_content_type

__all__ = ["check_content_type", "error_to_http_handler", "return_http_error"]
