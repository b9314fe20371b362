"""Fixtures of the HTTP tests: a "myApp" backoffice with a "users" collection, served by Flask."""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backo import Backoffice, Bool, Collection, DBMemoryConnector, Dict, Float, Int, Item, List, String
from tests.support.stores import StoreFactory

JSON = "application/json"


def users_model(**rights: Any) -> Item:
    """Users with every kind of field the filter grammar and PATCH touch."""
    return Item(
        {
            "name": String(required=True),
            "surname": String(),
            "nick": String(views=["!client", "short"]),
            "age": Int(),
            "score": Float(),
            "active": Bool(default=True),
            "tags": List(String()),
            "addr": Dict({"city": String(views=["short"]), "zip": Int()}),
        },
        **rights,
    )


def make_backoffice(store: Callable[[str], Any] = lambda name: DBMemoryConnector(), **rights: Any) -> Backoffice:
    """Backoffice "myApp" with one "users" collection; ``rights`` are the collection's."""
    backoffice = Backoffice("myApp")
    backoffice.register_collection(Collection("users", users_model(), store("users"), **rights))
    return backoffice


def serve(backoffice: Backoffice, prefix: str = "", jwt_auth: Callable[[], Any] | None = None) -> FlaskClient:
    """A test client of a new Flask app serving ``backoffice``."""
    app = Flask(__name__)
    backoffice.build_routes(app, prefix, jwt_auth)
    return app.test_client()


@pytest.fixture
def bo() -> Backoffice:
    """The backoffice under test (in memory, every right granted)."""
    return make_backoffice()


@pytest.fixture
def client(bo: Backoffice) -> FlaskClient:
    """A test client of the app serving :func:`bo` at ``/myApp``."""
    return serve(bo)


@pytest.fixture
def any_store_client(store_factory: StoreFactory) -> FlaskClient:
    """Like :func:`client`, once on the memory store and once on YAML files."""
    return serve(make_backoffice(store_factory))


PEOPLE = [
    {
        "name": "alice",
        "surname": "a",
        "age": 20,
        "score": 3.0,
        "active": True,
        "tags": ["t1", "t2"],
        "addr": {"city": "c0", "zip": 1},
    },
    {
        "name": "bob",
        "surname": "b",
        "age": 30,
        "score": 4.5,
        "active": False,
        "tags": ["t2"],
        "addr": {"city": "c1", "zip": 2},
    },
    {
        "name": "carol",
        "surname": "c",
        "age": 40,
        "score": 5.0,
        "active": True,
        "tags": [],
        "addr": {"city": "c0", "zip": 3},
    },
]


@pytest.fixture
def people(bo: Backoffice) -> dict[str, str]:
    """Three stored users; returns name -> _id."""
    return {person["name"]: bo.users.create(person)._id.get_value() for person in PEOPLE}


def create(client: FlaskClient, body: Any, base: str = "/myApp/users") -> dict[str, Any]:
    """POST a user and return the created object (asserting success)."""
    response = client.post(base, json=body)
    assert response.status_code == 200, response.text
    return response.json
