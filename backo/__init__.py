"""backo: a low-code back office on top of stricto and Flask.

Declare Items, group them into Collections, register those in a Backoffice, and
``backoffice.build_routes(flask_app)`` serves a complete REST API.

This module is the public surface. Like backo 0.2.1 it also re-exports stricto's public
types and helpers (``String``, ``Int``, ``Dict``, ``Datetime``...), whatever the
installed stricto version provides — but not stricto's submodules, which would shadow
builtins such as ``dict`` and ``list`` after ``from backo import *``.

Importing backo needs none of the optional dependencies (pymongo, requests, python-magic,
psycopg: the extras of docs/install.md) nor ``fcntl``: the connector or feature that needs
one raises :class:`MissingExtraError`, naming the install line, when it is used. The SQL
connectors are imported on first use (PEP 562 ``__getattr__``).
"""

import importlib as _importlib
import types as _types
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

import stricto as _stricto

from . import _legacy
from .backoffice import Backoffice as Backoffice
from .collection import Collection as Collection
from .core.action import Action as Action
from .core.files.blob_file import BlobFile as BlobFile
from .core.files.file import File as File
from .core.filters import append_path_to_filter as append_path_to_filter
from .core.filters import multidict_to_filter as multidict_to_filter
from .core.item import Item as Item
from .core.metadata import GenericMetaDataHandler as GenericMetaDataHandler
from .core.metadata import StandardMetaDataHandler as StandardMetaDataHandler
from .core.migration import MigrationReport as MigrationReport
from .core.references.ref import Ref as Ref
from .core.references.refslist import RefsList as RefsList
from .core.references.strategies import DeleteStrategy as DeleteStrategy
from .core.references.strategies import FillStrategy as FillStrategy
from .core.selection import Selection as Selection
from .core.status import StatusType as StatusType
from .current_user import CurrentUser as CurrentUser
from .current_user import CurrentUserWrapper as CurrentUserWrapper
from .current_user import current_user as current_user
from .error import BackoError as BackoError
from .error import DBError as DBError
from .error import FileError as FileError
from .error import MissingExtraError as MissingExtraError
from .error import NotFoundError as NotFoundError
from .error import PathNotFoundError as PathNotFoundError
from .error import SessionError as SessionError
from .http.errors import error_to_http_handler as error_to_http_handler
from .http.errors import return_http_error as return_http_error
from .http.request import check_content_type as check_content_type
from .log import Logger as Logger
from .log import LogLevel as LogLevel
from .log import log_system as log_system
from .log import stack as stack
from .storage.db import DBConnector as DBConnector
from .storage.db import DBMemoryConnector as DBMemoryConnector
from .storage.db import DBMongoConnector as DBMongoConnector
from .storage.db import DBRedirect as DBRedirect
from .storage.db import DBRestfullConnector as DBRestfullConnector
from .storage.db import DBYmlConnector as DBYmlConnector
from .storage.files import FileBlobConnector as FileBlobConnector
from .storage.files import FileConnector as FileConnector
from .storage.files import FileSystemConnector as FileSystemConnector

#: stricto's public names re-exported here (types, errors, helpers; no submodules).
STRICTO_NAMES: list[str] = [
    name
    for name, value in vars(_stricto).items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
]
globals().update({name: getattr(_stricto, name) for name in STRICTO_NAMES})

__version__ = "0.3.0.dev0"

#: Names whose module is imported on first use: ``backo.DBSQLiteConnector`` imports
#: :mod:`backo.storage.db.sql.sqlite` then, not at ``import backo``.
_LAZY: dict[str, str] = {
    "DBSQLiteConnector": "backo.storage.db.sql.sqlite",
    "DBPostgresConnector": "backo.storage.db.sql.postgres",
}


if _TYPE_CHECKING:  # a module __getattr__ would make every unknown backo.X an Any for type checkers
    from .storage.db.sql.postgres import DBPostgresConnector as DBPostgresConnector
    from .storage.db.sql.sqlite import DBSQLiteConnector as DBSQLiteConnector
else:

    def __getattr__(name: str) -> _Any:
        """PEP 562: the names of :data:`_LAZY`, imported (and then kept) on first access."""
        module_name = _LAZY.get(name)
        if module_name is None:
            raise AttributeError(f"module 'backo' has no attribute {name!r}")
        value = getattr(_importlib.import_module(module_name), name)
        globals()[name] = value
        return value


__all__ = [
    *STRICTO_NAMES,
    "Action",
    "BackoError",
    "Backoffice",
    "Collection",
    "CurrentUser",
    "CurrentUserWrapper",
    "DBConnector",
    "DBError",
    "DBMemoryConnector",
    "DBMongoConnector",
    "DBPostgresConnector",
    "DBRedirect",
    "DBRestfullConnector",
    "DBSQLiteConnector",
    "DBYmlConnector",
    "DeleteStrategy",
    "FillStrategy",
    "BlobFile",
    "File",
    "FileBlobConnector",
    "FileConnector",
    "FileError",
    "FileSystemConnector",
    "GenericMetaDataHandler",
    "Item",
    "LogLevel",
    "MigrationReport",
    "MissingExtraError",
    "Logger",
    "NotFoundError",
    "PathNotFoundError",
    "Ref",
    "RefsList",
    "Selection",
    "SessionError",
    "StandardMetaDataHandler",
    "StatusType",
    "append_path_to_filter",
    "check_content_type",
    "error_to_http_handler",
    "return_http_error",
    "current_user",
    "log_system",
    "multidict_to_filter",
    "stack",
]

_legacy.install()  # last: 0.2.1's module paths (backo.item...), as sys.modules entries
