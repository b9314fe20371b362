"""CRUD routes (BEHAVIOR.md 10.3-10.8): success answers and each error status."""

import json

from flask.testing import FlaskClient

from backo import Backoffice

from .conftest import create

BASE = "/myApp/users"


def test_create_answers_200_with_the_item_and_generated_fields(any_store_client: FlaskClient) -> None:
    response = any_store_client.post(BASE, json={"name": "neil", "age": 3})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.json
    assert body["name"] == "neil" and body["age"] == 3 and body["active"] is True
    assert body["_id"] and body["_meta"]["created_by"] == {"_id": "000", "login": "ANONYMOUS"}
    assert "nick" not in body  # "!client" field, default view


def test_create_ignores_client_id_and_meta(client: FlaskClient) -> None:
    body = create(client, {"name": "x", "_id": "forged", "_meta": {"ctime": "2000-01-01T00:00:00"}})
    assert body["_id"] != "forged" and body["_meta"]["ctime"] != "2000-01-01T00:00:00"


def test_create_honours_the_requested_view(client: FlaskClient) -> None:
    response = client.post(f"{BASE}?_view=%2Bshort", json={"name": "x", "nick": "n", "addr": {"city": "c"}})
    assert response.json == {"nick": "n", "addr": {"city": "c"}}


def test_create_validation_errors_are_400(client: FlaskClient, bo: Backoffice) -> None:
    cases = {
        '{"nom": "x"}': 'AttributeError("$: Dict object has no attribute "nom"")',
        '{"name": 12}': 'TypeError("$.name: Must be a string (value="12")")',
        '{"surname": "x"}': 'ConstraintsError("$.name: Cannot be empty "None"")',
        "[1, 2]": 'TypeError("$: Must be a dict (value="[1, 2]")")',
    }
    for body, message in cases.items():
        response = client.post(BASE, data=body, content_type="application/json")
        assert (response.status_code, response.text) == (400, message)
        assert response.content_type.startswith("text/plain")
    assert bo.users.select() == []  # nothing stored, every failure rolled back


def test_get_one_with_views(client: FlaskClient) -> None:
    _id = create(client, {"name": "neil", "nick": "nn", "addr": {"city": "c", "zip": 1}})["_id"]
    full = client.get(f"{BASE}/{_id}")
    assert full.status_code == 200 and full.json["name"] == "neil" and "nick" not in full.json
    assert client.get(f"{BASE}/{_id}?_view=client").json == full.json
    assert client.get(f"{BASE}/{_id}?_view=short").json["nick"] == "nn"
    short = client.get(f"{BASE}/{_id}?_view=%2Bshort").json
    assert short["nick"] == "nn" and short["addr"] == {"city": "c"} and "name" not in short


def test_get_unknown_id_is_404(any_store_client: FlaskClient) -> None:
    response = any_store_client.get(f"{BASE}/zzz")
    assert response.status_code == 404
    assert response.text.startswith('Exception("_id "zzz" not found')


def test_reserved_names_read_as_ids_on_get(client: FlaskClient) -> None:
    assert client.get(f"{BASE}/_check").status_code == 404
    assert client.get(f"{BASE}/_meta").status_code == 404


def test_put_is_a_partial_deep_merge(any_store_client: FlaskClient) -> None:
    before = create(
        any_store_client, {"name": "n", "surname": "s", "tags": ["a", "b"], "addr": {"city": "c", "zip": 1}}
    )
    response = any_store_client.put(
        f"{BASE}/{before['_id']}", json={"surname": None, "tags": ["z"], "addr": {"zip": 2}}
    )
    assert response.status_code == 200
    after = response.json
    assert after["name"] == "n" and after["surname"] is None and after["tags"] == ["z"]
    assert after["addr"] == {"city": "c", "zip": 2}
    assert any_store_client.get(f"{BASE}/{before['_id']}").json == after


def test_put_errors(client: FlaskClient, bo: Backoffice) -> None:
    _id = create(client, {"name": "n"})["_id"]
    assert client.put(f"{BASE}/zzz", json={"name": "x"}).status_code == 404
    forbidden = client.put(f"{BASE}/{_id}", json={"_id": "other"})
    assert (forbidden.status_code, forbidden.text) == (403, 'RightsError("$._id: cannot modify value")')
    assert client.put(f"{BASE}/{_id}", json={"_meta": {"ctime": "2000-01-01T00:00:00"}}).status_code == 403
    assert client.put(f"{BASE}/{_id}", json={"age": "old"}).status_code == 400
    assert client.put(f"{BASE}/{_id}", json={"zz": 1}).status_code == 400
    assert client.put(f"{BASE}/{_id}", json=[1]).status_code == 400
    assert client.put(f"{BASE}/{_id}", data="null", content_type="application/json").status_code == 400
    assert bo.users.get_by_id(_id).name == "n"


def test_delete(any_store_client: FlaskClient) -> None:
    _id = create(any_store_client, {"name": "n"})["_id"]
    response = any_store_client.delete(f"{BASE}/{_id}")
    assert (response.status_code, response.text) == (200, "deleted")
    assert response.content_type.startswith("text/plain")
    assert any_store_client.get(f"{BASE}/{_id}").status_code == 404
    assert any_store_client.delete(f"{BASE}/{_id}").status_code == 404


def test_list_answer_shape_has_no_view_key(client: FlaskClient, people: dict[str, str]) -> None:
    response = client.get(f"{BASE}?_view=%2Bshort")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"result", "total", "_skip", "_page"}
    assert (body["total"], body["_skip"], body["_page"]) == (3, 0, 10)
    assert {item["name"] for item in body["result"]} == set(people)
    assert all("nick" in item for item in body["result"])  # views are not applied to lists


def test_json_bodies_parse_as_json(client: FlaskClient, people: dict[str, str]) -> None:
    response = client.get(f"{BASE}/{people['alice']}")
    assert json.loads(response.data) == response.json
