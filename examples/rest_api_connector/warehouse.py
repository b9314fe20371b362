"""App A, the warehouse: a backo keeping the products, for the services holding its token.

``python -m examples.rest_api_connector.warehouse`` serves it alone on 127.0.0.1,
port ``$WAREHOUSE_PORT`` (5001), under ``/api/warehouse``, storing YAML files under
``./warehouse_data``. Every collection route wants ``Authorization: Bearer <token>``
(``$WAREHOUSE_TOKEN``): the header a ``DBRedirect`` built with ``auth_token=`` sends.
"""

import hmac
import os
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response, request

from backo import Backoffice, Collection, DBYmlConnector, Float, Int, Item, String, current_user

DEFAULT_DATA_DIR = Path("warehouse_data")
DEFAULT_PORT = 5001
DEFAULT_TOKEN = "change-me-warehouse-token"
#: The routes' prefix: the shop's DBRedirect uses ``prefix="api/warehouse"``.
PREFIX = "api"


def product_item() -> Item:
    """A product; the shop declares the same model for the products it redirects here."""
    return Item(
        {
            "name": String(required=True),
            "price": Float(min=0.0, description="Unit price, a decimal number"),
            "stock": Int(min=0, default=0),
        }
    )


def create_backoffice(data_dir: Path) -> Backoffice:
    """The "warehouse" backoffice: one "products" collection in YAML files under ``data_dir``."""
    (data_dir / "products").mkdir(parents=True, exist_ok=True)
    backoffice = Backoffice("warehouse")
    backoffice.register_collection(
        Collection("products", product_item(), DBYmlConnector(path=str(data_dir / "products")))
    )
    return backoffice


def require_service_token(token: str) -> Callable[[], Response | None]:
    """The ``jwt_auth`` hook: the caller must present ``token`` as a bearer token (401 otherwise)."""
    expected = f"Bearer {token}".encode()

    def check() -> Response | None:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return Response("A valid service token is required", status=401, mimetype="text/plain")
        current_user.set({"_id": "service", "login": "shop", "roles": ["SERVICE"]})
        return None

    return check


def create_app(data_dir: Path = DEFAULT_DATA_DIR, token: str | None = None) -> Flask:
    """The Flask application serving the warehouse under ``/api/warehouse``."""
    app = Flask(__name__)
    token = token or os.environ.get("WAREHOUSE_TOKEN") or DEFAULT_TOKEN
    create_backoffice(Path(data_dir)).build_routes(app, PREFIX, require_service_token(token))
    return app


def main() -> None:
    """Serve the warehouse alone on 127.0.0.1, port ``$WAREHOUSE_PORT`` (default 5001)."""
    port = int(os.environ.get("WAREHOUSE_PORT", DEFAULT_PORT))
    create_app().run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
