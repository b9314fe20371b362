"""GET {base}/openapi and the OpenAPI helpers of Backoffice and Collection (BEHAVIOR.md 16)."""

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from backo import Action, Backoffice, Collection, DBMemoryConnector, Item, Selection, String

from .conftest import make_backoffice, serve


def test_no_paths_before_build_routes() -> None:
    backoffice = make_backoffice()
    assert backoffice.users.get_openapi_routes() == {}
    document = backoffice.get_openapi()
    assert document["paths"] == {} and "users" in document["components"]["schemas"]
    validate(document)


def built(prefix: str = "") -> Backoffice:
    backoffice = make_backoffice()
    backoffice.users.register_action("rename", Action({"new_name": String(required=True)}, lambda a, u: None))
    backoffice.users.register_selection("names", Selection(["$.name", "$.addr.zip", "$.nowhere"]))
    backoffice.build_routes(Flask(__name__), prefix)
    return backoffice


def test_document_over_http() -> None:
    backoffice = make_backoffice()
    app = Flask(__name__)
    backoffice.build_routes(app, "api")
    response = app.test_client().get("/api/myApp/openapi")
    assert response.status_code == 200 and response.content_type == "application/json"
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert document["info"] == {
        "title": "myApp",
        "description": "myApp backoffice powered by Backo",
        "version": "1.0.0",  # required by OpenAPI; 0.2.1 had none
    }
    assert document["servers"] == [{"url": "/api/myApp"}]
    assert {"json-patch", "backo-meta", "backo-filter"} <= set(document["components"]["schemas"])
    validate(document)


def test_paths_and_operations() -> None:
    paths = built().users.get_openapi_routes()
    assert sorted(paths) == [
        "/users",
        "/users/_actions/rename/{id}",
        "/users/_check",
        "/users/_meta",
        "/users/_selections/_all",
        "/users/_selections/names",
        "/users/{id}",
    ]
    assert set(paths["/users"]) == {"get", "post"}
    assert set(paths["/users/{id}"]) == {"get", "put", "patch", "delete"}  # 0.2.1's "del" path defect fixed
    assert paths["/users"]["get"]["operationId"] == "list_users"
    assert paths["/users"]["post"]["operationId"] == "add_users"
    assert paths["/users/{id}"]["delete"]["operationId"] == "del_users"
    assert paths["/users/_actions/rename/{id}"]["post"]["operationId"] == "action_rename_on_users"
    assert set(paths["/users/_selections/names"]) == {"get", "post"}
    assert paths["/users/_selections/names"]["post"]["operationId"] == "selection_post_names_users"
    assert paths["/users/{id}"]["get"]["tags"] == ["users"]
    links = paths["/users"]["post"]["responses"]["200"]["links"]
    assert links["get_users"] == {"operationId": "get_users", "parameters": {"id": "$response.body#/_id"}}


def statuses(operation: dict[str, Any]) -> set[str]:
    return set(operation["responses"])


