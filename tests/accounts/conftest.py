"""Fixtures of the accounts tests: a "shop" backoffice with accounts and a "books" collection.

``books`` is protected by permissions (``books.read``... ``books.delete``); the accounts
hash with cheap scrypt parameters (the flows are what is tested, not scrypt's cost);
the sending hooks record what they were given.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from backo import Backoffice, Collection, Item, String, current_user
from backo.accounts import Accounts, install_accounts, rights_by_permission
from tests.support.stores import StoreFactory

KEY = "a-test-signing-key-of-at-least-32-bytes!"
BASE = "/api/shop"
AUTH = f"{BASE}/_accounts"
CHEAP_SCRYPT = "scrypt:1024:8:1"
PASSWORDS = {"root": "root-password-1", "alice": "alice-password-1", "bob": "bob-password-1"}


@dataclass
class Shop:
    """The application under test, and what its hooks and responses saw."""

    app: Flask
    client: FlaskClient
    accounts: Accounts
    backoffice: Backoffice
    ids: dict[str, str]
    sent: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> TestResponse:
        """A request (recorded for the secrets checks), with a bearer token if given."""
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        self.bodies.append(response.get_data(as_text=True))
        return response

    def login(self, login: str, password: str | None = None) -> dict[str, Any]:
        response = self.call("POST", f"{AUTH}/login", json={"login": login, "password": password or PASSWORDS[login]})
        assert response.status_code == 200, response.text
        return response.json

    def token(self, login: str) -> str:
        return self.login(login)["access_token"]

    def last_sent(self, flow: str) -> str:
        return [token for kind, _user, token in self.sent if kind == flow][-1]


def make_shop(store: StoreFactory, users: bool = True, **options: Any) -> Shop:
    """The shop: root (superuser), alice (role "librarian": books.read/create/modify), bob (no role).

    ``users=False``: another application on the same stores (another process), nothing created.
    """
    backoffice = Backoffice("shop", enforce_rights=True)
    sent: list[tuple[str, dict[str, Any], str]] = []
    chosen: dict[str, Any] = {
        "password_method": CHEAP_SCRYPT,
        "send_password_reset": lambda user, token: sent.append(("reset", user, token)),
        "send_email_verification": lambda user, token: sent.append(("verify", user, token)),
    }
    chosen.update(options)
    accounts = install_accounts(backoffice, store=store, **chosen)
    backoffice.register_collection(
        Collection("books", Item({"title": String()}), store("books"), **rights_by_permission("books"))
    )
    app = Flask(__name__)
    app.config["BACKO_JWT_KEY"] = KEY
    backoffice.build_routes(app, "api", jwt_auth=accounts.jwt_auth)
    accounts.build_routes(app, "api")
    ids: dict[str, str] = {}
    if users:
        accounts.create_role("librarian", ["books.read", "books.create", "books.modify"])
        ids["root"] = accounts.create_user("root", PASSWORDS["root"], superuser=True)._id.get_value()
        alice = accounts.create_user("alice", PASSWORDS["alice"], email="alice@example.org", roles=["librarian"])
        ids["alice"] = alice._id.get_value()
        ids["bob"] = accounts.create_user("bob", PASSWORDS["bob"], email="bob@example.org")._id.get_value()
    return Shop(app, app.test_client(), accounts, backoffice, ids, sent)


@pytest.fixture
def served() -> Iterator[None]:
    """Requests have their own user (not the standalone one); nobody keeps grants afterwards."""
    current_user.standalone = False
    yield
    current_user.standalone = True
    current_user.user_without_session.grant()


@pytest.fixture
def shop(store_factory: StoreFactory, served: None) -> Shop:
    """The shop on the memory store and on YAML files."""
    return make_shop(store_factory)


@pytest.fixture
def log_capture(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Captures every log record of the test, at every level (read ``.records`` in the test)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="backo")
    return caplog
