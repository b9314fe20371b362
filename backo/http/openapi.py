"""The OpenAPI 3.1 document of a backoffice, built from the route table and the models.

Paths come from the routes ``build_routes`` actually created (see :data:`routes.ROUTES`:
a route refused by a literal ``False`` right has no path either), relative to the
backoffice (``/users/{id}``); the document's ``servers`` entry gives the base URL.
Actions and selections are read when the document is built, so those registered after
``build_routes`` appear too. Component schemas are derived from the stricto models
(:mod:`.openapi_schemas`).

Every answer a route can give is documented with its media type: JSON answers are
``application/json``; ``deleted``, ``action done`` and error texts (``TypeError("...")``)
are ``text/plain``; 401 is whatever the application's ``jwt_auth`` hook answers.
"""

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from backo.core.collection import BaseCollection

from .openapi_schemas import (
    FIXED_SCHEMAS,
    SchemaContext,
    file_paths,
    has_required,
    object_schema,
    positional_array,
    request_body,
    selector_schema,
    view_schema,
)

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
    """The component schemas of a collection's model.

    ``{c}`` (an Item as list answers hold it), its nested Dicts ``{c}_{field}``, the File
    metadata ``backo-file`` if the model has files, and the ``-view`` flavours (nothing
    required) that ``_view`` answers follow, when they differ.
    """
    schemas: dict[str, Any] = {}
    name = _name(collection)
    schemas[name] = {}  # first in the document
    schemas[name] = object_schema(collection.model, name, schemas)
    view_schema(collection.model, name, schemas)
    return schemas


# --- answers and parameters ------------------------------------------------------------

_STRING = {"schema": {"type": "string"}}


def _text(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": _STRING}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """A required JSON request body (the routes answer 415 without one)."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


_ERRORS: dict[str, dict[str, Any]] = {
    "400": _text('Bad request: invalid parameters or body (e.g. TypeError("$.name: Must be a string ..."))'),
    "401": {
        "description": "Unauthorized: answered by the application's jwt_auth hook, if it has one",
        "content": {"text/plain": _STRING, "application/json": {}},
    },
    "403": _text('Forbidden: a right refuses the operation (RightsError("..."))'),
    "404": _text("Not found: the item, or an item a reference names, does not exist"),
    "413": _text("Request entity too large: the body is over the application's MAX_CONTENT_LENGTH"),
    "415": _text("Unsupported media type: send application/json or multipart/form-data"),
    "500": _text("Something went wrong (storage, session, a failing hook, MUST_BE_EMPTY...)"),
}

#: Errors any collection route may answer; those of routes naming an item; those of body routes.
_COMMON = ("400", "401", "403", "500")
_WITH_ID = ("404",)
_WITH_BODY = ("413", "415")


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ERRORS[code] for code in sorted({*_COMMON, *codes})}


def _param(where: str, name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        **extra,
    }


