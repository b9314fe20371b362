"""App B, the shop: its products live in the warehouse (app A), reached through ``DBRedirect``.

``python -m examples.rest_api_connector.app`` starts both on 127.0.0.1: the warehouse in
a background thread on ``$WAREHOUSE_PORT`` (5001), the shop on ``$PORT`` (5000) under
``/shop``. The shop's "products" collection has no storage of its own: every read and
write is a request to ``/api/warehouse/products`` with the warehouse's service token. Its
"orders" are local YAML files; an order's ``product`` must exist in the warehouse.
"""

import os
import threading
from pathlib import Path

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from backo import Backoffice, Collection, DBRedirect, DBYmlConnector, Int, Item, Ref, current_user
from backo.current_user import ANONYMOUS_DATA

from . import warehouse

DEFAULT_DATA_DIR = Path("shop_data")
DEFAULT_PORT = 5000


def create_backoffice(data_dir: Path, warehouse_host: str, warehouse_port: int, token: str) -> Backoffice:
    """The "shop": products redirected to the warehouse, orders stored under ``data_dir``."""
    (data_dir / "orders").mkdir(parents=True, exist_ok=True)
    backoffice = Backoffice("shop")
    redirect = DBRedirect(
        "products", host=warehouse_host, port=warehouse_port, prefix="api/warehouse", auth_token=token
    )
    backoffice.register_collection(Collection("products", warehouse.product_item(), redirect))
    order = Item(
        {
            "product": Ref(coll="products", required=True, description="_id of a product of the warehouse"),
            "quantity": Int(required=True, min=1),
        }
    )
    backoffice.register_collection(Collection("orders", order, DBYmlConnector(path=str(data_dir / "orders"))))
    return backoffice


def act_as_anonymous() -> None:
    """``jwt_auth`` of the shop: no login in this example, every customer is anonymous."""
    current_user.set(dict(ANONYMOUS_DATA))


def create_app(
    data_dir: Path = DEFAULT_DATA_DIR,
    warehouse_host: str = "127.0.0.1",
    warehouse_port: int = warehouse.DEFAULT_PORT,
    token: str | None = None,
) -> Flask:
    """The Flask application serving the shop under ``/shop``."""
    token = token or os.environ.get("WAREHOUSE_TOKEN") or warehouse.DEFAULT_TOKEN
    app = Flask(__name__)
    create_backoffice(Path(data_dir), warehouse_host, warehouse_port, token).build_routes(app, "", act_as_anonymous)
    return app


def serve_in_thread(app: Flask, port: int) -> tuple[BaseWSGIServer, threading.Thread]:
    """Serve ``app`` on 127.0.0.1:``port`` (0: any free port) in a daemon thread."""
    server = make_server("127.0.0.1", port, app)
    thread = threading.Thread(target=server.serve_forever, name="warehouse", daemon=True)
    thread.start()
    return server, thread


def main() -> None:
    """Start the warehouse in a thread, then serve the shop (both on 127.0.0.1)."""
    warehouse_port = int(os.environ.get("WAREHOUSE_PORT", warehouse.DEFAULT_PORT))
    server, _ = serve_in_thread(warehouse.create_app(), warehouse_port)
    try:
        create_app(warehouse_port=server.server_port).run(
            host="127.0.0.1", port=int(os.environ.get("PORT", DEFAULT_PORT))
        )
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
