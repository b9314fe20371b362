"""One function per route: parse the request, call the domain core, render the outcome.

Every view takes the collection (or backoffice) it serves first, then the URL values,
and answers errors itself through :func:`error_to_http_handler`, so the façade methods
(``Collection.do_selection``, ``action_go``...) can call them directly. Every write runs
in one transaction (:func:`backo.core.transaction.transaction`): if anything fails, what
was written is undone before the error is answered. Input is refused before that: a body
or a query parameter holding a string UTF-8 cannot encode (a lone surrogate) is a 400
naming the field (:func:`backo.http.request.check_encodable`,
:func:`backo.http.query.check_encodable_args`).
"""

import copy
from typing import Any

from flask import Response, request
from stricto import Dict, FreeDict, SSyntaxError, StrictoError, String, STypeError

from backo.core.collection import ALL_SELECTION, BaseCollection
from backo.core.files.file import File
from backo.core.filters import append_path_to_filter, with_operator_synonyms
from backo.core.item import Item
from backo.core.patch import parse_patch_operations
from backo.core.transaction import transaction
from backo.error import PathNotFoundError

from .errors import error_to_http_handler
from .openapi import backoffice_openapi
from .query import DEFAULT_PAGE_SIZE, check_filter_keys, non_negative_int, parse_filter, parse_list_query, view_name
from .request import request_body, require_content_type
from .responses import file_response, json_response, text_response


def _load(collection: BaseCollection, _id: str, transaction_id: int | None = None) -> Item:
    """The stored Item ``_id`` (read right checked by the core; NotFoundError if absent)."""
    item = collection.new_item()
    item.load(_id, transaction_id=transaction_id)
    return item


def _item_response(item: Item, view: str | None = None) -> Response:
    """The Item in ``view`` (default: the ``_view`` of the request; ``null`` when the view keeps nothing).

    Write views read ``view`` before writing: a ``_view`` refused then (400) is refused
    before anything is written, not after.
    """
    return json_response(item.view(view_name(request.args) if view is None else view))


def _require_dict(body: Any) -> dict:
    """``body`` if it is a JSON object. :raises STypeError: otherwise (400)."""
    if not isinstance(body, dict):
        raise STypeError('$: Must be a dict (value="{0}")', body)
    return body


@error_to_http_handler
def list_view(collection: BaseCollection) -> Response:
    """``GET /{c}``: the ``_all`` selection filtered by the query string, one page of it."""
    query = parse_list_query(request.args)
    result = collection.selections[ALL_SELECTION].select(query.filter, query.page_size, query.skip, for_client=True)
    return json_response(result)


@error_to_http_handler
def create_view(collection: BaseCollection) -> Response:
    """``POST /{c}``: create an Item from the body (200 and the Item, as in 0.2.1)."""
    body = request_body()
    view = view_name(request.args)
    with transaction(collection.backoffice) as transaction_id:
        document = collection.create_without_item(body, view, transaction_id)
        if document is not None:
            return json_response(document)
        item = collection.create(body, transaction_id=transaction_id)
    return _item_response(item, view)


@error_to_http_handler
def get_view(collection: BaseCollection, _id: str) -> Response:
    """``GET /{c}/<_id>``: one Item, in the requested ``_view``."""
    document = collection.read_without_item(_id, view_name(request.args))
    if document is not None:
        return json_response(document)
    return _item_response(_load(collection, _id))


@error_to_http_handler
def put_view(collection: BaseCollection, _id: str) -> Response:
    """``PUT /{c}/<_id>``: merge the body into the stored Item (partial, deep) and save."""
    body = request_body()
    view = view_name(request.args)
    with transaction(collection.backoffice) as transaction_id:
        document = collection.update_without_item(_id, body, view, transaction_id)
        if document is not None:
            return json_response(document)
        item = _load(collection, _id, transaction_id)
        item.set(body)
        item.save(transaction_id=transaction_id)
    return _item_response(item, view)


@error_to_http_handler
def patch_view(collection: BaseCollection, _id: str) -> Response:
    """``PATCH /{c}/<_id>``: apply one operation or a list of them, then save once."""
    patches = parse_patch_operations(request_body())
    view = view_name(request.args)
    with transaction(collection.backoffice) as transaction_id:
        item = _load(collection, _id, transaction_id)
        for patch in patches:
            patch.apply_to(item)
        item.save(transaction_id=transaction_id)
    return _item_response(item, view)


@error_to_http_handler
def download_view(collection: BaseCollection, _id: str, path: str) -> Response:
    """``GET /{c}/<_id>/<path>``: stream the content of a File field (``f``, ``sub.f`` or ``$.f``)."""
    item = _load(collection, _id)
    selector = path if path.startswith("$.") else f"$.{path}"
    field = item.select(selector)
    if field is None:
        raise PathNotFoundError('{0}: path "{1}" not found', collection.name, selector)
    if not isinstance(field, File):
        raise PathNotFoundError(
            '{0}: path "{1}" must be a File(), and actually is "{2}"', collection.name, selector, type(field)
        )
    chunks = field.read_content_generator()  # raises FileError before anything is sent
    return file_response(chunks, field.content_type.get_value(), field.size.get_value(), field.filename.get_value())


