"""The OpenAPI 3.1 document of a backoffice, built from the route table and the models.

Paths come from the routes ``build_routes`` actually created (see :data:`routes.ROUTES`:
a route refused by a literal ``False`` right has no path either), relative to the
backoffice (``/users/{id}``); the document's ``servers`` entry gives the base URL.
Actions and selections are read when the document is built, so those registered after
``build_routes`` appear too. Component schemas are derived from the stricto models.
"""

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from backo.core.collection import BaseCollection
from backo.core.files.file import File

from .openapi_schemas import FIXED_SCHEMAS, model_fields, object_schema, request_body, type_schema

OPENAPI_VERSION = "3.1.0"


class RouteLike(Protocol):
    """What the document needs of a route spec (see ``routes.RouteSpec``)."""

    @property
    def method(self) -> str: ...

    @property
    def endpoint(self) -> str: ...


@dataclass(frozen=True)
class BuiltRoutes:
    """The routes ``build_routes`` created for one collection."""

    #: ``/{prefix}/{backoffice}``
    base: str
    specs: tuple[RouteLike, ...]


_BUILT: "weakref.WeakKeyDictionary[BaseCollection, BuiltRoutes]" = weakref.WeakKeyDictionary()


def record_built_routes(collection: BaseCollection, base: str, specs: Iterable[RouteLike]) -> None:
    """Remember the routes registered for ``collection`` (called by ``routes.register``)."""
    _BUILT[collection] = BuiltRoutes(base, tuple(specs))


def _name(collection: BaseCollection) -> str:
    """The name of a (registered, hence named) collection."""
    return str(collection.name)


def collection_schemas(collection: BaseCollection) -> dict[str, Any]:
    """The component schemas of a collection's model: ``{c}`` and its nested ``{c}_{field}``."""
    schemas: dict[str, Any] = {}
    name = _name(collection)
    schemas[name] = object_schema(collection.model, name, schemas)
    return schemas


# --- operations ------------------------------------------------------------------------


def _text(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


_ERRORS: dict[str, dict[str, Any]] = {
    "400": _text("Bad request"),
    "403": _text("Forbidden"),
    "404": _text("Not found"),
    "415": _text("Unsupported media type (send application/json or multipart/form-data)"),
    "500": _text("Something went wrong"),
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ERRORS[code] for code in codes}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
_VIEW = _query("_view", "The stricto view of the answer (default client)", {"type": "string", "default": "client"})
_PAGE = _query("_page", "Results per page (0: all)", {"type": "integer", "minimum": 0, "default": 10})
_SKIP = _query("_skip", "Matching results to skip", {"type": "integer", "minimum": 0, "default": 0})
_FILTER = {
    "name": "filter",
    "in": "query",
    "required": False,
    "description": "field=value, field.$op=value ($eq $ne $gt $gte $lt $lte $reg $re $contains), a.b=value",
    "style": "form",
    "explode": True,
    "schema": {"type": "object", "additionalProperties": True},
}


def _page_schema(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "result": {"type": "array", "items": items},
            "total": {"type": "integer"},
            "_skip": {"type": "integer"},
            "_page": {"type": "integer"},
        },
    }


def _op(operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "responses": responses, **extra}


#: ``(openapi path, operation)`` pairs documenting one route spec.
Operations = list[tuple[str, dict[str, Any]]]
#: ``builder(collection, collection name) -> Operations``
Builder = Callable[[BaseCollection, str], Operations]


def _select_ops(c: BaseCollection, name: str) -> Operations:
    ok = _json(f"A page of {name}", _page_schema(_ref(name)))
    description = f"List all existing item in {name} collection, with eventual filtering."
    op = _op(
        f"list_{name}",
        f"List {name}",
        {"200": ok, **_errors("400", "500")},
        description=description,
        parameters=[_PAGE, _SKIP, _FILTER],
    )
    return [(f"/{name}", op)]