#: werkzeug's ``string`` converter: at least one character, no slash.
_ID = _param("path", "id", "The _id of the item", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"})
_VIEW_TEXT = "The stricto view of the answer: client (default), a view name, or +name for only the fields of that view"
_VIEW = _param("query", "_view", _VIEW_TEXT, {"type": "string", "default": "client"})
_PAGE = _param("query", "_page", "Results per page (0: all)", {"type": "integer", "minimum": 0, "default": 10})
_SKIP = _param("query", "_skip", "Matching results to skip", {"type": "integer", "minimum": 0, "default": 0})
_FILTER_TEXT = (
    "field=value, field.$op=value ($eq $ne $gt $gte $lt $lte $reg $re $contains), a.b=value;"
    " keys starting with _ are not filters"
)
_FILTER_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}
_FILTER = _param("query", "filter", _FILTER_TEXT, _FILTER_SCHEMA, style="form", explode=True)
_SORT = _param(
    "query",
    "_sort",
    "Sort keys, comma-separated, - for descending, dotted paths (name,-price,addr.city); _id ends every sort",
    {"type": "string"},
)
_FIELDS = _param(
    "query", "_fields", "Fields each row keeps, comma-separated, dotted paths (_id is always kept)", {"type": "string"}
)
_JSON_FILTER = _param(
    "query",
    "_filter",
    'A JSON filter with OR and NOT: {"$or": [{"name": "bob"}, {"age": ["$gt", 30]}]},'
    ' {"age": ["$or", [["$lt", 20], ["$gt", 30]]]}, {"$not": {"addr.city": "c0"}}',
    {"type": "string"},
)
_TYPED = _param(
    "query",
    "_typed",
    "1: read filter values with their field's type (true/false for a Bool, digits kept as text for a String)",
    {"type": "string", "enum": ["0", "1"]},
)
_LIST_VIEW = _param("query", "_list_view", "1: show each row in _view (ignored on lists otherwise)", {"type": "string"})
_LIST_VIEW_PARAM = _param("query", "_view", _VIEW_TEXT + " (rows: with _list_view=1)", {"type": "string"})
_CURSOR = _param("query", "_cursor", "1: answer _next, the cursor of the last row", {"type": "string"})
_AFTER = _param(
    "query", "_after", "The _next cursor of the previous page: the page starts after that row", {"type": "string"}
)
#: The list route's parameters added by the 0.3 extensions.
_LIST_EXTENSIONS = [_SORT, _FIELDS, _JSON_FILTER, _TYPED, _LIST_VIEW_PARAM, _LIST_VIEW, _CURSOR, _AFTER]
_IF_MATCH = _param(
    "header", "If-Match", "The ETag of the item as last read: 412 if it changed since", _STRING["schema"]
)
_IF_NONE_MATCH = _param(
    "header", "If-None-Match", "ETags already held: 304 if the item still has one", _STRING["schema"]
)
_DRY_RUN = _param("query", "_dry_run", "1: delete nothing, answer what the delete would do", {"type": "string"})
_ATOMIC = _param("query", "_atomic", "1: all in one transaction (all or none)", {"type": "string"})
_CONFIRM = _param("query", "_confirm", "Required: 1, or all when there is no filter", {"type": "string"})
_PRECONDITIONS = {
    "412": _text("Precondition failed: the item changed since the ETag given in If-Match"),
    "428": _text("Precondition required: this collection requires If-Match"),
}
_DELETE_PREVIEW = {
    "type": "object",
    "properties": {
        "would_delete": {"type": "boolean"},
        "delete": {"type": "array", "items": {"type": "object"}},
        "unlink": {"type": "array", "items": {"type": "object"}},
        "refused": {"type": "array", "items": {"type": "object"}},
        "truncated": {"type": "boolean"},
    },
}
_BULK_ANSWER = {
    "type": "object",
    "properties": {
        "results": {"type": "array", "items": {"type": "object"}},
        "done": {"type": "integer"},
        "failed": {"type": "integer"},
    },
}


