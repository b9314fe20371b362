"""Fixtures of the hardening tests: the hostile app (test client and a real server on 127.0.0.1).

The counts here are small so that the whole directory runs in seconds;
``python -m benchmarks.hardening --full`` runs the same scenarios with the full counts.
"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from backo import Backoffice, current_user
from testkit.hostile import SERVER_BODY_LIMIT, build_hostile_app

#: Small counts for `make test`; the benchmark's --full counts are in benchmarks/hardening.py.
THREADS, THREAD_OPERATIONS = 8, 15
PROCESSES, PROCESS_OPERATIONS = 4, 10
KILL_RUNS = 10
RANDOM_HOSTILE_REQUESTS = 60


class Hostile:
    """The hostile app: Flask app, its backoffice, the ids of the seeded items, a test client."""

    def __init__(self, app: Flask, bo: Backoffice, ids: dict[str, str]) -> None:
        self.app, self.bo, self.ids = app, bo, ids
        self.client: FlaskClient = app.test_client()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    """One hostile app per module: the requests must not change its store, so they can share it."""
    current_user.standalone = True
    return Hostile(*build_hostile_app(tmp_path_factory.mktemp("hostile")))


@pytest.fixture
def fresh_hostile(tmp_path: Path) -> Hostile:
    """A hostile app of its own, for tests that write."""
    return Hostile(*build_hostile_app(tmp_path))


class Server:
    """A real werkzeug server on 127.0.0.1 serving a hostile app (body limit: SERVER_BODY_LIMIT)."""

    def __init__(self, hostile: Hostile, port: int) -> None:
        self.bo, self.ids, self.port = hostile.bo, hostile.ids, port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    current_user.standalone = True
    hostile = Hostile(*build_hostile_app(tmp_path_factory.mktemp("server"), SERVER_BODY_LIMIT))
    httpd = make_server("127.0.0.1", 0, hostile.app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(hostile, httpd.server_port)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
