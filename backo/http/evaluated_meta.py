"""``GET {base}/_meta?_rights=evaluated``: the application meta with rights evaluated (opt-in).

Without ``_rights`` the route answers exactly as in 0.2.1 (functions shown as
``"Callable"``, nothing run, not behind ``jwt_auth``). With ``_rights=evaluated`` it
answers the same shape with every right evaluated for the current user
(:mod:`backo.core.evaluated_rights`); to know that user, the application's ``jwt_auth``
hook runs first, as before a collection route (its non-None answer, e.g. a 401, is the
response). Two more parameters narrow it to one stored Item:

* ``_collection=<c>&_id=<id>``: ``{"name": ..., "collections": [<c>'s meta]}`` with the
  collection, field and action rights evaluated on that Item, loaded as ``GET /{c}/<id>``
  loads it (404 unknown id, 403 when it may not be read).

Any other ``_rights`` value is a 400.
"""

from collections.abc import Callable
from typing import Any

from flask import Response, make_response, request
from stricto import SSyntaxError

from backo.core import operations
from backo.core.backoffice import BaseBackoffice
from backo.core.evaluated_rights import evaluated_backoffice_meta, evaluated_collection_meta
from backo.error import NotFoundError

from . import views
from .errors import error_to_http_handler
from .responses import json_response

#: The query parameter, and its one accepted value.
RIGHTS_PARAMETER = "_rights"
EVALUATED = "evaluated"


def _one_item_meta(backoffice: BaseBackoffice, collection_name: str, _id: str) -> dict:
    """The meta of ``collection_name`` with rights evaluated on its stored Item ``_id``."""
    collection = backoffice.collections.get(collection_name)
    if collection is None:
        raise NotFoundError('collection "{0}" not registered in "{1}"', collection_name, backoffice.name)
    item = operations.load(collection, _id)
    return {"name": backoffice.name, "collections": [evaluated_collection_meta(collection, item)]}


@error_to_http_handler
def _evaluated_view(backoffice: BaseBackoffice, jwt_auth: Callable[[], Any] | None) -> Response:
    """``_meta?_rights=evaluated[&_collection=c&_id=id]``, after ``jwt_auth``."""
    if jwt_auth is not None:
        answer = jwt_auth()
        if answer is not None:
            return make_response(answer)
    collection_name, _id = request.args.get("_collection"), request.args.get("_id")
    if collection_name is None and _id is None:
        return json_response(evaluated_backoffice_meta(backoffice))
    if collection_name is None or _id is None:
        raise SSyntaxError("_meta?_rights=evaluated: give both _collection and _id, or neither")
    return json_response(_one_item_meta(backoffice, collection_name, _id))


def meta_view_for(backoffice: BaseBackoffice, jwt_auth: Callable[[], Any] | None) -> Callable[[], Response]:
    """The Flask view of ``GET {base}/_meta``: 0.2.1's answer, or the evaluated one when asked."""

    @error_to_http_handler
    def backoffice_meta() -> Response:
        mode = request.args.get(RIGHTS_PARAMETER)
        if mode is None:
            return views.backoffice_meta_view(backoffice)
        if mode != EVALUATED:
            raise SSyntaxError('_meta: {0} must be "{1}" (got "{2}")', RIGHTS_PARAMETER, EVALUATED, mode)
        return _evaluated_view(backoffice, jwt_auth)

    return backoffice_meta
