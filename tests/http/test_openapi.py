"""GET {base}/openapi and the OpenAPI helpers of Backoffice and Collection (BEHAVIOR.md 16)."""

from flask import Flask

from backo import Action, Backoffice, Selection, String

from .conftest import make_backoffice


def test_no_paths_before_build_routes() -> None:
    backoffice = make_backoffice()
    assert backoffice.users.get_openapi_routes() == {}
    document = backoffice.get_openapi()
    assert document["paths"] == {} and "users" in document["components"]["schemas"]


def built(prefix: str = "") -> Backoffice:
    backoffice = make_backoffice()
    backoffice.users.register_action("rename", Action({"new_name": String(required=True)}, lambda a, u: None))
    backoffice.users.register_selection("names", Selection(["$.name"]))
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
    assert document["info"] == {"title": "myApp", "description": "myApp backoffice powered by Backo"}
    assert document["servers"] == [{"url": "/api/myApp"}]
    assert {"json-patch", "backo-meta", "backo-filter"} <= set(document["components"]["schemas"])


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
    assert "200" in paths["/users"]["post"]["responses"]  # 0.2.1 documented 201 but answered 200


def test_request_bodies_leave_out_id_and_read_only_fields() -> None:
    paths = built().users.get_openapi_routes()
    schema = paths["/users"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "_id" not in schema["properties"] and "_meta" not in schema["properties"]
    assert schema["required"] == ["name"]
    multipart = paths["/users/{id}"]["put"]["requestBody"]["content"]["multipart/form-data"]
    assert multipart["encoding"] == {"_json": {"contentType": "application/json"}}
    action = paths["/users/_actions/rename/{id}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert action["required"] == ["new_name"]


def test_component_schemas_follow_the_model() -> None:
    schemas = make_backoffice().users.get_openapi_schemas()
    users = schemas["users"]
    assert users["title"] == "users" and users["type"] == "object" and users["required"] == ["name"]
    properties = users["properties"]
    assert properties["name"] == {"title": "name", "type": "string"}
    assert properties["age"]["type"] == "integer" and properties["score"]["type"] == "number"
    assert properties["active"]["type"] == "boolean" and properties["tags"]["type"] == "array"
    assert properties["addr"]["$ref"] == "#/components/schemas/users_addr"
    assert properties["_meta"]["$ref"] == "#/components/schemas/users__meta"
    assert schemas["users__meta"]["properties"]["ctime"] == {
        "title": "ctime",
        "type": "string",
        "format": "date-time",
        "description": "Creation time",
    }
    assert schemas["users__meta_created_by"]["properties"]["login"]["type"] == "string"
    assert schemas["users_addr"]["properties"]["zip"]["type"] == "integer"