@error_to_http_handler
def delete_view(collection: BaseCollection, _id: str) -> Response:
    """``DELETE /{c}/<_id>``: delete the Item; answers ``deleted``."""
    with transaction(collection.backoffice) as transaction_id:
        item = _load(collection, _id, transaction_id)
        item.delete(transaction_id=transaction_id)
    return text_response("deleted")


def _check_request(body: Any) -> tuple[str, dict]:
    """Validate a ``_check`` body: ``{"path": "$..." (default "$"), "item": {...}}``."""
    model = Dict({"path": String(required=True, default="$"), "item": FreeDict(default={})})
    model.set(body)
    return model.path.get_value(), model.item.get_value() or {}


def _unvalidated_item(collection: BaseCollection, values: dict) -> Item:
    """A new Item holding ``values`` without validation (unknown keys still refused)."""
    item = collection.new_item()
    item.set_value(values)
    item.enable_permissions()
    return item


@error_to_http_handler
def check_view(collection: BaseCollection) -> Response:
    """``POST /{c}/_check``: would ``item`` be valid? Always 200 ``{"error": null | "..."}``.

    stricto checks the whole object, so the first error anywhere is reported.
    """
    path, values = _check_request(request_body())
    item = _unvalidated_item(collection, values)
    try:
        field = item.select(path)
    except Exception:  # noqa: BLE001 - an unreadable selector is a path not found
        field = None
    if field is None or field.exists_or_can_read() is False:
        raise PathNotFoundError('Path "{0}" not found in collection "{1}"', path, collection.name)
    try:
        field.check(field.get_value())
    except Exception as error:
        if not isinstance(error, StrictoError):
            raise
        return json_response({"error": error.to_string()})
    return json_response({"error": None})


@error_to_http_handler
def current_meta_view(collection: BaseCollection) -> Response:
    """``POST /{c}/_meta``: the model's meta with rights evaluated for the given values."""
    values = _require_dict(request_body())
    return json_response(_unvalidated_item(collection, values).get_current_meta())


@error_to_http_handler
def action_view(collection: BaseCollection, action: str, _id: str) -> Response:
    """``POST /{c}/_actions/<action>/<_id>``: run an action on an Item; answers ``action done``.

    The body is validated on a copy of the registered Action, so requests never share
    payload values. ``on_trig`` receives ``transaction_id`` if it accepts it.
    """
    require_content_type()
    registered = collection.actions.get(action)
    if registered is None:
        raise SSyntaxError('collection "{0}" has no action "{1}"', collection.name, action)
    payload = copy.copy(registered)
    payload.set(request_body())
    with transaction(collection.backoffice) as transaction_id:
        item = _load(collection, _id, transaction_id)
        payload.go(item, transaction_id=transaction_id)
    return text_response("action done")


def _body_filter(selection: str, body: Any) -> dict:
    """A selection filter from a JSON object body (dotted keys nest, ``["$op", v]`` is an operator)."""
    if not isinstance(body, dict):
        raise STypeError('The filter of selection "{0}" must be a JSON object, got {1}', selection, body)
    check_filter_keys(body)
    match_filter: dict = {}
    for key, value in body.items():
        append_path_to_filter(match_filter, key, value)
    return with_operator_synonyms(match_filter)


@error_to_http_handler
def selection_view(collection: BaseCollection, selection: str, from_body: bool = False) -> Response:
    """``GET|POST /{c}/_selections/<selection>``: run a registered selection, one page of it.

    The filter comes from the query string (GET) or from the JSON object body (POST).
    """
    if from_body:
        require_content_type()
    registered = collection.selections.get(selection)
    if registered is None:
        raise SSyntaxError("Collection {0} has no selection {1}", collection.name, selection)
    if from_body:
        match_filter = _body_filter(selection, request_body())
    else:
        match_filter = parse_filter(request.args)
    page_size = non_negative_int(request.args, "_page", DEFAULT_PAGE_SIZE)
    skip = non_negative_int(request.args, "_skip", 0)
    return json_response(registered.select(match_filter, page_size, skip, for_client=True))


def post_selection_view(collection: BaseCollection, selection: str) -> Response:
    """``POST /{c}/_selections/<selection>``: :func:`selection_view` with the body as filter."""
    return selection_view(collection, selection, from_body=True)


@error_to_http_handler
def backoffice_meta_view(backoffice: Any) -> Response:
    """``GET /_meta``: the structure of the application (collections, rights, actions...)."""
    return json_response(backoffice.get_meta())


@error_to_http_handler
def openapi_view(backoffice: Any) -> Response:
    """``GET /openapi``: the OpenAPI document of the routes built for this backoffice."""
    return json_response(backoffice_openapi(backoffice))
