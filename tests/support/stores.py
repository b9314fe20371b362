"""The type of the ``store_factory`` fixture (``tests/conftest.py``)."""

from collections.abc import Callable

from backo import DBConnector

#: Builds one connector per collection name, of the kind under test.
StoreFactory = Callable[[str], DBConnector]