def _create_ops(c: BaseCollection, name: str) -> Operations:
    responses = {"200": _json(f"The created {name}", _ref(name)), **_errors("400", "403", "404", "415", "500")}
    op = _op(
        f"add_{name}",
        f"Create {name}",
        responses,
        description=f"Add an item in {name} collection.",
        parameters=[_VIEW],
        requestBody=request_body(c.model),
    )
    return [(f"/{name}", op)]


def _check_ops(c: BaseCollection, name: str) -> Operations:
    body = {"type": "object", "properties": {"path": {"type": "string", "default": "$"}, "item": {"type": "object"}}}
    answer = {"type": "object", "properties": {"error": {"type": ["string", "null"]}}}
    op = _op(
        f"check_{name}",
        f"Check {name}",
        {"200": _json("The first error found, or null", answer), **_errors("400", "415")},
        requestBody={"content": {"application/json": {"schema": body}}},
    )
    return [(f"/{name}/_check", op)]


def _meta_ops(c: BaseCollection, name: str) -> Operations:
    properties = {
        key: {"type": type_schema(field)["type"], "description": field._description}
        for key, field in model_fields(c.model)
    }
    body = {"content": {"application/json": {"schema": {"type": "object", "properties": properties}}}}
    responses = {"200": _json("Meta", _ref("backo-meta")), **_errors("400", "415", "500")}
    return [(f"/{name}/_meta", _op(f"meta_{name}", f"Get {name} metadata", responses, requestBody=body))]


def _get_ops(c: BaseCollection, name: str) -> Operations:
    responses = {"200": _json(name, _ref(name)), **_errors("403", "404", "500")}
    return [(f"/{name}/{{id}}", _op(f"get_{name}", f"Get {name}", responses, parameters=[_ID, _VIEW]))]


