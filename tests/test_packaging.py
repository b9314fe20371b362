"""The distribution: its own name, its licence, its metadata, its entry point, install lines that work."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import backo
from backo.cli import backo_cli
from backo.extras import DISTRIBUTION

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def test_the_distribution_has_a_name_of_its_own_and_backo_s_version() -> None:
    assert PROJECT["name"] == DISTRIBUTION == "backoffice-kit"
    assert PROJECT["version"] == backo.__version__
    assert "backo 0.2.1" in PROJECT["description"]


def test_the_licence_is_a_file_and_pep_639_metadata() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Copyright (c) 2026 the backo authors" in text
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])  # PEP 639: the expression only


def test_classifiers_and_urls() -> None:
    classifiers = set(PROJECT["classifiers"])
    for wanted in ("Programming Language :: Python :: 3.12", "Programming Language :: Python :: 3.13"):
        assert wanted in classifiers
    assert {"Typing :: Typed", "Framework :: Flask"} <= classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert all(url.startswith("https://") for url in PROJECT["urls"].values())
    assert (ROOT / "backo" / "py.typed").exists() and PYPROJECT["tool"]["setuptools"]["package-data"]["backo"] == [
        "py.typed"
    ]


def test_only_what_every_application_needs_is_mandatory() -> None:
    names = {re.split(r"[<>=\[; ]", requirement)[0].lower() for requirement in PROJECT["dependencies"]}
    # pyjwt stays: 0.2.1's README writes jwt_auth with `import jwt`, and backo.accounts signs with it
    assert names == {"stricto", "flask", "pyyaml", "deepdiff", "pyjwt", "google-re2"}


def test_the_flask_command_group_is_an_installed_entry_point() -> None:
    assert PROJECT["entry-points"]["flask.commands"] == {"backo": "backo.cli:backo_cli"}
    (point,) = [p for p in importlib.metadata.entry_points(group="flask.commands") if p.name == "backo"]
    assert point.load() is backo_cli
    assert importlib.metadata.distribution(DISTRIBUTION).metadata["Name"] == DISTRIBUTION


#: An install command in a page: ``pip install ...`` at the start of a line (after ``$ ``).
INSTALL_LINE = re.compile(r"^\s*(?:\$\s*)?(?:python -m )?pip install (?P<what>.+)$", re.MULTILINE)


def test_every_install_line_of_the_readme_and_the_docs_installs_this_project() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst")), *sorted((ROOT / "docs").glob("*.md"))]
    lines = [(page.name, m["what"]) for page in pages for m in INSTALL_LINE.finditer(page.read_text(encoding="utf-8"))]
    assert lines, "no install line found"
    for page, what in lines:
        target = what.split("#")[0].split()
        assert any(DISTRIBUTION in word or word in {".", "-r"} or word.startswith("'.[") for word in target), (
            page,
            what,
        )
