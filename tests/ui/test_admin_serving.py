"""What ``build_routes(app, admin=True)`` serves, and that apps without it pay nothing (no browser)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask

from backo import Backoffice, Collection, DBMemoryConnector, Item, String

ROOT = Path(__file__).resolve().parents[2]


def app_with(admin: bool, prefix: str = "") -> Flask:
    backoffice = Backoffice("shop")
    backoffice.register_collection(Collection("products", Item({"name": String()}), DBMemoryConnector()))
    flask_app = Flask(__name__)
    backoffice.build_routes(flask_app, prefix, admin=admin)
    return flask_app


@pytest.mark.parametrize("prefix", ["", "api/v1"])
def test_the_page_and_its_files_are_served_under_the_backoffice(prefix: str) -> None:
    client = app_with(True, prefix).test_client()
    base = f"/{prefix}/shop" if prefix else "/shop"
    page = client.get(f"{base}/_admin/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert f'data-api="{base}"' in html and 'data-auth="none"' in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert client.get(f"{base}/_admin").status_code == 308  # to the trailing slash
    with client.get(f"{base}/_admin/static/admin.js") as script:  # a file response: closed here
        assert script.status_code == 200 and b"_rights=evaluated" in script.data
    with client.get(f"{base}/_admin/static/admin.css") as style:
        assert style.status_code == 200 and style.mimetype == "text/css"
    assert client.get(f"{base}/products").status_code == 200  # the API is unchanged


def test_without_admin_there_is_no_admin_route() -> None:
    assert app_with(False).test_client().get("/shop/_admin/").status_code == 404


def test_with_jwt_auth_the_page_offers_a_token_field() -> None:
    backoffice = Backoffice("shop")
    flask_app = Flask(__name__)
    backoffice.build_routes(flask_app, "", lambda: ("no", 401), admin=True)
    html = flask_app.test_client().get("/shop/_admin/").get_data(as_text=True)  # the page itself is public
    assert 'data-auth="token"' in html and 'id="token"' in html


@pytest.mark.timeout(60)
def test_the_admin_package_is_imported_only_when_asked() -> None:
    script = textwrap.dedent(
        """
        import sys
        from flask import Flask
        from backo import Backoffice
        Backoffice("a").build_routes(Flask("a"))
        before = sorted(m for m in sys.modules if m.startswith("backo.http.admin"))
        Backoffice("b").build_routes(Flask("b"), admin=True)
        after = "backo.http.admin" in sys.modules
        print(before, after)
        """
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=50, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"


def test_the_wheel_ships_the_templates_and_static_files() -> None:
    package = ROOT / "backo" / "http" / "admin"
    assert (package / "templates" / "backo_admin" / "index.html").is_file()
    assert {path.name for path in (package / "static").iterdir()} >= {"admin.js", "admin.css"}
