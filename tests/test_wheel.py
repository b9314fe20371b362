"""``python -m build`` makes a wheel that carries what it must and imports without the extras.

The wheel is built from a copy of the sources (so the tree stays clean) with
``--no-isolation``, from the build tools of the dev extra: no network. It is then unpacked
and imported first in a fresh interpreter whose import system refuses pymongo, bson,
requests, python-magic and psycopg, as a machine that installed the wheel without extras
(and without libmagic) would.
"""

import email
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: What the sdist and the wheel are made of.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "backo")

IMPORT_WITHOUT_EXTRAS = """
    import importlib.abc, json, sys

    BLOCKED = {"pymongo", "bson", "requests", "magic", "psycopg", "psycopg_pool"}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Refuse())
    import backo
    from flask import Flask

    backo.current_user.standalone = True
    bo = backo.Backoffice("shop")
    bo.register_collection(backo.Collection("notes", backo.Item({"text": backo.String()}), backo.DBMemoryConnector()))
    app = Flask("wheel")
    bo.build_routes(app, admin=True)
    client = app.test_client()
    print(json.dumps({
        "file": backo.__file__,
        "created": client.post("/shop/notes", json={"text": "x"}).status_code,
        "admin": client.get("/shop/_admin/").status_code,
        "loaded": sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED),
    }))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "license" not in done.stderr.lower(), done.stderr  # no setuptools licence deprecation warning
    (built,) = out.glob("backoffice_kit-*.whl")
    return built


@pytest.mark.timeout(200)
def test_the_wheel_carries_the_licence_the_types_and_the_admin_ui(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "backo/py.typed" in names
    assert {"backo/http/admin/static/admin.js", "backo/http/admin/static/admin.css"} <= names
    assert "backo/http/admin/templates/backo_admin/index.html" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not any(name.startswith(("tests/", "testkit/", "benchmarks/")) for name in names)


@pytest.mark.timeout(200)
def test_the_wheel_requires_no_extra_by_default(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata_name,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
    metadata = email.message_from_bytes(archive.read(metadata_name))
    assert metadata["Name"] == "backoffice-kit" and metadata["License-Expression"] == "MIT"
    unconditional = [req for req in metadata.get_all("Requires-Dist") or [] if "extra ==" not in req]
    names = {req.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for req in unconditional}
    assert names == {"stricto", "flask", "pyyaml", "deepdiff", "pyjwt", "google-re2"}


@pytest.mark.timeout(200)
def test_the_unpacked_wheel_imports_and_serves_without_the_extras(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(IMPORT_WITHOUT_EXTRAS)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["file"].startswith(str(tmp_path / "site")), found  # the wheel's code, not the checkout's
    assert found["created"] == 200 and found["admin"] == 200
    assert found["loaded"] == []
