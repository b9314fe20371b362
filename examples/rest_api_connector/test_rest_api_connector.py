"""The shop (app B) stores its products in the warehouse (app A), served on 127.0.0.1 in a thread."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from backo import current_user
from backo.current_user import ANONYMOUS_DATA
from testkit.fuzz import MODES, Pools, fuzz

from . import app as shop_module
from . import warehouse
from .app import create_app, serve_in_thread

TOKEN = "test-token"


@pytest.fixture(autouse=True)
def per_request_users() -> Iterator[None]:
    current_user.standalone = False
    yield
    current_user.standalone = True
    current_user.user_without_session.set(ANONYMOUS_DATA)


@pytest.fixture
def warehouse_port(tmp_path: Path) -> Iterator[int]:
    """The warehouse served on a free port of 127.0.0.1."""
    server, thread = serve_in_thread(warehouse.create_app(tmp_path / "warehouse", token=TOKEN), 0)
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def shop_app(tmp_path: Path, warehouse_port: int) -> Flask:
    return create_app(tmp_path / "shop", warehouse_port=warehouse_port, token=TOKEN)


@pytest.fixture
def shop(shop_app: Flask) -> FlaskClient:
    return shop_app.test_client()


def test_products_live_in_the_warehouse(shop: FlaskClient, tmp_path: Path, warehouse_port: int) -> None:
    created = shop.post("/shop/products", json={"name": "pen", "price": 1.5, "stock": 3})
    assert created.status_code == 200, created.text
    _id = created.json["_id"]
    assert (tmp_path / "warehouse" / "products" / f"{_id}.yml").is_file()
    assert not (tmp_path / "shop" / "products").exists()  # nothing stored by the shop
    direct = requests.get(
        f"http://127.0.0.1:{warehouse_port}/api/warehouse/products/{_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    ).json()
    assert (direct["name"], direct["_meta"]["created_by"]["login"]) == ("pen", "shop")  # written by the service
    assert shop.put(f"/shop/products/{_id}", json={"stock": 10}).json["stock"] == 10
    assert shop.post("/shop/products", json={"name": "ink", "price": 4.0}).status_code == 200
    listing = shop.get("/shop/products", query_string={"stock.$gt": 5}).json
    assert [p["name"] for p in listing["result"]] == ["pen"] and listing["total"] == 1
    assert shop.get("/shop/products", query_string={"_page": 1}).json["total"] == 2
    refused = shop.post("/shop/products", json={"name": "bad", "price": 1.0, "stock": -1})
    assert refused.status_code == 400 and "stock" in refused.text
    assert shop.delete(f"/shop/products/{_id}").text == "deleted"
    assert shop.get(f"/shop/products/{_id}").status_code == 404


def test_orders_must_name_a_product_of_the_warehouse(shop: FlaskClient, tmp_path: Path) -> None:
    product = shop.post("/shop/products", json={"name": "pen", "price": 1.5}).json["_id"]
    order = shop.post("/shop/orders", json={"product": product, "quantity": 2})
    assert order.status_code == 200 and (tmp_path / "shop" / "orders" / f"{order.json['_id']}.yml").is_file()
    unknown = shop.post("/shop/orders", json={"product": "nothing", "quantity": 1})
    assert (unknown.status_code, unknown.text) == (404, 'Exception("_id "nothing" not found")')
    assert shop.post("/shop/orders", json={"product": product, "quantity": 0}).status_code == 400


def test_the_warehouse_wants_its_token(tmp_path: Path, warehouse_port: int) -> None:
    anonymous = requests.get(f"http://127.0.0.1:{warehouse_port}/api/warehouse/products", timeout=5)
    assert (anonymous.status_code, anonymous.text) == (401, "A valid service token is required")
    intruder = create_app(tmp_path / "other", warehouse_port=warehouse_port, token="wrong").test_client()
    logging.disable(logging.CRITICAL)  # the shop logs the failed call with its traceback
    try:
        failed = intruder.get("/shop/products")
    finally:
        logging.disable(logging.NOTSET)
    assert (failed.status_code, failed.text) == (500, 'Exception("Endpoint "products" error")')


def test_both_documents_are_valid_openapi(shop: FlaskClient, warehouse_port: int) -> None:
    shop_document = shop.get("/shop/openapi").json
    validate(shop_document)
    assert shop_document["servers"] == [{"url": "/shop"}]
    order = shop_document["components"]["schemas"]["orders"]
    assert order["properties"]["product"]["x-backo-collection"] == "products"
    warehouse_document = requests.get(f"http://127.0.0.1:{warehouse_port}/api/warehouse/openapi", timeout=5).json()
    validate(warehouse_document)
    assert warehouse_document["servers"] == [{"url": "/api/warehouse"}]
    assert "401" in warehouse_document["paths"]["/products"]["get"]["responses"]


def test_fuzzing_the_shop_follows_its_document(shop_app: FlaskClient) -> None:
    client = shop_app.test_client()
    document = client.get("/shop/openapi").json
    pools = Pools(document)
    pools.ids["products"].add(client.post("/shop/products", json={"name": "pen", "price": 1.5}).json["_id"])
    report = fuzz(shop_app, "/shop/openapi", examples=2, seed_value=3, modes=MODES["positive"], pools=pools)
    assert report.requests > 30
    assert report.server_errors == [] and report.violations == [] and report.odd_4xx == [], report.summary()


def test_main_starts_both_apps(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WAREHOUSE_PORT", "0")
    monkeypatch.setenv("PORT", "5124")
    served = {}

    def run(self: Flask, **kwargs: object) -> None:
        served.update(kwargs)
        served["products"] = self.test_client().get("/shop/products").status_code  # reaches the warehouse

    monkeypatch.setattr(Flask, "run", run)
    shop_module.main()
    assert served == {"host": "127.0.0.1", "port": 5124, "products": 200}
    assert (tmp_path / "warehouse_data" / "products").is_dir() and (tmp_path / "shop_data" / "orders").is_dir()
