"""backo 0.2.1's module paths, in one table: each one a ``sys.modules`` entry, not a file.

0.2.1 kept one module per concern at the top of the package (``backo.item``,
``backo.db_mongo_connector``, ``backo.file.file``...). Scripts import from those paths and
tests monkey-patch names inside them (BEHAVIOR.md section 0), so they keep working, with
module identity: a path whose names all live in one module *is* that module (as psf/requests'
``requests.packages``), so ``patch.object(backo.db_mongo_connector, "MongoClient", ...)``
patches :mod:`backo.storage.db.mongo`, whose connector reads that global at construction.
A path whose names are spread over several modules is a small module gathering them, and
``backo.file`` a package of such paths. No import hook: :func:`install` makes every entry
once, at the end of ``backo/__init__.py``. The same table gives the classes whose
``__module__`` (hence ``repr`` and pickle) names their 0.2.1 module.

Nothing inside backo imports these paths: import the real homes.
"""

import importlib
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import NamedTuple


class LegacyModule(NamedTuple):
    """One 0.2.1 module path: where its names live now, and which classes it names."""

    #: The real module(s). One: the path is that module. Several: a module gathering each
    #: name from the first home that has it. None: a package of the legacy paths below it.
    homes: tuple[str, ...]
    #: 0.2.1's names at this path: what ``from <path> import *`` gives.
    names: tuple[str, ...]
    #: The classes among ``names`` whose ``__module__`` is this path.
    classes: tuple[str, ...] = ()


_M = LegacyModule
_FILES = ("blob_file", "file", "file_blob_connector", "file_connector", "file_system_connector")

#: Every 0.2.1 path that is not a real module here (``backo.backoffice``, ``.collection``,
#: ``.error``, ``.log`` and ``.current_user`` are), plus 0.3's ``backo.db_memory_connector``.
LEGACY_MODULES: dict[str, LegacyModule] = {
    "backo.action": _M(("backo.core.action",), ("Action",), ("Action",)),
    "backo.api_toolbox": _M(
        ("backo.core.filters", "backo.http.request"),
        ("append_path_to_filter", "multidict_to_filter", "request_to_object"),
    ),
    "backo.collection_addon": _M(("backo.core.addon",), ("CollectionAddon",), ("CollectionAddon",)),
    "backo.db_backo_redirect": _M(("backo.storage.db.redirect",), ("DBRedirect",)),
    "backo.db_connector": _M(("backo.storage.db.base",), ("DBConnector",)),
    "backo.db_memory_connector": _M(("backo.storage.db.memory",), ("DBMemoryConnector",)),
    "backo.db_mongo_connector": _M(("backo.storage.db.mongo",), ("DBMongoConnector", "MongoClient", "ObjectId")),
    "backo.db_restfull_connector": _M(("backo.storage.db.rest",), ("DBRestfullConnector",)),
    "backo.db_yml_connector": _M(("backo.storage.db.yml",), ("DBYmlConnector",)),
    "backo.file": _M((), _FILES),
    "backo.file.blob_file": _M(("backo.core.files.blob_file",), ("BlobFile",), ("BlobFile",)),
    "backo.file.file": _M(
        ("backo.core.files.file", "backo.core.files.upload"),
        ("FILE_MODEL", "File", "MIME", "transform_to_filestorage"),
        ("File",),
    ),
    "backo.file.file_blob_connector": _M(("backo.storage.files.blob",), ("FileBlobConnector",)),
    "backo.file.file_connector": _M(("backo.storage.files.base",), ("FileConnector",)),
    "backo.file.file_system_connector": _M(("backo.storage.files.filesystem",), ("FileSystemConnector",)),
    "backo.item": _M(("backo.core.item",), ("Item",), ("Item",)),
    "backo.loop_path": _M(("backo.core.references.loop_guard",), ("DEFAULT_MAX_LOOP", "LoopPath"), ("LoopPath",)),
    "backo.meta_data_handler": _M(
        ("backo.core.metadata",),
        ("GenericMetaDataHandler", "StandardMetaDataHandler"),
        ("GenericMetaDataHandler", "StandardMetaDataHandler"),
    ),
    "backo.migration_report": _M(("backo.core.migration",), ("MigrationReport",), ("MigrationReport",)),
    "backo.openapi": _M(
        ("backo.http.openapi", "backo.http.openapi_schemas"),
        ("BACKO_FILTER_SCHEMA", "BACKO_META_SCHEMA", "JSON_PATCH_SCHEMA", "OpenAPISpec"),
    ),
    "backo.patch": _M(("backo.core.patch",), ("Patch",), ("Patch",)),
    "backo.ref": _M(("backo.core.references.ref",), ("DEFAULT_ID", "Ref"), ("Ref",)),
    "backo.refslist": _M(
        ("backo.core.references.refslist",),
        ("DEFAULT_ID", "DeleteStrategy", "FillStrategy", "RefsList"),
        ("DeleteStrategy", "FillStrategy", "RefsList"),
    ),
    "backo.request_decorators": _M(
        ("backo.http.errors", "backo.http.request"),
        ("check_content_type", "error_to_http_handler", "return_http_error"),
    ),
    "backo.selection": _M(("backo.core.selection",), ("Selection",), ("Selection",)),
    "backo.status": _M(("backo.core.status",), ("StatusType",), ("StatusType",)),
    "backo.transaction": _M(
        ("backo.core.transaction",), ("OperatorType", "Transaction"), ("OperatorType", "Transaction")
    ),
}  # fmt: skip


def _gathered(path: str, entry: LegacyModule) -> ModuleType:
    """A new module at ``path`` holding ``entry.names``, each from the first home having it."""
    is_package = not entry.homes
    module = importlib.util.module_from_spec(importlib.machinery.ModuleSpec(path, None, is_package=is_package))
    module.__doc__ = f"backo 0.2.1's ``{path}``: " + (
        "a package of legacy paths." if is_package else f"names gathered from {', '.join(entry.homes)}."
    )
    homes = [importlib.import_module(home) for home in entry.homes]
    for name in entry.names if homes else ():
        setattr(module, name, getattr(next(home for home in homes if hasattr(home, name)), name))
    vars(module)["__all__"] = list(entry.names)  # the star surface of the old path
    return module


def install() -> None:
    """Make every legacy path importable, as an attribute of its parent too; idempotent."""
    for path, entry in sorted(LEGACY_MODULES.items()):  # a package before its modules
        if len(entry.homes) == 1:
            module = importlib.import_module(entry.homes[0])
            if "__all__" not in vars(module):  # the star surface of the old path
                vars(module)["__all__"] = list(entry.names)
        else:
            module = sys.modules.get(path) or _gathered(path, entry)
        sys.modules[path] = module
        parent, _, child = path.rpartition(".")
        setattr(sys.modules[parent], child, module)
        for name in entry.classes:
            getattr(module, name).__module__ = path
