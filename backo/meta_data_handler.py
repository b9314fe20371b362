"""Compatibility module: backo 0.2.1's `backo.meta_data_handler`; the code lives in `backo.core.metadata`."""

from .core.metadata import GenericMetaDataHandler, StandardMetaDataHandler  # noqa: F401
