"""Database connectors: stores of plain-dict documents keyed by ``_id``.

storage.db knows dicts, never Items. From backo it imports only ``backo.error``,
``backo.log``, ``backo.locks`` and the stricto-only kwargs helper ``backo.options``: no Items, no
``backo.http``, no Flask. Every backend subclasses :class:`DBConnector` (``base.py``),
whose docstrings are the contract; the embedded stores (memory, YAML) and DBRedirect
answer queries with the pure functions of ``listing.py`` over the filter language of
``query.py``, MongoDB answers them itself; the SQL stores (``sql/``: SQLite, PostgreSQL)
translate what they can to SQL.
"""

from .base import DBConnector as DBConnector
from .memory import DBMemoryConnector as DBMemoryConnector
from .mongo import DBMongoConnector as DBMongoConnector
from .redirect import DBRedirect as DBRedirect
from .rest import DBRestfullConnector as DBRestfullConnector
from .sql.postgres import DBPostgresConnector as DBPostgresConnector
from .sql.sqlite import DBSQLiteConnector as DBSQLiteConnector
from .yml import DBYmlConnector as DBYmlConnector

__all__ = [
    "DBConnector",
    "DBMemoryConnector",
    "DBMongoConnector",
    "DBPostgresConnector",
    "DBRedirect",
    "DBRestfullConnector",
    "DBSQLiteConnector",
    "DBYmlConnector",
]
