"""One function per route: parse the request, call the domain core, render the outcome.

Every view takes the collection (or backoffice) it serves first, then the URL values,
and answers errors itself through :func:`error_to_http_handler`, so the façade methods
(``Collection.do_selection``, ``action_go``...) can call them directly. What a route
does once parsed is one function of :mod:`backo.core.operations` (which also picks the
plain-document path or the Item path); every write runs there in one transaction: if
anything fails, what was written is undone before the error is answered. Input is refused before that: a body
or a query parameter holding a string UTF-8 cannot encode (a lone surrogate) is a 400
naming the field (:func:`backo.http.request.check_encodable`,
:func:`backo.http.query.check_encodable_args`).
"""

import dataclasses
from typing import Any

from flask import Response, request
from stricto import Dict, FreeDict, SSyntaxError, String, STypeError
from werkzeug.exceptions import BadRequest

from backo.core import bulk, delete_preview, operations
from backo.core.backoffice import BaseBackoffice
from backo.core.collection import ALL_SELECTION, BaseCollection
from backo.core.filters import append_path_to_filter, with_operator_synonyms
from backo.core.patch import parse_patch_operations

from .conditional import item_response, precondition
from .errors import error_body, error_to_http_handler, status_for
from .listing import as_json, list_answer
from .openapi import backoffice_openapi
from .query import check_filter_keys, first_value, flag, parse_list_query, view_name
from .request import request_body, require_content_type
from .responses import file_response, json_response, text_response


def _seen_response(seen: operations.Seen) -> Response:
    """What a client sees of an Item (a plain record or an Item's view; ``null`` when the view keeps nothing)."""
    return json_response(seen)


def _require_dict(body: Any) -> dict:
    """``body`` if it is a JSON object. :raises STypeError: otherwise (400)."""
    if not isinstance(body, dict):
        raise STypeError('$: Must be a dict (value="{0}")', body)
    return body


@error_to_http_handler
def list_view(collection: BaseCollection) -> Response:
    """``GET /{c}``: the ``_all`` selection filtered by the query string, one page of it."""
    query = parse_list_query(request.args, collection)
    return json_response(list_answer(collection.selections[ALL_SELECTION], query))


@error_to_http_handler
def create_view(collection: BaseCollection) -> Response:
    """``POST /{c}``: create an Item from the body (200 and the Item, as in 0.2.1).

    The ``_view`` is read before writing: a ``_view`` refused then (400) is refused before
    anything is written.
    """
    body = request_body()
    return _seen_response(operations.create(collection, body, view_name(request.args)))


@error_to_http_handler
def get_view(collection: BaseCollection, _id: str) -> Response:
    """``GET /{c}/<_id>``: one Item, in the requested ``_view``, with ``ETag`` and ``Last-Modified``
    (``If-None-Match`` -> 304, see :mod:`.conditional`)."""
    return item_response(operations.read(collection, _id, view_name(request.args)))


@error_to_http_handler
def put_view(collection: BaseCollection, _id: str) -> Response:
    """``PUT /{c}/<_id>``: merge the body into the stored Item (partial, deep) and save."""
    body = request_body()
    check = precondition(collection)
    return _seen_response(operations.update(collection, _id, body, view_name(request.args), check))


@error_to_http_handler
def patch_view(collection: BaseCollection, _id: str) -> Response:
    """``PATCH /{c}/<_id>``: apply one operation or a list of them, then save once."""
    patches = parse_patch_operations(request_body())
    check = precondition(collection)
    return _seen_response(operations.patch(collection, _id, patches, view_name(request.args), check))


@error_to_http_handler
def download_view(collection: BaseCollection, _id: str, path: str) -> Response:
    """``GET /{c}/<_id>/<path>``: stream the content of a File field (``f``, ``sub.f`` or ``$.f``)."""
    field = operations.stored_file(collection, _id, path)
    chunks = field.read_content_generator()  # raises FileError before anything is sent
    return file_response(chunks, field.content_type.get_value(), field.size.get_value(), field.filename.get_value())


@error_to_http_handler
def delete_view(collection: BaseCollection, _id: str) -> Response:
    """``DELETE /{c}/<_id>``: delete the Item; answers ``deleted``.

    ``?_dry_run=1`` deletes nothing and answers what the delete would do (see
    :mod:`backo.core.delete_preview`).
    """
    if flag(request.args, "_dry_run"):
        return json_response(delete_preview.preview(collection, _id))
    check = precondition(collection)
    operations.delete(collection, _id, check, view_name(request.args))
    return text_response("deleted")


def _outcome(outcome: bulk.Outcome, key: str) -> dict:
    """One element of a bulk answer: its index, state and status, and the item (or id) or the error."""
    entry: dict[str, Any] = {"index": outcome.index, "state": outcome.state}
    if outcome.state == bulk.FAILED and outcome.error is not None:
        entry["status"] = status_for(outcome.error)
        entry["error"] = error_body(outcome.error)
    elif outcome.state == bulk.DONE:
        entry["status"] = 200
        entry[key] = outcome.value
    return entry


