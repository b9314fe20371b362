"""The README quickstart on a real werkzeug server on 127.0.0.1, driven with ``requests``.

Each step is one of the README's curl examples (with the JSON Content-Type they need).
"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from backo import current_user
from examples.quickstart.app import create_app


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    """The quickstart served in a thread; yields ``http://127.0.0.1:<port>/myApp``."""
    current_user.standalone = False  # real per-request users, as in production
    server = make_server("127.0.0.1", 0, create_app(tmp_path / "data"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/myApp"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_readme_curl_examples(base_url: str, http: requests.Session, tmp_path: Path) -> None:
    moon = http.post(f"{base_url}/addrs", json={"name": "moon", "address": "far"}).json()
    john = http.post(f"{base_url}/users", json={"name": "John", "surname": "Rambo", "addr": moon["_id"]})
    assert john.status_code == 200 and john.headers["Content-Type"] == "application/json"
    user = john.json()
    assert (tmp_path / "data" / "users" / f"{user['_id']}.yml").is_file()
    assert http.get(f"{base_url}/addrs/{moon['_id']}").json()["users"] == [user["_id"]]

    assert http.get(f"{base_url}/users/{user['_id']}").json() == user
    assert http.get(f"{base_url}/users/{user['_id']}", params={"_view": "client"}).json() == user

    http.post(f"{base_url}/users", json={"name": "dorothy", "addr": moon["_id"]})
    listing = http.get(f"{base_url}/users", params={"name.$re": "do", "_page": 10}).json()
    assert [u["name"] for u in listing["result"]] == ["dorothy"]
    assert (listing["total"], listing["_page"], listing["_skip"]) == (1, 10, 0)

    assert http.put(f"{base_url}/users/{user['_id']}", json={"name": "Johnny"}).json()["name"] == "Johnny"
    patched = http.patch(f"{base_url}/users/{user['_id']}", json={"op": "replace", "path": "$.name", "value": "Gilda"})
    assert patched.json()["name"] == "Gilda" and patched.json()["surname"] == "Rambo"

    check = http.post(f"{base_url}/users/_check", json={"item": {"name": "John", "surname": 32}, "path": "$.surname"})
    assert check.status_code == 200 and check.json() == {"error": '$.surname: Must be a string (value="32")'}
    check = http.post(f"{base_url}/users/_check", json={"item": {"surname": "Johnny"}, "path": "$.surname"})
    assert check.json() == {"error": None}

    meta = http.get(f"{base_url}/_meta").json()
    assert meta["name"] == "myApp" and [c["name"] for c in meta["collections"]] == ["users", "addrs"]
    assert "sub_scheme" in http.post(f"{base_url}/users/_meta", json={"name": "John"}).json()
    assert http.get(f"{base_url}/users/_selections/_all").json()["total"] == 2
    assert "/users/{id}" in http.get(f"{base_url}/openapi").json()["paths"]


def test_readme_delete_and_reference_rules(base_url: str, http: requests.Session) -> None:
    home = http.post(f"{base_url}/addrs", json={"name": "home"}).json()
    someone = http.post(f"{base_url}/users", json={"name": "x", "addr": home["_id"]}).json()
    refused = http.delete(f"{base_url}/addrs/{home['_id']}")
    assert (refused.status_code, refused.text) == (500, 'Exception("Collection "users" not empty")')
    assert http.post(f"{base_url}/users", json={"name": "y", "addr": "nowhere"}).status_code == 404
    assert http.delete(f"{base_url}/users/{someone['_id']}").text == "deleted"
    assert http.get(f"{base_url}/addrs/{home['_id']}").json()["users"] == []
    assert http.delete(f"{base_url}/addrs/{home['_id']}").status_code == 200
    assert http.get(f"{base_url}/users").json()["total"] == 0


def test_readme_curl_without_content_type_is_415(base_url: str, http: requests.Session) -> None:
    response = http.post(f"{base_url}/users", data='{"name":"John","surname":"Rambo"}')
    assert (response.status_code, response.text) == (415, "Unsuported Media Type")
