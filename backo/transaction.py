"""Compatibility module: backo 0.2.1's `backo.transaction`; the code lives in `backo.core.transaction`."""

from .core.transaction import OperatorType, Transaction  # noqa: F401