def _page_schema(items: dict[str, Any], extended: bool = False) -> dict[str, Any]:
    counts = {key: {"type": "integer", "minimum": 0} for key in ("total", "_skip", "_page")}
    if extended:
        counts["_next"] = {"type": ["string", "null"], "description": "With _cursor or _after: the next page's cursor"}
    return {
        "type": "object",
        "required": ["result", "total", "_skip", "_page"],
        "properties": {
            "result": {"type": "array", "items": items},
            **counts,
        },
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class _Target:
    """What an operation builder documents: a collection, its name, the endpoints it got."""

    collection: BaseCollection
    name: str
    endpoints: frozenset[str]
    #: document the 0.3 extensions (``_sort``, ``If-Match``...): ``{base}/openapi?_extensions=1``
    extended: bool = False

    def more(self, base: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``base`` parameters, plus ``extra`` in the extended document."""
        return [*base, *extra] if self.extended else base

    def answers(self, base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        """``base`` answers, plus ``extra`` in the extended document."""
        return {**base, **extra} if self.extended else base

    def item_answer(self, description: str) -> dict[str, Any]:
        """The 200 of a route answering one Item in the requested ``_view``."""
        model = self.collection.model
        view = _ref(f"{self.name}-view") if has_required(model) else _ref(self.name)
        options = [_ref(self.name), view] if view != _ref(self.name) else [view]
        text = f"{description}, in the requested _view (null if the view keeps no field)"
        return _json(text, {"anyOf": [*options, {"type": "null"}]})

    def op(self, operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"operationId": operation_id, "summary": summary, "tags": [self.name], **extra, "responses": responses}


#: ``(openapi path, operation)`` pairs documenting one route spec.
Operations = list[tuple[str, dict[str, Any]]]
#: ``builder(target) -> Operations``
Builder = Callable[[_Target], Operations]

#: Operations reached from a created Item's ``_id`` (OpenAPI links): endpoint -> operationId format.
_LINKED = {"get": "get_{c}", "put": "put_{c}", "patch_one": "patch_{c}", "delete": "del_{c}"}


def _links(t: _Target) -> dict[str, Any]:
    """Links from an answer holding an Item to the operations on that Item."""
    return {
        operation_id.format(c=t.name): {
            "operationId": operation_id.format(c=t.name),
            "parameters": {"id": "$response.body#/_id"},
        }
        for endpoint, operation_id in _LINKED.items()
        if endpoint in t.endpoints
    }


# --- operations ------------------------------------------------------------------------


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """A closed object schema."""
    head: dict[str, Any] = {"type": "object"} if required is None else {"type": "object", "required": required}
    return {**head, "properties": properties, "additionalProperties": False}


def _select_ops(t: _Target) -> Operations:
    responses = {"200": _json(f"A page of {t.name}", _page_schema(_ref(t.name), t.extended)), **_errors()}
    text = f"List all existing item in {t.name} collection, with eventual filtering."
    parameters = t.more([_PAGE, _SKIP, _FILTER], _LIST_EXTENSIONS)
    op = t.op(f"list_{t.name}", f"List {t.name}", responses, description=text, parameters=parameters)
    return [(f"/{t.name}", op)]


def _bulk_create_ops(t: _Target) -> Operations:
    body = _json_body({"type": "array", "items": {"type": "object"}})
    responses = {
        "200": _json("Every item created: one result per element", _BULK_ANSWER),
        "207": _json("Some items failed (independent mode): one result per element", _BULK_ANSWER),
        **_errors(*_WITH_ID, *_WITH_BODY),
    }
    text = "Create one item per element; each in its own transaction, or all or none with _atomic=1."
    op = t.op(
        f"bulk_add_{t.name}",
        f"Create several {t.name}",
        responses,
        description=text,
        parameters=[_VIEW, _ATOMIC],
        requestBody=body,
    )
    return [(f"/{t.name}/_bulk", op)]


def _bulk_delete_ops(t: _Target) -> Operations:
    responses = {
        "200": _json("Every matching item deleted (or, with _dry_run, what each delete would do)", _BULK_ANSWER),
        "207": _json("Some deletes failed (independent mode)", _BULK_ANSWER),
        **_errors(*_WITH_ID),
    }
    text = "Delete every item the filter matches (the list route's filter); _confirm is required."
    parameters = [_CONFIRM, _FILTER, _JSON_FILTER, _TYPED, _ATOMIC, _DRY_RUN]
    op = t.op(f"bulk_del_{t.name}", f"Delete {t.name} by filter", responses, description=text, parameters=parameters)
    return [(f"/{t.name}", op)]


def _create_ops(t: _Target) -> Operations:
    ok = {**t.item_answer(f"The created {t.name}"), "links": _links(t)}
    body = request_body(t.collection.model, create=True)
    text = f"Add an item in {t.name} collection."
    responses = {"200": ok, **_errors(*_WITH_ID, *_WITH_BODY)}
    op = t.op(f"add_{t.name}", f"Create {t.name}", responses, description=text, parameters=[_VIEW], requestBody=body)
    return [(f"/{t.name}", op)]


def _check_ops(t: _Target) -> Operations:
    item = SchemaContext({}, request=True).request_object(t.collection.model)
    body = _json_body(_object({"path": {"type": "string", "default": "$"}, "item": item}))
    answer = _object({"error": {"type": ["string", "null"]}}, ["error"])
    responses = {"200": _json("The first error found in item, or null", answer), **_errors(*_WITH_BODY)}
    text = "Is item valid? The whole object is checked; path must name one of its fields."
    op = t.op(f"check_{t.name}", f"Check {t.name}", responses, description=text, requestBody=body)
    return [(f"/{t.name}/_check", op)]


def _meta_ops(t: _Target) -> Operations:
    body = _json_body(SchemaContext({}, request=True).request_object(t.collection.model))
    meta = _json("The model's meta, rights evaluated for these values", _ref("backo-meta"))
    responses = {"200": meta, **_errors(*_WITH_BODY)}
    return [(f"/{t.name}/_meta", t.op(f"meta_{t.name}", f"Get {t.name} metadata", responses, requestBody=body))]


def _get_ops(t: _Target) -> Operations:
    ok = t.item_answer(f"The {t.name}")
    if t.extended:
        ok["headers"] = {
            "ETag": {"description": "Strong tag of this answer", "schema": {"type": "string"}},
            "Last-Modified": {"description": "From _meta.mtime, when the view shows it", "schema": {"type": "string"}},
        }
    not_modified = {"304": {"description": "Not modified (If-None-Match)"}}
    responses = t.answers({"200": ok, **_errors(*_WITH_ID)}, not_modified)
    parameters = t.more([_ID, _VIEW], [_IF_NONE_MATCH])
    return [(f"/{t.name}/{{id}}", t.op(f"get_{t.name}", f"Get {t.name}", responses, parameters=parameters))]


def _get_path_ops(t: _Target) -> Operations:
    paths = file_paths(t.collection.model)
    if not paths:
        return []
    nested = ", ".join(path for path in paths if "." in path)
    text = "The File field" + (f" (nested files too: {nested})" if nested else "")
    path = _param("path", "path", text, {"type": "string", "enum": [p for p in paths if "." not in p]})
    content = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    responses = {"200": {"description": "The file content, with its stored Content-Type", "content": content}}
    responses.update(_errors(*_WITH_ID))
    op = t.op(f"get_{t.name}_path", f"Get {t.name} file", responses, parameters=[_ID, path])
    return [(f"/{t.name}/{{id}}/{{path}}", op)]


def _put_ops(t: _Target) -> Operations:
    responses = t.answers(
        {"200": t.item_answer(f"The modified {t.name}"), **_errors(*_WITH_ID, *_WITH_BODY)}, _PRECONDITIONS
    )
    body = request_body(t.collection.model, create=False)
    text = "Merge the body into the item (partial, deep) and save it."
    op = t.op(
        f"put_{t.name}",
        f"Update {t.name}",
        responses,
        description=text,
        parameters=t.more([_ID, _VIEW], [_IF_MATCH]),
        requestBody=body,
    )
    return [(f"/{t.name}/{{id}}", op)]


def _patch_ops(t: _Target) -> Operations:
    body = _json_body({"anyOf": [_ref("json-patch"), {"$ref": "#/components/schemas/json-patch/items"}]})
    responses = t.answers(
        {"200": t.item_answer(f"The patched {t.name}"), **_errors(*_WITH_ID, *_WITH_BODY)}, _PRECONDITIONS
    )
    parameters = t.more([_ID, _VIEW], [_IF_MATCH])
    op = t.op(f"patch_{t.name}", f"Patch {t.name}", responses, parameters=parameters, requestBody=body)
    return [(f"/{t.name}/{{id}}", op)]


def _delete_ops(t: _Target) -> Operations:
    deleted = _text("deleted")
    if t.extended:
        deleted = {
            "description": "deleted (text/plain), or with _dry_run=1 what the delete would do (JSON)",
            "content": {"text/plain": _STRING, "application/json": {"schema": _DELETE_PREVIEW}},
        }
    responses = t.answers({"200": deleted, **_errors(*_WITH_ID)}, _PRECONDITIONS)
    parameters = t.more([_ID], [_VIEW, _IF_MATCH, _DRY_RUN])
    return [(f"/{t.name}/{{id}}", t.op(f"del_{t.name}", f"Delete {t.name}", responses, parameters=parameters))]


def _action_ops(t: _Target) -> Operations:
    responses = t.answers({"200": _text("action done"), **_errors(*_WITH_ID, *_WITH_BODY)}, _PRECONDITIONS)
    operations = []
    for name, action in t.collection.actions.items():
        body = request_body(action, create=True)
        op = t.op(
            f"action_{name}_on_{t.name}",
            f"Trigger {name} on {t.name}",
            responses,
            parameters=t.more([_ID], [_VIEW, _IF_MATCH]),
            requestBody=body,
        )
        operations.append((f"/{t.name}/_actions/{name}/{{id}}", op))
    return operations


def _selection_op(t: _Target, selection_name: str, post: bool) -> dict[str, Any]:
    """The GET or POST operation of one selection."""
    selectors = t.collection.selections[selection_name].selectors
    if selectors is None:
        rows = _ref(t.name)
    else:
        rows = positional_array([selector_schema(t.collection.model, s, t.name, {}) for s in selectors], selectors)
    page = _page_schema(rows, t.extended and selectors is None)
    responses = {"200": _json(f"Selection {selection_name}", page), **_errors(*(_WITH_BODY * post))}
    base = [_PAGE, _SKIP] if post else [_PAGE, _SKIP, _FILTER]
    extra: dict[str, Any] = {"parameters": t.more(base, _selection_extensions(post, selectors is None))}
    if post:
        extra["requestBody"] = _json_body(_ref("backo-filter"))
    verb = "post" if post else "get"
    return t.op(
        f"selection_{verb}_{selection_name}_{t.name}", f"Selection {selection_name} on {t.name}", responses, **extra
    )


def _selection_extensions(post: bool, whole_items: bool) -> list[dict[str, Any]]:
    """The 0.3 query parameters of a selection: the list route's (no filter keys on POST;
    rows of selected values take neither _fields, _view nor cursors)."""
    parameters = [_SORT] if post else [_SORT, _TYPED]
    if not post and whole_items:
        parameters.append(_JSON_FILTER)
    if whole_items:
        parameters += [_FIELDS, _LIST_VIEW_PARAM, _LIST_VIEW, _CURSOR, _AFTER]
    return parameters


def _selection_ops(post: bool) -> Builder:
    def build(t: _Target) -> Operations:
        return [(f"/{t.name}/_selections/{sel}", _selection_op(t, sel, post)) for sel in t.collection.selections]

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


#: How the opt-in routes (``routes.OPTIONAL_ROUTES``) are documented.
OPTIONAL_OPERATIONS: dict[str, Builder] = {"bulk_delete": _bulk_delete_ops, "bulk_create": _bulk_create_ops}


def collection_paths(collection: BaseCollection, extended: bool = False) -> dict[str, Any]:
    """The OpenAPI ``paths`` of the routes built for ``collection`` (``{}`` before ``build_routes``).

    ``extended`` documents the 0.3 extensions too (the ``{base}/openapi?_extensions=1`` document):
    ``_sort``, ``_fields``, ``_filter``, cursors, ``ETag``/``If-Match``, ``_dry_run``.
    """
    built = _BUILT.get(collection)
    if built is None:
        return {}
    endpoints = frozenset(spec.endpoint for spec in built.specs)
    target = _Target(collection, _name(collection), endpoints, extended)
    paths: dict[str, Any] = {}
    for spec in built.specs:
        builder = OPERATIONS.get(spec.endpoint) or OPTIONAL_OPERATIONS[spec.endpoint]
        for path, operation in builder(target):
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

    def __init__(
        self, title: str, description: str | None = None, servers: Iterable[str] = (), version: str = "1.0.0"
    ) -> None:
        self.title = title
        #: ``info.version``, required by OpenAPI: the version of the document
        self.version = version
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
            "info": {"title": self.title, "description": self.description, "version": self.version},
        }
        if self.servers:
            document["servers"] = [{"url": url} for url in self.servers]
        document["paths"] = self.paths
        document["components"] = {"schemas": {**self.schemas, **FIXED_SCHEMAS}}
        return document


def backoffice_openapi(backoffice: Any, extended: bool = False) -> dict[str, Any]:
    """The OpenAPI document of ``backoffice``: ``GET {base}/openapi`` (0.2.1's parameters and
    answers), or with ``extended`` ``GET {base}/openapi?_extensions=1`` (every 0.3 extension too)."""
    collections = list(backoffice.collections.values())
    bases = sorted({_BUILT[c].base for c in collections if c in _BUILT})
    spec = OpenAPISpec(backoffice.name, servers=bases)
    for collection in collections:
        spec.add_paths(collection_paths(collection, extended))
        spec.add_schemas(collection_schemas(collection))
    return spec.to_dict()