def _get_path_ops(c: BaseCollection, name: str) -> Operations:
    file_fields = [key for key, field in model_fields(c.model) if isinstance(field, File)]
    if not file_fields:
        return []
    path_parameter = {"name": "path", "in": "path", "required": True, "schema": {"type": "string", "enum": file_fields}}
    binary = {
        "description": "The file content",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
    responses = {"200": binary, **_errors("400", "403", "404", "500")}
    return [
        (
            f"/{name}/{{id}}/{{path}}",
            _op(f"get_{name}_path", f"Get {name} file", responses, parameters=[_ID, path_parameter]),
        )
    ]


def _put_ops(c: BaseCollection, name: str) -> Operations:
    responses = {"200": _json(name, _ref(name)), **_errors("400", "403", "404", "415", "500")}
    op = _op(f"put_{name}", f"Update {name}", responses, parameters=[_ID, _VIEW], requestBody=request_body(c.model))
    return [(f"/{name}/{{id}}", op)]


def _patch_ops(c: BaseCollection, name: str) -> Operations:
    one_or_many = {"oneOf": [_ref("json-patch"), {"$ref": "#/components/schemas/json-patch/items"}]}
    responses = {"200": _json(name, _ref(name)), **_errors("400", "403", "404", "415", "500")}
    op = _op(
        f"patch_{name}",
        f"Patch {name}",
        responses,
        parameters=[_ID, _VIEW],
        requestBody={"content": {"application/json": {"schema": one_or_many}}},
    )
    return [(f"/{name}/{{id}}", op)]


def _delete_ops(c: BaseCollection, name: str) -> Operations:
    responses = {"200": _text("deleted"), **_errors("403", "404", "500")}
    return [(f"/{name}/{{id}}", _op(f"del_{name}", f"Delete {name}", responses, parameters=[_ID]))]


def _action_ops(c: BaseCollection, name: str) -> Operations:
    responses = {"200": _text("action done"), **_errors("400", "403", "404", "415", "500")}
    return [
        (
            f"/{name}/_actions/{action_name}/{{id}}",
            _op(
                f"action_{action_name}_on_{name}",
                f"Trigger {action_name} on {name}",
                responses,
                parameters=[_ID],
                requestBody=request_body(action),
            ),
        )
        for action_name, action in c.actions.items()
    ]


def _selection_op(c: BaseCollection, name: str, selection_name: str, post: bool) -> dict[str, Any]:
    """The GET or POST operation of one selection."""
    items = _ref(name) if c.selections[selection_name].selectors is None else {"type": "array"}
    responses = {"200": _json(f"Selection {selection_name}", _page_schema(items)), **_errors("400", "403", "500")}
    extra: dict[str, Any] = {"parameters": [_PAGE, _SKIP]}
    if post:
        extra["requestBody"] = {"content": {"application/json": {"schema": _ref("backo-filter")}}}
        responses.update(_errors("415"))
    else:
        extra["parameters"].append(_FILTER)
    verb = "post" if post else "get"
    summary = f"Selection {selection_name} on {name}"
    return _op(f"selection_{verb}_{selection_name}_{name}", summary, responses, **extra)


def _selection_ops(post: bool) -> Builder:
    def build(c: BaseCollection, name: str) -> Operations:
        return [(f"/{name}/_selections/{sel}", _selection_op(c, name, sel, post)) for sel in c.selections]

    return build


#: How each endpoint of ``routes.ROUTES`` is documented: a route needs an entry here.
OPERATIONS: dict[str, Builder] = {
    "select": _select_ops,
    "create": _create_ops,
    "check": _check_ops,
    "meta": _meta_ops,
    "get": _get_ops,
    "get_path": _get_path_ops,
    "put": _put_ops,
    "patch_one": _patch_ops,
    "delete": _delete_ops,
    "go": _action_ops,
    "do_selection": _selection_ops(post=False),
    "do_post_selection": _selection_ops(post=True),
}


def collection_paths(collection: BaseCollection) -> dict[str, Any]:
    """The OpenAPI ``paths`` of the routes built for ``collection`` (``{}`` before ``build_routes``)."""
    built = _BUILT.get(collection)
    if built is None:
        return {}
    paths: dict[str, Any] = {}
    for spec in built.specs:
        for path, operation in OPERATIONS[spec.endpoint](collection, _name(collection)):
            paths.setdefault(path, {})[spec.method.lower()] = operation
    return paths


class OpenAPISpec:
    """An OpenAPI 3.1 document being assembled: paths and component schemas.

    Example::

        spec = OpenAPISpec("myApp", servers=["/api/myApp"])
        spec.add_paths(users.get_openapi_routes())
        spec.add_schemas(users.get_openapi_schemas())
        document = spec.to_dict()

    .. versionadded:: 0.3.0
    """

    def __init__(self, title: str, description: str | None = None, servers: Iterable[str] = ()) -> None:
        self.title = title
        self.description = description if description is not None else f"{title} backoffice powered by Backo"
        #: base URLs the paths are relative to
        self.servers = list(servers)
        self.paths: dict[str, Any] = {}
        #: component schemas; the fixed backo schemas are always there
        self.schemas: dict[str, Any] = {}

    def add_paths(self, paths: dict[str, Any]) -> None:
        """Merge ``paths`` (path -> method -> operation) into the document."""
        for path, operations in paths.items():
            self.paths.setdefault(path, {}).update(operations)

    def add_schemas(self, schemas: dict[str, Any]) -> None:
        """Add component schemas."""
        self.schemas.update(schemas)

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON-ready data."""
        document: dict[str, Any] = {
            "openapi": OPENAPI_VERSION,
            "info": {"title": self.title, "description": self.description},
        }
        if self.servers:
            document["servers"] = [{"url": url} for url in self.servers]
        document["paths"] = self.paths
        document["components"] = {"schemas": {**self.schemas, **FIXED_SCHEMAS}}
        return document


def backoffice_openapi(backoffice: Any) -> dict[str, Any]:
    """The OpenAPI document of ``backoffice`` (``GET {base}/openapi``)."""
    collections = list(backoffice.collections.values())
    bases = sorted({_BUILT[c].base for c in collections if c in _BUILT})
    spec = OpenAPISpec(backoffice.name, servers=bases)
    for collection in collections:
        spec.add_paths(collection_paths(collection))
        spec.add_schemas(collection_schemas(collection))
    return spec.to_dict()
