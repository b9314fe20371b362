"""The public surface: every documented name is exported, with the old aliases and module paths."""

import ast
import builtins
import importlib
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import pytest
import stricto

import backo
import backo.storage.db.mongo
from backo._legacy import LEGACY_MODULES, LegacyModule

#: backo's own documented exports (BEHAVIOR.md section 1), present in this release.
DOCUMENTED = [
    "Item", "Collection", "Backoffice", "Selection", "Action", "Ref", "RefsList",
    "DeleteStrategy", "FillStrategy", "StatusType", "DBConnector", "DBYmlConnector",
    "GenericMetaDataHandler", "StandardMetaDataHandler", "CurrentUser", "CurrentUserWrapper",
    "current_user", "DBError", "NotFoundError", "PathNotFoundError", "BackoError", "SessionError",
    "FileError", "Logger", "log_system", "LogLevel", "stack", "multidict_to_filter",
    "append_path_to_filter", "DBMongoConnector", "DBRestfullConnector", "DBRedirect", "MigrationReport",
    "File", "BlobFile", "FileConnector", "FileSystemConnector", "FileBlobConnector", "check_content_type", "return_http_error", "error_to_http_handler",
]  # fmt: skip

#: 0.2.1 module paths that are real modules here, with their names (BEHAVIOR.md section 0).
REAL_MODULES = {
    "backo.backoffice": ["Backoffice"],
    "backo.collection": ["Collection"],
    "backo.error": ["DBError", "FileError", "NotFoundError", "PathNotFoundError", "BackoError", "SessionError"],
    "backo.current_user": ["CurrentUser", "CurrentUserWrapper", "current_user", "ANONYMOUS_DATA"],
    "backo.log": ["Logger", "LogLevel", "log_system", "stack", "MyFormatter"],
}

#: Every module path of BEHAVIOR.md section 0 (the table in backo._legacy holds their contents),
#: plus 0.3's backo.db_memory_connector.
PATHS_0_2_1 = {
    "backo.backoffice", "backo.collection", "backo.collection_addon", "backo.item", "backo.action",
    "backo.selection", "backo.ref", "backo.refslist", "backo.loop_path", "backo.status", "backo.transaction",
    "backo.error", "backo.current_user", "backo.meta_data_handler", "backo.migration_report",
    "backo.request_decorators", "backo.api_toolbox", "backo.patch", "backo.openapi", "backo.log",
    "backo.db_connector", "backo.db_yml_connector", "backo.db_mongo_connector", "backo.db_restfull_connector",
    "backo.db_backo_redirect", "backo.file", "backo.file.file", "backo.file.blob_file", "backo.file.file_connector",
    "backo.file.file_system_connector", "backo.file.file_blob_connector", "backo.db_memory_connector",
}  # fmt: skip


def _star(path: str) -> set[str]:
    """The names ``from <path> import *`` binds."""
    namespace: dict[str, Any] = {}
    exec(f"from {path} import *", namespace)  # noqa: S102 - what a user script does
    return set(namespace) - {"__builtins__"}


@pytest.mark.parametrize("name", DOCUMENTED)
def test_documented_name_is_exported(name: str) -> None:
    assert hasattr(backo, name)
    assert name in backo.__all__


def test_every_0_2_1_module_path_is_real_or_in_the_legacy_table() -> None:
    assert set(REAL_MODULES) | set(LEGACY_MODULES) == PATHS_0_2_1
    assert not set(REAL_MODULES) & set(LEGACY_MODULES)


