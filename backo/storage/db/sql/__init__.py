"""SQL stores: collections as tables of JSON documents, on SQLite or PostgreSQL.

* :class:`~.sqlite.DBSQLiteConnector` (Python's sqlite3) and
  :class:`~.postgres.DBPostgresConnector` (psycopg 3, imported when the first connector is
  built) share one implementation, :class:`~.table.JSONTableConnector`; they differ by their
  :class:`~.table.Engine` (driver, connections, DDL) and :class:`~.dialect.Dialect`.
* :func:`~.translate.translate` turns a backo match filter into a WHERE clause with exactly
  ``query.matches``' meaning, or answers None (the filter then runs in Python).

Storage-level: imports only ``backo.error``, ``backo.log`` and ``backo.storage.db``.
See docs/storage-sql.md.
"""

from .postgres import DBPostgresConnector as DBPostgresConnector
from .sqlite import DBSQLiteConnector as DBSQLiteConnector

__all__ = ["DBPostgresConnector", "DBSQLiteConnector"]
