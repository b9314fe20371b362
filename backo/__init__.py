"""backo: a low-code back office on top of stricto and Flask.

Declare Items, group them into Collections, register those in a Backoffice, and
``backoffice.build_routes(flask_app)`` serves a complete REST API.

This module is the public surface. Like backo 0.2.1 it also re-exports stricto's public
types and helpers (``String``, ``Int``, ``Dict``, ``Datetime``...), whatever the
installed stricto version provides — but not stricto's submodules, which would shadow
builtins such as ``dict`` and ``list`` after ``from backo import *``.
"""

import types as _types

import stricto as _stricto

from .action import Action as Action
from .backoffice import Backoffice as Backoffice
from .collection import Collection as Collection
from .core.filters import append_path_to_filter as append_path_to_filter
from .core.filters import multidict_to_filter as multidict_to_filter
from .current_user import CurrentUser as CurrentUser
from .current_user import CurrentUserWrapper as CurrentUserWrapper
from .current_user import current_user as current_user
from .db_backo_redirect import DBRedirect as DBRedirect
from .db_connector import DBConnector as DBConnector
from .db_memory_connector import DBMemoryConnector as DBMemoryConnector
from .db_mongo_connector import DBMongoConnector as DBMongoConnector
from .db_restfull_connector import DBRestfullConnector as DBRestfullConnector
from .db_yml_connector import DBYmlConnector as DBYmlConnector
from .error import BackoError as BackoError
from .error import DBError as DBError
from .error import FileError as FileError
from .error import NotFoundError as NotFoundError
from .error import PathNotFoundError as PathNotFoundError
from .error import SessionError as SessionError
from .file.blob_file import BlobFile as BlobFile
from .file.file import File as File
from .file.file_blob_connector import FileBlobConnector as FileBlobConnector
from .file.file_connector import FileConnector as FileConnector
from .file.file_system_connector import FileSystemConnector as FileSystemConnector
from .item import Item as Item
from .log import Logger as Logger
from .log import LogLevel as LogLevel
from .log import log_system as log_system
from .log import stack as stack
from .meta_data_handler import GenericMetaDataHandler as GenericMetaDataHandler
from .meta_data_handler import StandardMetaDataHandler as StandardMetaDataHandler
from .migration_report import MigrationReport as MigrationReport
from .ref import Ref as Ref
from .refslist import DeleteStrategy as DeleteStrategy
from .refslist import FillStrategy as FillStrategy
from .refslist import RefsList as RefsList
from .request_decorators import check_content_type as check_content_type
from .request_decorators import error_to_http_handler as error_to_http_handler
from .request_decorators import return_http_error as return_http_error
from .selection import Selection as Selection
from .status import StatusType as StatusType

#: stricto's public names re-exported here (types, errors, helpers; no submodules).
STRICTO_NAMES: list[str] = [
    name
    for name, value in vars(_stricto).items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
]
globals().update({name: getattr(_stricto, name) for name in STRICTO_NAMES})

__version__ = "0.3.0.dev0"

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
    "DBRedirect",
    "DBRestfullConnector",
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
