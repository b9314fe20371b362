"""Compatibility module: backo 0.2.1's ``backo.openapi``; the code lives in :mod:`backo.http.openapi`."""

from .http.openapi import OpenAPISpec
from .http.openapi_schemas import BACKO_FILTER_SCHEMA, BACKO_META_SCHEMA, JSON_PATCH_SCHEMA

__all__ = ["BACKO_FILTER_SCHEMA", "BACKO_META_SCHEMA", "JSON_PATCH_SCHEMA", "OpenAPISpec"]
