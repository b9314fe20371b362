"""The public surface: every documented name is exported, with the old aliases."""

import builtins
import importlib

import pytest
import stricto

import backo

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

#: 0.2.1 module paths that scripts import from (BEHAVIOR.md section 0).
MODULES = {
    "backo.backoffice": ["Backoffice"],
    "backo.collection": ["Collection"],
    "backo.collection_addon": ["CollectionAddon"],
    "backo.item": ["Item"],
    "backo.action": ["Action"],
    "backo.selection": ["Selection"],
    "backo.ref": ["Ref", "DEFAULT_ID"],
    "backo.refslist": ["RefsList", "DeleteStrategy", "FillStrategy", "DEFAULT_ID"],
    "backo.loop_path": ["LoopPath", "DEFAULT_MAX_LOOP"],
    "backo.status": ["StatusType"],
    "backo.transaction": ["OperatorType", "Transaction"],
    "backo.error": ["DBError", "FileError", "NotFoundError", "PathNotFoundError", "BackoError", "SessionError"],
    "backo.current_user": ["CurrentUser", "CurrentUserWrapper", "current_user", "ANONYMOUS_DATA"],
    "backo.meta_data_handler": ["GenericMetaDataHandler", "StandardMetaDataHandler"],
    "backo.log": ["Logger", "LogLevel", "log_system", "stack", "MyFormatter"],
    "backo.db_connector": ["DBConnector"],
    "backo.db_yml_connector": ["DBYmlConnector"],
    "backo.request_decorators": ["check_content_type", "return_http_error", "error_to_http_handler"],
    "backo.api_toolbox": ["append_path_to_filter", "multidict_to_filter", "request_to_object"],
    "backo.patch": ["Patch"],
    "backo.db_mongo_connector": ["DBMongoConnector", "MongoClient", "ObjectId"],
    "backo.db_restfull_connector": ["DBRestfullConnector"],
    "backo.db_backo_redirect": ["DBRedirect"],
    "backo.migration_report": ["MigrationReport"],
    "backo.file.file": ["File", "MIME", "FILE_MODEL", "transform_to_filestorage"],
    "backo.file.blob_file": ["BlobFile"],
    "backo.file.file_connector": ["FileConnector"],
    "backo.file.file_system_connector": ["FileSystemConnector"],
    "backo.file.file_blob_connector": ["FileBlobConnector"],
    "backo.openapi": ["OpenAPISpec", "JSON_PATCH_SCHEMA", "BACKO_META_SCHEMA", "BACKO_FILTER_SCHEMA"],
}


@pytest.mark.parametrize("name", DOCUMENTED)
def test_documented_name_is_exported(name: str) -> None:
    assert hasattr(backo, name)
    assert name in backo.__all__


@pytest.mark.parametrize(("module", "names"), MODULES.items())
def test_original_module_paths_still_import(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    for name in names:
        assert hasattr(imported, name), f"{module}.{name}"


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
