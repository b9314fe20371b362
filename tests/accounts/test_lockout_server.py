"""Login lockout on a real werkzeug server on 127.0.0.1: 429, a JSON message and Retry-After."""

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from backo.accounts import LoginPolicy

from .conftest import AUTH, PASSWORDS, make_shop

POLICY = LoginPolicy(max_failures_per_account=3, max_failures_per_address=5, window=60, lockout=1)


@pytest.fixture
def server(store_factory, served) -> Iterator[str]:
    """The shop served by werkzeug in a thread; yields its base URL."""
    shop = make_shop(store_factory, login_policy=POLICY)
    httpd = make_server("127.0.0.1", 0, shop.app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)


def login(url: str, user: str, password: str) -> tuple[int, dict, dict]:
    """POST the login; returns (status, headers, JSON body)."""
    request = urllib.request.Request(
        f"{url}{AUTH}/login",
        data=json.dumps({"login": user, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.mark.timeout(60)
def test_an_account_then_an_address_are_locked_out_and_released(server: str) -> None:
    assert [login(server, "alice", "wrong-password")[0] for _ in range(3)] == [401, 401, 401]
    status, headers, body = login(server, "alice", PASSWORDS["alice"])
    assert status == 429, "locked: even the right password is refused"
    assert body["error"].startswith("Too many failed login attempts from this account")
    assert 1 <= int(headers["Retry-After"]) <= 2
    assert login(server, "bob", PASSWORDS["bob"])[0] == 200, "another account from the same address still logs in"
    assert [login(server, "bob", "wrong-password")[0] for _ in range(2)] == [401, 401]
    status, headers, body = login(server, "bob", PASSWORDS["bob"])
    assert status == 429 and "this address" in body["error"] and "Retry-After" in headers
    assert login(server, "root", PASSWORDS["root"])[0] == 429, "the address is locked for every account"
    time.sleep(float(headers["Retry-After"]) + 0.2)
    assert login(server, "alice", PASSWORDS["alice"])[0] == 200
    assert login(server, "bob", PASSWORDS["bob"])[0] == 200
