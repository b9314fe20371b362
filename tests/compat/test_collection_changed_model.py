"""COMPAT-FIXES N3 and §6(b): a model changed with ``add_to_model`` / ``remove_model`` on a live
collection (after it served requests) is what every route and Python call sees next."""

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backo import Backoffice, Bool, Collection, Dict, Int, Item, String
from backo.core.plain_model import ModelShape
from tests.support.stores import StoreFactory


def zoo(store_factory: StoreFactory) -> tuple[Backoffice, FlaskClient, str]:
    """Back office "zoo" with a plain "pets" model, served; one pet, already read over HTTP."""
    pets = Collection("pets", Item({"name": String(), "home": Dict({"city": String()})}), store_factory("pets"))
    bo = Backoffice("zoo")
    bo.register_collection(pets)
    app = Flask(f"zoo_{uuid.uuid4().hex}")
    bo.build_routes(app)
    client = app.test_client()
    created = client.post("/zoo/pets", json={"name": "rex", "home": {"city": "Lyon"}})
    assert created.status_code == 200, created.text
    _id = created.json["_id"]
    assert client.get(f"/zoo/pets/{_id}").status_code == 200  # served with the first model
    assert client.get("/zoo/pets?name=rex").json["total"] == 1
    return bo, client, _id


def test_a_field_added_is_served(store_factory: StoreFactory) -> None:
    bo, client, _id = zoo(store_factory)
    bo.pets.model.add_to_model("legs", Int(default=4))

    assert client.get(f"/zoo/pets/{_id}").json["legs"] == 4
    assert bo.pets.get_by_id(_id).legs.get_value() == 4  # Python and HTTP agree
    assert client.get("/zoo/pets?legs=4").json["total"] == 1
    assert client.get("/zoo/pets?legs=3").json["total"] == 0
    listed = client.get("/zoo/pets").json["result"]
    assert [pet["legs"] for pet in listed] == [4]

    created = client.post("/zoo/pets", json={"name": "tom", "legs": 3})
    assert created.status_code == 200, created.text
    assert created.json["legs"] == 3
    assert bo.pets.db_handler.get_by_id(created.json["_id"])["legs"] == 3
    assert client.get("/zoo/pets?legs=3").json["total"] == 1


def test_a_required_field_added_is_enforced_on_post(store_factory: StoreFactory) -> None:
    bo, client, _ = zoo(store_factory)
    bo.pets.model.add_to_model("species", String(required=True))
    refused = client.post("/zoo/pets", json={"name": "tom"})
    assert refused.status_code == 400 and "$.species: Cannot be empty" in refused.text
    assert client.post("/zoo/pets", json={"name": "tom", "species": "cat"}).status_code == 200


def test_a_field_removed_is_refused_and_no_longer_served(store_factory: StoreFactory) -> None:
    bo, client, _id = zoo(store_factory)
    bo.pets.model.add_to_model("legs", Int(default=4))
    assert client.get(f"/zoo/pets/{_id}").json["legs"] == 4
    bo.pets.model.remove_model("legs")
    assert "legs" not in client.get(f"/zoo/pets/{_id}").json
    refused = client.post("/zoo/pets", json={"name": "tom", "legs": 3})
    assert refused.status_code == 400 and 'no attribute "legs"' in refused.text


def test_a_field_added_to_a_sub_dict_is_served(store_factory: StoreFactory) -> None:
    bo, client, _id = zoo(store_factory)
    bo.pets.model.home.add_to_model("zip", String(default="F-69"))
    assert client.get(f"/zoo/pets/{_id}").json["home"] == {"city": "Lyon", "zip": "F-69"}
    assert client.get("/zoo/pets?home.zip=F-69").json["total"] == 1
    updated = client.put(f"/zoo/pets/{_id}", json={"home": {"zip": "F-75"}})
    assert updated.status_code == 200 and updated.json["home"]["zip"] == "F-75"


def test_an_event_handler_added_with_a_field_runs(store_factory: StoreFactory) -> None:
    bo, client, _ = zoo(store_factory)
    heard: list[str] = []

    def created(event_name: str, root: Any, me: Any, **kwargs: Any) -> None:
        heard.append(event_name)

    bo.pets.model.add_to_model("tame", Bool(default=True, on=[("created", created)]))
    assert client.post("/zoo/pets", json={"name": "tom"}).status_code == 200
    bo.pets.create({"name": "felix"})
    assert heard == ["created", "created"]


def test_the_shape_check_fails_closed() -> None:
    model = Item({"a": String(), "sub": Dict({"b": Int()})})
    shape = ModelShape(model)
    assert shape.matches(model)
    assert not shape.matches(Item({"a": String(), "sub": Dict({"b": Int()})}))  # another model
    model.sub.add_to_model("c", Int())
    assert not shape.matches(model)
    model.sub.remove_model("c")
    assert ModelShape(model).matches(model)


@pytest.mark.parametrize("change", ["replace", "view"])
def test_other_changes_to_the_model_recompile(change: str) -> None:
    model = Item({"a": String(), "b": Int()})
    shape = ModelShape(model)
    if change == "replace":  # same key, another field object
        model.remove_model("b")
        model.add_to_model("b", Int())
    else:
        model.a._views.append("short")
    assert not shape.matches(model)