def _bulk_response(outcomes: list[bulk.Outcome], key: str) -> Response:
    """200 when every element is done, else 207 (independent) or the failure's status (atomic)."""
    done = sum(outcome.state == bulk.DONE for outcome in outcomes)
    failed = [outcome for outcome in outcomes if outcome.state == bulk.FAILED]
    status = 200
    if failed:
        rolled_back = any(outcome.state in (bulk.ROLLED_BACK, bulk.NOT_TRIED) for outcome in outcomes)
        status = status_for(failed[0].error) if rolled_back or done == 0 else 207  # type: ignore[arg-type]
    answer = {"results": [_outcome(outcome, key) for outcome in outcomes], "done": done, "failed": len(failed)}
    return json_response(answer, status)


def _bulk_size(count: int) -> None:
    if count > bulk.MAX_BULK_ITEMS:
        raise BadRequest(f"A bulk request handles at most {bulk.MAX_BULK_ITEMS} items, got {count}")


@error_to_http_handler
def bulk_create_view(collection: BaseCollection) -> Response:
    """``POST /{c}/_bulk``: create an Item from each element of a JSON array (``?_atomic=1``: all or none)."""
    body = request_body()
    if not isinstance(body, list):
        raise STypeError('$: Must be a list of items (value="{0}")', body)
    _bulk_size(len(body))
    outcomes = bulk.create_many(collection, body, view_name(request.args), bool(flag(request.args, "_atomic")))
    return _bulk_response(outcomes, "item")


@error_to_http_handler
def bulk_delete_view(collection: BaseCollection) -> Response:
    """``DELETE /{c}?<filter>&_confirm=1``: delete every readable Item the filter matches.

    The filter is the list route's (query keys, ``_filter``, ``_page``/``_skip`` if
    given: by default every match); ``_confirm=1`` is required, ``_confirm=all`` when
    there is no filter. ``_dry_run=1`` answers the preview of each delete instead.
    """
    query = parse_list_query(request.args, collection)
    given = set(request.args.keys())
    confirm = (first_value(request.args, "_confirm") or "").strip().lower()
    unfiltered = not query.filter and query.row_test is None
    if confirm not in ("1", "true", "yes", "all") or (unfiltered and confirm != "all"):
        needed = "_confirm=all (there is no filter: every item)" if unfiltered else "_confirm=1"
        raise BadRequest(f"Deleting by filter needs {needed}")
    page_size = query.page_size if "_page" in given else 0
    listed = list_answer(collection.selections[ALL_SELECTION], dataclasses.replace(query, page_size=page_size))
    ids = [str(row["_id"]) for row in map(as_json, listed["result"])]
    _bulk_size(len(ids))
    if flag(request.args, "_dry_run"):
        return json_response({"results": [delete_preview.preview(collection, _id) for _id in ids]})
    return _bulk_response(bulk.delete_many(collection, ids, bool(flag(request.args, "_atomic"))), "_id")


def _check_request(body: Any) -> tuple[str, dict]:
    """Validate a ``_check`` body: ``{"path": "$..." (default "$"), "item": {...}}``."""
    model = Dict({"path": String(required=True, default="$"), "item": FreeDict(default={})})
    model.set(body)
    return model.path.get_value(), model.item.get_value() or {}


@error_to_http_handler
def check_view(collection: BaseCollection) -> Response:
    """``POST /{c}/_check``: would ``item`` be valid? Always 200 ``{"error": null | "..."}``."""
    path, values = _check_request(request_body())
    return json_response({"error": operations.check(collection, path, values)})


@error_to_http_handler
def current_meta_view(collection: BaseCollection) -> Response:
    """``POST /{c}/_meta``: the model's meta with rights evaluated for the given values."""
    values = _require_dict(request_body())
    return json_response(operations.current_meta(collection, values))


@error_to_http_handler
def action_view(collection: BaseCollection, action: str, _id: str) -> Response:
    """``POST /{c}/_actions/<action>/<_id>``: run an action on an Item; answers ``action done``.

    The action is looked up before the body is read (an unknown action is reported first).
    """
    require_content_type()
    registered = operations.action_named(collection, action)
    body = request_body()
    check = precondition(collection)
    operations.run_action(collection, registered, _id, body, check, view_name(request.args))
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
    if from_body and "_filter" in request.args:
        raise BadRequest('Query parameter "_filter": a POST selection takes its filter in the body')
    query = parse_list_query(request.args, collection)
    if from_body:
        query = dataclasses.replace(query, filter=_body_filter(selection, request_body()))
    return json_response(list_answer(registered, query))


def post_selection_view(collection: BaseCollection, selection: str) -> Response:
    """``POST /{c}/_selections/<selection>``: :func:`selection_view` with the body as filter."""
    return selection_view(collection, selection, from_body=True)


@error_to_http_handler
def backoffice_meta_view(backoffice: BaseBackoffice) -> Response:
    """``GET /_meta``: the structure of the application (collections, rights, actions...)."""
    return json_response(backoffice.get_meta())


@error_to_http_handler
def openapi_view(backoffice: BaseBackoffice) -> Response:
    """``GET /openapi``: the OpenAPI document of the routes built for this backoffice;
    ``?_extensions=1`` documents the 0.3 extensions too (``_sort``, ``If-Match``...)."""
    return json_response(backoffice_openapi(backoffice, extended=bool(flag(request.args, "_extensions"))))