def test_every_answer_is_documented_with_its_media_type() -> None:
    paths = built().users.get_openapi_routes()
    assert statuses(paths["/users"]["get"]) == {"200", "400", "401", "403", "500"}
    assert statuses(paths["/users"]["post"]) == {"200", "400", "401", "403", "404", "413", "415", "500"}
    assert "201" not in paths["/users"]["post"]["responses"]  # 0.2.1 documented 201 but answered 200
    assert statuses(paths["/users/{id}"]["delete"]) == {"200", "400", "401", "403", "404", "500"}
    deleted = paths["/users/{id}"]["delete"]["responses"]["200"]
    assert deleted["content"] == {"text/plain": {"schema": {"type": "string"}}}
    error = paths["/users/{id}"]["get"]["responses"]["404"]
    assert error["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert set(paths["/users/{id}"]["get"]["responses"]["401"]["content"]) == {"text/plain", "application/json"}
    answer = paths["/users/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {
        "anyOf": [
            {"$ref": "#/components/schemas/users"},
            {"$ref": "#/components/schemas/users-view"},  # a _view may leave out required fields
            {"type": "null"},  # a view keeping no field
        ]
    }
    page = paths["/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["required"] == ["result", "total", "_skip", "_page"]
    assert page["properties"]["result"]["items"] == {"$ref": "#/components/schemas/users"}


def test_parameters() -> None:
    paths = built().users.get_openapi_routes()
    names = [parameter["name"] for parameter in paths["/users"]["get"]["parameters"]]
    assert names == ["_page", "_skip", "filter"]
    identifier = paths["/users/{id}"]["get"]["parameters"][0]
    assert identifier["in"] == "path" and identifier["required"] is True
    assert identifier["schema"] == {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    view = paths["/users/{id}"]["put"]["parameters"][1]
    assert (view["name"], view["schema"]["default"]) == ("_view", "client")


def test_request_bodies_leave_out_id_and_read_only_fields() -> None:
    paths = built().users.get_openapi_routes()
    create = paths["/users"]["post"]["requestBody"]
    assert create["required"] is True
    schema = create["content"]["application/json"]["schema"]
    assert "_id" not in schema["properties"] and "_meta" not in schema["properties"]
    assert schema["required"] == ["name"] and schema["additionalProperties"] is False
    assert schema["properties"]["addr"]["properties"]["zip"]["type"] == ["integer", "null"]  # nested inline
    assert schema["properties"]["addr"]["type"] == "object"  # stricto refuses None for a Dict
    put = paths["/users/{id}"]["put"]["requestBody"]["content"]
    assert "required" not in put["application/json"]["schema"]  # a PUT merges: nothing is required
    multipart = put["multipart/form-data"]
    assert multipart["encoding"] == {"_json": {"contentType": "application/json"}}
    assert multipart["schema"]["additionalProperties"] is False
    action = paths["/users/_actions/rename/{id}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert action["required"] == ["new_name"]
    check = paths["/users/_check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(check["properties"]) == {"path", "item"} and check["properties"]["path"]["default"] == "$"


def test_json_patch_lists_the_operations_the_route_performs() -> None:
    document = built().get_openapi()
    operations = document["components"]["schemas"]["json-patch"]["items"]["oneOf"]
    assert [op["properties"]["op"]["enum"] for op in operations] == [["add", "replace", "test"], ["remove"]]
    body = document["paths"]["/users/{id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["anyOf"][1] == {"$ref": "#/components/schemas/json-patch/items"}  # one operation alone


def test_selection_rows() -> None:
    paths = built().users.get_openapi_routes()
    page = paths["/users/_selections/names"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    row = page["properties"]["result"]["items"]
    assert (row["minItems"], row["maxItems"]) == (4, 4)  # $._id first, then the three selectors
    assert row["description"] == "Values of $._id, $.name, $.addr.zip, $.nowhere"
    assert {"type": "string"} in row["items"]["anyOf"] and {} in row["items"]["anyOf"]
    assert {"type": ["integer", "null"]} in row["items"]["anyOf"]
    whole = paths["/users/_selections/_all"]["post"]
    assert whole["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["result"]["items"] == {
        "$ref": "#/components/schemas/users"
    }
    body = whole["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/backo-filter"}


def test_component_schemas_follow_the_model() -> None:
    schemas = make_backoffice().users.get_openapi_schemas()
    users = schemas["users"]
    assert users["title"] == "users" and users["type"] == "object" and users["required"] == ["name"]
    assert users["additionalProperties"] is False
    properties = users["properties"]
    assert properties["name"] == {"title": "name", "type": "string"}  # required: never null
    assert properties["surname"] == {"title": "surname", "type": ["string", "null"]}
    assert properties["age"]["type"] == ["integer", "null"] and properties["score"]["type"] == ["number", "null"]
    assert properties["active"] == {"title": "active", "type": ["boolean", "null"], "default": True}
    assert properties["tags"]["items"] == {"type": ["string", "null"]}
    assert properties["addr"] == {"title": "addr", "type": "object", "$ref": "#/components/schemas/users_addr"}
    assert properties["_id"] == {"title": "_id", "type": "string", "readOnly": True}
    assert properties["_meta"]["readOnly"] is True
    assert properties["_meta"]["$ref"] == "#/components/schemas/users__meta"
    ctime = schemas["users__meta"]["properties"]["ctime"]
    assert ctime["type"] == ["string", "null"] and ctime["pattern"].startswith("^[0-9]{4}-")  # naive ISO 8601
    assert schemas["users__meta_created_by"]["properties"]["login"]["type"] == ["string", "null"]
    assert schemas["users_addr"]["properties"]["zip"]["type"] == ["integer", "null"]
    view = schemas["users-view"]
    assert "required" not in view and view["properties"]["name"] == properties["name"]


def example_documents(tmp: Path) -> dict[str, dict[str, Any]]:
    """The OpenAPI document of every example application."""
    from examples.media_library.app import create_app as media_library
    from examples.quickstart.app import create_app as quickstart
    from examples.rest_api_connector import warehouse
    from examples.rest_api_connector.app import create_app as shop

    apps = {
        "/myApp/openapi": quickstart(tmp / "quickstart"),
        "/media_library/openapi": media_library(tmp / "media", secret="s" * 32, admin_password="pw"),
        "/api/warehouse/openapi": warehouse.create_app(tmp / "warehouse", token="t"),
        "/shop/openapi": shop(tmp / "shop", warehouse_port=9, token="t"),  # no call reaches the warehouse
    }
    return {path: app.test_client().get(path).json for path, app in apps.items()}


def test_every_example_document_is_valid_openapi(tmp_path: Path) -> None:
    documents = example_documents(tmp_path)
    for path, document in documents.items():
        validate(document)
        assert document["paths"], path
    assert documents["/media_library/openapi"]["components"]["schemas"]["backo-file"]["type"] == "object"


def test_a_collection_without_rights_has_no_paths_but_a_valid_document() -> None:
    backoffice = Backoffice("closed")
    rights = {"can_read": False, "can_create": False, "can_modify": False, "can_delete": False}
    backoffice.register_collection(Collection("c", Item({"a": String()}), DBMemoryConnector(), **rights))
    document = serve(backoffice).get("/closed/openapi").json
    assert document["paths"] == {}
    validate(document)


@pytest.mark.parametrize("prefix", ["", "api", "/api/v1/"])
def test_documents_are_valid_whatever_the_prefix(prefix: str) -> None:
    validate(built(prefix).get_openapi())
