"""Database connectors: stores of plain-dict documents keyed by ``_id``.

storage.db knows dicts, never Items. From backo it imports only ``backo.error`` and
``backo.log``: no ``backo.core``, no ``backo.http``, no Flask. Every backend subclasses
:class:`DBConnector` (``base.py``), whose docstrings are the contract; the embedded
stores answer queries with the pure functions of ``listing.py``.
"""

from .base import DBConnector as DBConnector
from .memory import DBMemoryConnector as DBMemoryConnector
from .yml import DBYmlConnector as DBYmlConnector

__all__ = ["DBConnector", "DBMemoryConnector", "DBYmlConnector"]
