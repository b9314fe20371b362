"""PATCH /{c}/<_id> (BEHAVIOR.md 10.7, with 19.2.16's fix of ``remove``)."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from backo import Backoffice
from backo.core.patch import Patch

from .conftest import create

BASE = "/myApp/users"


@pytest.fixture
def user(client: FlaskClient) -> str:
    """A stored user; returns its _id."""
    return create(client, {"name": "n", "surname": "s", "age": 3, "tags": ["a", "b", "c"], "addr": {"city": "x"}})[
        "_id"
    ]


def patch(client: FlaskClient, _id: str, body: Any) -> Any:
    return client.patch(f"{BASE}/{_id}", json=body)


def test_replace(client: FlaskClient, user: str) -> None:
    response = patch(client, user, {"op": "replace", "path": "$.name", "value": "Gilda"})
    assert response.status_code == 200 and response.json["name"] == "Gilda"
    assert client.get(f"{BASE}/{user}").json["name"] == "Gilda"


def test_replace_decodes_strings_for_lists_and_nested_fields(client: FlaskClient, user: str) -> None:
    response = patch(
        client,
        user,
        [
            {"op": "replace", "path": "$.tags", "value": '["x", "y"]'},
            {"op": "replace", "path": "$.tags[0]", "value": "z"},
            {"op": "replace", "path": "$.addr.city", "value": "paris"},
        ],
    )
    assert response.status_code == 200
    assert (response.json["tags"], response.json["addr"]["city"]) == (["z", "y"], "paris")


def test_add_appends_to_a_list(client: FlaskClient, user: str) -> None:
    response = patch(client, user, {"op": "add", "path": "$.tags", "value": "d"})
    assert response.json["tags"] == ["a", "b", "c", "d"]


def test_remove_a_list_element_and_a_field(client: FlaskClient, user: str) -> None:
    response = patch(client, user, [{"op": "remove", "path": "$.tags[0]"}, {"op": "remove", "path": "$.tags[-1]"}])
    assert response.status_code == 200 and response.json["tags"] == ["b"]
    response = patch(client, user, {"op": "remove", "path": "$.surname"})
    assert response.status_code == 200 and response.json["surname"] is None
    assert client.get(f"{BASE}/{user}").json["surname"] is None


def test_test_operation_checks_without_changing(client: FlaskClient, user: str) -> None:
    response = patch(client, user, {"op": "test", "path": "$.name", "value": "other"})
    assert response.status_code == 200 and response.json["name"] == "n"
    response = patch(client, user, {"op": "test", "path": "$.age", "value": "12"})
    assert (response.status_code, response.text) == (400, 'TypeError("$.age: Must be a int ("12")")')


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"op": "move", "path": "$.name"}, 400, 'ConstraintsError("$.op: Not in union list")'),
        (
            {"op": "replace", "path": "name", "value": "x"},
            400,
            'ConstraintsError("$.path: Constraint not validated for value="name"")',
        ),
        ({"op": "replace", "path": "$.name", "value": 12}, 400, 'TypeError("$.value: Must be a string (value="12")")'),
        ({"op": "replace", "path": "$.zz", "value": "x"}, 400, 'AttributeError("$: Attribut does not exists "$.zz"")'),
        ({"op": "replace", "path": "$.age", "value": "12"}, 400, 'TypeError("$.age: Must be a int ("12")")'),
        ({"op": "replace", "path": "$.name"}, 400, 'ConstraintsError("$.name: Cannot be empty "None"")'),
        ({"op": "remove", "path": "$.zz[0]"}, 400, 'AttributeError("$: Attribut does not exists "$.zz[0]"")'),
        ({"op": "remove", "path": "$.tags[7]"}, 400, 'AttributeError("$: index out of range "$.tags[7]"")'),
        ({"path": "$.name"}, 400, 'ConstraintsError("$.op: Cannot be empty "None"")'),
        ({"op": "replace", "path": "$._id", "value": "x"}, 403, 'RightsError("$._id: cannot modify value")'),
        (
            [{"op": "replace", "path": "$.name", "value": "ok"}, {"op": "nope", "path": "$.name"}],
            400,
            'ConstraintsError("$.op: Not in union list")',
        ),
    ],
)
def test_invalid_patches(client: FlaskClient, bo: Backoffice, user: str, body: Any, status: int, message: str) -> None:
    response = patch(client, user, body)
    assert (response.status_code, response.text) == (status, message)
    assert bo.users.get_by_id(user).name == "n"  # nothing stored


def test_a_failing_operation_stores_nothing(client: FlaskClient, bo: Backoffice, user: str) -> None:
    body = [{"op": "replace", "path": "$.name", "value": "changed"}, {"op": "replace", "path": "$.zz", "value": "x"}]
    assert patch(client, user, body).status_code == 400
    assert bo.users.get_by_id(user).name == "n"


def test_patch_unknown_id_is_404(client: FlaskClient) -> None:
    assert patch(client, "zzz", {"op": "replace", "path": "$.name", "value": "x"}).status_code == 404


def test_patch_model_is_usable_alone() -> None:
    operation = Patch()
    operation.set({"op": "add", "path": "$.tags"})
    assert operation.get_value() == {"op": "add", "path": "$.tags", "value": None}
