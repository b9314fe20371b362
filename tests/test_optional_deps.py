"""``import backo`` needs no optional dependency, and the feature that needs one names its extra.

The real check runs in a fresh interpreter whose import system refuses pymongo, bson,
requests, urllib3, python-magic, psycopg and fcntl (as a machine without them, or
Windows, would): backo imports, serves a memory and a YAML collection, and each optional
feature raises :class:`~backo.MissingExtraError` with its install line.
"""

import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from backo.error import BackoError, MissingExtraError
from backo.extras import DISTRIBUTION, EXTRAS, install_line, missing

ROOT = Path(__file__).resolve().parent.parent

BLOCKED_RUN = """
    import importlib.abc, json, sys, tempfile

    BLOCKED = {"pymongo", "bson", "requests", "urllib3", "magic", "psycopg", "psycopg_pool", "fcntl"}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Refuse())
    for name in [name for name in sys.modules if name.partition(".")[0] in BLOCKED]:
        del sys.modules[name]

    import backo
    from backo import *  # every exported name resolves
    from flask import Flask
    import backo.cli  # the flask command group too

    current_user.standalone = True
    found = {}
    bo = Backoffice("shop")
    bo.register_collection(Collection("notes", Item({"text": String()}), DBMemoryConnector()))
    bo.register_collection(Collection("books", Item({"title": String()}), DBYmlConnector(path=tempfile.mkdtemp())))
    app = Flask("blocked")
    bo.build_routes(app)
    client = app.test_client()
    found["created"] = [client.post(f"/shop/{name}", json={}).status_code for name in ("notes", "books")]
    found["listed"] = client.get("/shop/books").get_json()["total"]

    def error_of(build):
        try:
            build()
        except MissingExtraError as error:
            return [type(error).__name__, isinstance(error, ImportError), error.to_string()]
        return None

    found["mongo"] = error_of(lambda: DBMongoConnector(connection_string="mongodb://127.0.0.1:1/db", collection="c"))
    found["rest"] = error_of(lambda: DBRedirect("books", host="127.0.0.1", port=1, prefix="api/library"))
    attachments = Collection("attachments", Item({"cv": BlobFile()}), DBMemoryConnector())
    bo.register_collection(attachments)
    found["files"] = error_of(lambda: attachments.create({"cv": b"%PDF-1.4 hello"}))
    found["loaded"] = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
    print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def blocked() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(BLOCKED_RUN)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.timeout(150)
def test_backo_imports_and_serves_without_any_optional_dependency(blocked: dict) -> None:
    assert blocked["created"] == [200, 200] and blocked["listed"] == 1
    assert blocked["loaded"] == []


@pytest.mark.timeout(150)
@pytest.mark.parametrize(
    ("feature", "start"),
    [
        ("mongo", "DBMongoConnector needs pymongo, which is not installed"),
        ("rest", "DBRestfullConnector and DBRedirect needs requests, which is not installed"),
        ("files", "File and BlobFile content needs python-magic, which is not installed"),
    ],
)
def test_the_feature_that_needs_an_extra_names_it(blocked: dict, feature: str, start: str) -> None:
    name, is_import_error, message = blocked[feature]
    assert name == "MissingExtraError" and is_import_error
    assert message.startswith(start) and f"pip install '{DISTRIBUTION}[{feature}]'" in message


def test_a_stand_in_can_be_named_but_not_used() -> None:
    requests = missing("requests", "rest", "DBRestfullConnector", ModuleNotFoundError("No module named 'requests'"))
    assert not isinstance("x", requests.Response)  # annotations, isinstance
    try:
        raise ValueError("other")
    except (requests.HTTPError, ValueError) as caught:  # except clauses stay valid
        assert str(caught) == "other"
    with pytest.raises(MissingExtraError) as raised:
        requests.Session()
    assert raised.value.to_string() == (
        "DBRestfullConnector needs requests, which is not installed (No module named 'requests'): "
        "pip install 'backoffice-kit[rest]'"
    )
    assert not isinstance(raised.value, BackoError) and isinstance(raised.value, ImportError)
    with pytest.raises(MissingExtraError, match="also needs the libmagic system library"):
        missing("magic", "files", "File content").Magic(mime=True)


def test_the_extras_table_is_pyproject_s() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert set(EXTRAS) | {"all", "dev"} == set(extras)
    assert extras["all"] == [f"{DISTRIBUTION}[{','.join(EXTRAS)}]"]
    assert f"{DISTRIBUTION}[all]" in extras["dev"]
    assert install_line("mongo") == "pip install 'backoffice-kit[mongo]'"
