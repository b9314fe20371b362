"""Test helpers for the network backends: MongoDB (mongomock or a real server) and HTTP.

* :func:`mongo_connector` builds a DBMongoConnector on mongomock, or on the real server
  named by the environment variable ``BACKO_TEST_MONGO_URL`` when it is set (the one
  switch between the two; see README "Running the tests against MongoDB"). ``make
  test-mongo`` sets it to a SecantusDB server and selects the tests with ``-k mongo``, so
  a test using :func:`mongo_connector` must have "mongo" in its id (checked here).
* :func:`serve_in_thread` serves a WSGI app on 127.0.0.1 (random port) in a thread.
* :func:`document_store_app` is a schema-free JSON store behind backo's routes, for the
  connector contract battery (a real backo would impose its schema and ``_meta`` on the
  battery's free-form documents; test_redirect.py runs DBRedirect against a real one).
"""

import contextlib
import json
import os
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import backo.db_mongo_connector
import mongomock
from flask import Flask, request
from werkzeug.serving import WSGIRequestHandler, make_server

from backo.error import DBError, NotFoundError
from backo.storage.db import DBMemoryConnector, DBMongoConnector

#: The environment variable naming a MongoDB server (with a database) to test against.
MONGO_URL_VARIABLE = "BACKO_TEST_MONGO_URL"
#: The URL given to mongomock (never contacted).
MONGOMOCK_URL = "mongodb://localhost:27017/backo_test"


def real_mongo_url() -> str | None:
    """The MongoDB server to test against, or None for mongomock."""
    return os.environ.get(MONGO_URL_VARIABLE) or None


@contextlib.contextmanager
def mongo_client_class() -> Iterator[Any]:
    """Within the block, DBMongoConnector builds mongomock clients (unless on a real server)."""
    if real_mongo_url() is not None:
        yield backo.db_mongo_connector.MongoClient
        return
    with mock.patch.object(backo.db_mongo_connector, "MongoClient", mongomock.MongoClient):
        yield mongomock.MongoClient


@contextlib.contextmanager
def mongo_connector(**kwargs: Any) -> Iterator[DBMongoConnector]:
    """A DBMongoConnector on an empty collection (``test_<hex>`` unless ``collection`` is
    given); dropped and closed afterwards."""
    _check_selected_by_the_server_leg()
    url = real_mongo_url()
    kwargs.setdefault("collection", f"test_{uuid.uuid4().hex}")
    if url is not None:
        kwargs.setdefault("serverSelectionTimeoutMS", 5000)
    with mongo_client_class():
        connector = DBMongoConnector(connection_string=url or MONGOMOCK_URL, **kwargs)
    connector.drop()  # a real server may keep what an interrupted run left
    try:
        yield connector
    finally:
        drop_even_if_closed(connector, lambda: DBMongoConnector(connection_string=url or MONGOMOCK_URL, **kwargs))


def _check_selected_by_the_server_leg() -> None:
    """Fail the current test unless ``pytest -k mongo`` selects it.

    ``make test-mongo`` runs the Mongo tests on a real server by selecting them with
    ``-k mongo`` (a case-insensitive match on the test's id: file, class, name, parameters).
    A test using this connector without "mongo" in its id would silently stay on
    mongomock: it fails here instead, in every run, until its name, file or parameter id
    says "mongo".
    """
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    node_id = current.rsplit(" (", 1)[0]
    if node_id and "mongo" not in node_id.lower():
        raise AssertionError(
            f"{node_id} uses the Mongo connector but `pytest -k mongo` does not select it, so "
            "`make test-mongo` would not run it on a real server: put 'mongo' in its name, file or parameter id"
        )


def drop_even_if_closed(connector: DBMongoConnector, reopen: Callable[[], DBMongoConnector]) -> None:
    """Drop ``connector``'s collection and close it, even if the test closed it already.

    Real pymongo refuses a closed client (``InvalidOperation: Cannot use MongoClient after
    close``, a DBError here; mongomock does not mind): the collection is then dropped
    through a new connector from ``reopen``, so a real server is left clean.
    """
    try:
        connector.drop()
    except DBError:
        with mongo_client_class():
            cleaner = reopen()
        try:
            cleaner.drop()
        finally:
            cleaner.close()
        return
    connector.close()


# -- HTTP ---------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without the access log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextlib.contextmanager
def serve_in_thread(app: Any) -> Iterator[int]:
    """Serve ``app`` on 127.0.0.1 in a thread; yield the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http", daemon=True
    )
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _merged(stored: Any, update: Any) -> Any:
    """A backo PUT: dicts are merged key by key, anything else replaced."""
    if not isinstance(stored, dict) or not isinstance(update, dict):
        return update
    return {**stored, **{key: _merged(stored.get(key), value) for key, value in update.items()}}


def document_store_app(app_name: str = "remote") -> Flask:
    """Any JSON documents, in any collection, behind backo's CRUD routes and answers.

    ``POST /api/{app}/{c}`` (the body's ``_id`` is ignored, the store assigns one),
    ``GET /api/{app}/{c}?_page=&_skip=`` (``{"result", "total", "_skip", "_page"}``,
    10 per page by default, 0 = all), ``GET|PUT|DELETE /api/{app}/{c}/{_id}`` (a PUT
    merges, like backo's). Answers are JSON text sent as text/html, errors
    ``Exception("...")`` with 404, as backo does.
    """
    app = Flask(f"document_store_{app_name}")
    stores: defaultdict[str, DBMemoryConnector] = defaultdict(DBMemoryConnector)
    base = f"/api/{app_name}/<collection>"

    @app.errorhandler(NotFoundError)
    def not_found(error: NotFoundError) -> tuple[str, int]:
        return str(error), 404

    @app.post(base)
    def create(collection: str) -> tuple[str, int]:
        document = {key: value for key, value in request.get_json().items() if key != "_id"}
        _id = stores[collection].create(document)
        return json.dumps(stores[collection].get_by_id(_id)), 200

    @app.get(base)
    def select(collection: str) -> tuple[str, int]:
        page, skip = int(request.args.get("_page", 10)), int(request.args.get("_skip", 0))
        documents = stores[collection].select(None)
        result = documents[skip:] if page == 0 else documents[skip : skip + page]
        answer = {"result": result, "total": len(documents), "_skip": skip, "_page": page}
        return json.dumps(answer), 200

    @app.get(f"{base}/<_id>")
    def get(collection: str, _id: str) -> tuple[str, int]:
        return json.dumps(stores[collection].get_by_id(_id)), 200

    @app.put(f"{base}/<_id>")
    def put(collection: str, _id: str) -> tuple[str, int]:
        update = {key: value for key, value in request.get_json().items() if key != "_id"}
        document = _merged(stores[collection].get_by_id(_id), update)
        stores[collection].save(_id, document)
        return json.dumps(stores[collection].get_by_id(_id)), 200

    @app.delete(f"{base}/<_id>")
    def delete(collection: str, _id: str) -> tuple[str, int]:
        if not stores[collection].delete_by_id(_id):
            raise NotFoundError('_id "{0}" not found in memory', _id)
        return "deleted", 200

    return app