@pytest.mark.parametrize(("module", "names"), REAL_MODULES.items())
def test_real_module_paths_still_import(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    for name in names:
        assert hasattr(imported, name), f"{module}.{name}"


@pytest.mark.parametrize(("path", "entry"), LEGACY_MODULES.items())
def test_legacy_path_imports_with_its_names_and_no_more_on_star(path: str, entry: LegacyModule) -> None:
    imported = importlib.import_module(path)
    parent, _, child = path.rpartition(".")
    assert sys.modules[path] is imported and getattr(sys.modules[parent], child) is imported
    for name in entry.names:
        assert hasattr(imported, name), f"{path}.{name}"
    assert _star(path) == set(entry.names)


@pytest.mark.parametrize(("path", "entry"), LEGACY_MODULES.items())
def test_legacy_path_is_its_home_or_gathers_the_homes_objects(path: str, entry: LegacyModule) -> None:
    imported = importlib.import_module(path)
    homes = [importlib.import_module(home) for home in entry.homes]
    if len(homes) == 1:
        assert imported is homes[0]  # identity: patching the old path patches the real module
    for name in entry.names if len(homes) > 1 else ():
        assert any(getattr(home, name, None) is getattr(imported, name) for home in homes), f"{path}.{name}"
    if not homes:  # a package of legacy paths (0.2.1's namespace package backo.file)
        assert isinstance(imported, ModuleType) and imported.__path__ == []
        assert all(getattr(imported, name) is sys.modules[f"{path}.{name}"] for name in entry.names)


@pytest.mark.parametrize(("path", "entry"), LEGACY_MODULES.items())
def test_classes_name_their_0_2_1_module_and_pickle_through_it(path: str, entry: LegacyModule) -> None:
    imported = importlib.import_module(path)
    for name in entry.classes:
        cls = getattr(imported, name)
        assert cls.__module__ == path
        assert pickle.loads(pickle.dumps(cls)) is cls


def test_legacy_paths_import_in_a_fresh_interpreter() -> None:
    code = "; ".join(f"import {path}" for path in LEGACY_MODULES)
    code += "; from backo.file.file import File; from backo.item import Item; assert File and Item"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


class _Client:
    """A stand-in MongoClient: records that the connector built it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args

    def get_default_database(self) -> dict[str, str]:
        return {"books": "the collection"}


@pytest.mark.parametrize("patched", ["backo.db_mongo_connector", "backo.storage.db.mongo"])
def test_patching_mongoclient_at_either_path_reaches_the_connector(patched: str) -> None:
    with mock.patch.object(importlib.import_module(patched), "MongoClient", _Client):
        connector = backo.DBMongoConnector(connection_string="mongodb://h/db", collection="books")
    assert isinstance(connector.client, _Client) and connector.collection == "the collection"
    assert backo.storage.db.mongo.MongoClient is not _Client  # the patch is undone


def test_nothing_in_backo_imports_a_legacy_path() -> None:
    package = Path(backo.__file__).parent
    for source in package.rglob("*.py"):
        dotted = ".".join(source.relative_to(package.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = dotted.rsplit(".", node.level)[0] if node.level else ""
                names = [f"{base}.{node.module}" if node.level and node.module else node.module or base]
                names += [f"{names[0]}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not set(names) & set(LEGACY_MODULES), f"{source}: {names}"


def test_stricto_types_are_reexported_but_not_its_submodules() -> None:
    for name in ("String", "Int", "Dict", "List", "Datetime", "SRightError", "StrictoEncoder", "Kparse"):
        assert getattr(backo, name) is getattr(stricto, name)
    namespace: dict = {}
    exec("from backo import *", namespace)  # noqa: S102 - what a user script does
    assert "dict" not in namespace and "list" not in namespace
    assert namespace["String"] is stricto.String and dict is builtins.dict


def test_documented_aliases() -> None:
    assert backo.Backoffice.add_collection is backo.Backoffice.register_collection
    assert backo.Backoffice.add_routes is backo.Backoffice.build_routes
    assert backo.Collection.add_action is backo.Collection.register_action
    assert backo.Collection.new is backo.Collection.new_item
    assert callable(backo.Collection.action_go)


def test_classes_report_their_documented_module() -> None:
    assert repr(backo.Item) == "<class 'backo.item.Item'>"
    assert backo.Collection.__module__ == "backo.collection"


# --- 0.3 additions: the SQL connectors (imported on first use) and MissingExtraError ----------

#: New names, each with the module that defines it. The SQL ones are looked up on first use
#: (PEP 562), so ``import backo`` never depends on them; psycopg is imported only by a connector.
ADDED_0_3 = {
    "MissingExtraError": "backo.error",
    "DBSQLiteConnector": "backo.storage.db.sql.sqlite",
    "DBPostgresConnector": "backo.storage.db.sql.postgres",
}


@pytest.mark.parametrize(("name", "module"), ADDED_0_3.items())
def test_names_added_in_0_3_are_exported_from_their_module(name: str, module: str) -> None:
    try:
        home = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        pytest.fail(f"backo.{name} is exported from {module}, which does not exist ({exc})")
    assert getattr(backo, name) is getattr(home, name)
    assert name in backo.__all__
    assert name in _star("backo")


def test_import_backo_does_not_import_psycopg() -> None:
    code = "import sys, backo; print(sorted(m for m in sys.modules if m.startswith('psycopg')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchConnector'"):
        backo.NoSuchConnector  # noqa: B018
