"""``flask backo``: each command through Flask's CliRunner, and once through a real ``flask`` process."""

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from backo import Backoffice, Collection, DBMemoryConnector, DBYmlConnector, Float, Item, Ref, RefsList, String
from backo.cli import backo_cli
from backo.cli.progress import ProgressBar
from backo.storage.db import DBSQLiteConnector


def add_note(o: dict) -> dict:
    """The migration the tests run: every book gets a note (a title that is no str stays as it is)."""
    o.setdefault("note", 10.0)
    return o


not_callable = 42


def shop(books: int = 3) -> Backoffice:
    """Backoffice "shop": authors and their books (``note`` is required: stored books lack it)."""
    bo = Backoffice("shop")
    authors = Item({"name": String(), "books": RefsList(coll="books", field="$.author")})
    book = Item({"title": String(), "note": Float(required=True), "author": Ref(coll="authors", field="$.books")})
    bo.register_collection(Collection("authors", authors, DBMemoryConnector()))
    bo.register_collection(Collection("books", book, DBMemoryConnector()))
    for index in range(books):
        bo.books.db_handler.save(f"b{index}", {"_id": f"b{index}", "title": f"t{index}"})
    return bo


def app_of(*backoffices: Backoffice) -> Flask:
    app = Flask(__name__)
    app.config["BACKO_URL_PREFIX"] = "/api"
    for bo in backoffices:
        bo.init_app(app)
    return app


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(backo_cli, list(args))


def stored(bo: Backoffice, name: str = "books") -> list[dict]:
    return bo.collections[name].db_handler.select(None, {}, 0, 0, {})


# --- migrate ------------------------------------------------------------------------------


def test_migrate_is_a_dry_run_by_default_and_summarises_the_changes() -> None:
    bo = shop(books=12)
    result = run(app_of(bo), "migrate", "books", "tests.test_cli:add_note", "--examples", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "books: 12 objects, 12 to change, 0 unchanged, 0 failed"
    assert lines[1] == "Changes (dry run: nothing written; --apply writes them):"
    assert lines[2].split() == ["12", "dictionary_item_added", "root['note']"]
    assert lines[3:5] == ["        b0", "        b1"] and lines[5].strip() == "... and 10 more"
    assert all("note" not in document for document in stored(bo))


def test_migrate_apply_writes_the_changed_objects() -> None:
    bo = shop()
    result = run(app_of(bo), "migrate", "books", "tests.test_cli:add_note", "--apply")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "books: 3 objects, 3 changed, 0 unchanged, 0 failed"
    assert [document["note"] for document in stored(bo)] == [10.0, 10.0, 10.0]
    again = run(app_of(shop(0)), "migrate", "books", "tests.test_cli:add_note", "--apply")
    assert again.exit_code == 0 and again.stdout.splitlines()[0].startswith("books: 0 objects")


def test_a_failing_migration_exits_1_lists_the_failures_and_writes_nothing() -> None:
    bo = shop(books=4)
    bo.books.db_handler.save("bad1", {"_id": "bad1", "title": 3})  # not a str: does not fit the model
    bo.books.db_handler.save("bad2", {"_id": "bad2", "title": 4})
    before = stored(bo)
    result = run(app_of(bo), "migrate", "books", "tests.test_cli:add_note", "--apply")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert out.splitlines()[0] == "books: 6 objects, 4 to change, 0 unchanged, 2 failed"
    assert "Objects that cannot be migrated (nothing written for them):" in out
    failures = out.split("cannot be migrated")[1].splitlines()[1:]
    assert failures[0].split()[0] == "2" and failures[1].strip().startswith("_id bad1: ")
    assert stored(bo) == before  # not even the valid ones: every object is checked first


def test_migrate_without_a_function_checks_the_objects_and_ids_narrow_it() -> None:
    bo = shop(books=3)
    result = run(app_of(bo), "migrate", "books", "--ids", "b0,b1")
    assert result.exit_code == 1  # stored books have no note: they do not fit the model
    assert result.stdout.splitlines()[0] == "books: 2 objects, 0 to change, 0 unchanged, 2 failed"
    assert "_id b0: " in result.stdout and "_id b2" not in result.stdout
    ok = run(app_of(shop(0)), "migrate", "books")
    assert ok.exit_code == 0 and ok.stdout.startswith("books: 0 objects, 0 to change")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["migrate", "nope"], 'no collection "nope" (there are: authors, books)'),
        (["migrate", "books", "tests.test_cli:missing"], 'cannot import "tests.test_cli:missing"'),
        (["migrate", "books", "tests.test_cli:not_callable"], '"tests.test_cli:not_callable" is not callable'),
    ],
)
def test_migrate_usage_errors_exit_2(args: list[str], message: str) -> None:
    bo = shop()
    before = stored(bo)
    result = run(app_of(bo), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert stored(bo) == before


# --- check-integrity ----------------------------------------------------------------------


def test_check_integrity_ok_exits_0() -> None:
    bo = shop(0)
    author = bo.authors.create({"name": "Herbert"})
    bo.books.create({"title": "Dune", "note": 9.0, "author": author._id.get_value()})
    result = run(app_of(bo), "check-integrity")
    assert result.exit_code == 0, result.output
    assert result.stdout == "shop: every reference is consistent (no problem found)\n"


def test_check_integrity_summarises_the_problems_by_kind_and_exits_1() -> None:
    bo = shop(0)
    for index in range(7):
        bo.books.db_handler.save(f"x{index}", {"_id": f"x{index}", "title": "t", "note": 1.0, "author": "ghost"})
    bo.authors.db_handler.save("a1", {"_id": "a1", "name": "n", "books": ["x0"]})  # x0 does not point back
    result = run(app_of(bo), "check-integrity", "--examples", "2")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "shop: 8 reference problems"
    assert lines[1].split() == ["7", "not", "found"]
    assert lines[2].strip() == "books/x0 $.author -> authors/ghost"
    assert lines[4].strip() == "... and 5 more"
    assert lines[5].split() == ["1", "$.author", "does", "not", "point", "back"]
    assert len(lines) == 7  # never one line per problem


# --- openapi, routes, help, finding the backoffice ----------------------------------------


def test_openapi_prints_or_writes_the_document(tmp_path: Path) -> None:
    bo = shop()
    app = app_of(bo)
    printed = run(app, "openapi")
    assert printed.exit_code == 0
    document = json.loads(printed.stdout)
    assert document == bo.get_openapi() and "/books" in document["paths"]
    assert [server["url"] for server in document["servers"]] == ["/api/shop"]
    target = tmp_path / "openapi.json"
    written = run(app, "openapi", "--output", str(target), "--indent", "0")
    assert written.exit_code == 0 and written.stdout.startswith(f"{target}: OpenAPI 3.")
    assert json.loads(target.read_text(encoding="utf-8")) == document


def test_routes_lists_the_backoffice_routes_only() -> None:
    app = app_of(shop())
    app.add_url_rule("/health", "health", lambda: "ok")
    result = run(app, "routes")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["GET", "/api/shop/_meta", "_meta_shop"] in rows
    assert ["POST", "/api/shop/books", "shop_books.create"] in rows
    assert ["DELETE", "/api/shop/authors/<_id>", "shop_authors.delete"] in rows
    assert not any("/health" in row for row in rows)


@pytest.mark.parametrize("command", ["migrate", "copy", "check-integrity", "openapi", "routes"])
def test_every_command_has_help(command: str) -> None:
    result = run(app_of(shop()), command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output and "--backoffice" in result.output


def test_the_backoffice_is_named_when_there_are_several_or_none() -> None:
    other = Backoffice("other")
    other.register_collection(Collection("things", Item({"name": String()}), DBMemoryConnector()))
    app = app_of(shop(), other)
    several = run(app, "check-integrity")
    assert (
        several.exit_code == 2 and "several backoffices: choose one with --backoffice (shop, other)" in several.output
    )
    assert run(app, "check-integrity", "--backoffice", "other").stdout.startswith("other: every reference")
    assert run(app, "check-integrity", "-b", "nope").exit_code == 2
    bare = Flask(__name__)
    none = run(bare, "routes")
    assert none.exit_code == 2 and "call backoffice.init_app(app)" in none.output


#: An application that calls build_routes itself (0.2.1's way), for --backoffice module:attr.
APP_SOURCE = """
    from flask import Flask
    from backo import Backoffice, Collection, DBMemoryConnector, Item, Ref, RefsList, String

    shop = Backoffice("shop")
    shop.register_collection(Collection("authors", Item({"name": String(), "books": RefsList(coll="books", field="$.author")}), DBMemoryConnector()))
    shop.register_collection(Collection("books", Item({"title": String(), "author": Ref(coll="authors", field="$.books")}), DBMemoryConnector()))
    shop.books.db_handler.save("b1", {"_id": "b1", "title": "Dune", "author": "ghost"})
    app = Flask(__name__)
    {serve}
"""


def _write_app(folder: Path, serve: str) -> None:
    (folder / "shopapp.py").write_text(textwrap.dedent(APP_SOURCE.replace("{serve}", serve)), encoding="utf-8")


@pytest.mark.timeout(120)
def test_a_real_flask_process_finds_the_command_group(tmp_path: Path) -> None:
    _write_app(tmp_path, "shop.init_app(app)")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "NO_COLOR": "1"}
    flask = [sys.executable, "-m", "flask", "--app", "shopapp"]
    done = subprocess.run(
        [*flask, "backo", "check-integrity"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "shop: 1 reference problems",
        "  1  not found",
        "       books/b1 $.author -> authors/ghost",
    ]
    listed = subprocess.run([*flask, "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100)
    assert "backo" in listed.stdout


def test_an_app_that_only_builds_routes_names_its_backoffice_by_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_app(tmp_path, "shop.build_routes(app)")
    monkeypatch.syspath_prepend(str(tmp_path))
    import shopapp  # type: ignore[import-not-found]

    result = run(shopapp.app, "-b", "shopapp:shop", "routes")
    assert result.exit_code == 0 and "/shop/books/<_id>" in result.stdout
    assert run(shopapp.app, "routes").exit_code == 2
    assert run(shopapp.app, "-b", "shopapp:nothing", "routes").exit_code == 2
    sys.modules.pop("shopapp", None)


# --- the progress bar ---------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_count_total_and_rate_on_a_terminal_only() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with ProgressBar("Checking books", stream=stream) as progress:
            for done in range(1, 10_001):
                progress(done, 10_000)
    drawn = terminal.getvalue()
    assert "Checking books" in drawn and "10000/10000" in drawn and "objects/s" in drawn
    assert pipe.getvalue() == ""  # not a terminal: the command prints its summary line instead


# --- copy ---------------------------------------------------------------------------------

#: the target of the copies, built by the tests (the command imports it by its path)
TARGET: DBMemoryConnector = DBMemoryConnector()
not_a_connector = "books"


def new_sqlite() -> DBSQLiteConnector:
    """A callable target: a SQLite table in the folder the test set."""
    return DBSQLiteConnector(path=str(SQLITE_FOLDER[0] / "copy.db"), table="books")


SQLITE_FOLDER: list[Path] = []


@pytest.fixture
def empty_copy_target() -> None:
    TARGET.drop()


def test_copy_into_a_connector_keeps_ids_and_says_how_many(empty_copy_target: None) -> None:
    bo = shop(books=4)
    result = run(app_of(bo), "copy", "books", "tests.test_cli:TARGET")
    assert result.exit_code == 0, result.output
    assert "books: 4 documents copied to DBMemoryConnector (4 in the target" in result.output
    assert sorted(d["_id"] for d in TARGET.select(None, {}, 0, 0, None)) == ["b0", "b1", "b2", "b3"]


def test_copy_into_what_a_callable_returns(tmp_path: Path) -> None:
    SQLITE_FOLDER[:] = [tmp_path]
    bo = shop(books=3)
    result = run(app_of(bo), "copy", "books", "tests.test_cli:new_sqlite")
    assert result.exit_code == 0, result.output
    copied = new_sqlite()
    try:
        assert copied.get_by_id("b2") == {"_id": "b2", "title": "t2"}
    finally:
        copied.close()


def test_copy_into_a_store_that_is_not_empty_exits_1_and_writes_nothing(empty_copy_target: None) -> None:
    TARGET.save("x", {"_id": "x"})
    result = run(app_of(shop(books=2)), "copy", "books", "tests.test_cli:TARGET")
    assert result.exit_code == 1
    assert "already holds 1 documents" in result.output
    assert [d["_id"] for d in TARGET.select(None, {}, 0, 0, None)] == ["x"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["copy", "nope", "tests.test_cli:TARGET"], 'no collection "nope"'),
        (["copy", "books", "tests.nowhere:TARGET"], "cannot import"),
        (["copy", "books", "tests.test_cli:not_a_connector"], "neither a DBConnector"),
    ],
)
def test_copy_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run(app_of(shop()), *args)
    assert result.exit_code == 2 and message in result.output


def test_copy_has_help() -> None:
    result = run(app_of(shop()), "copy", "--help")
    assert result.exit_code == 0 and "MODULE:CONNECTOR" in result.output


def test_the_copy_reports_progress_to_a_bar(tmp_path: Path) -> None:
    bo = shop(books=5)
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    seen: list[tuple[int, int | None]] = []
    with ProgressBar("Copying books", stream=terminal) as bar:

        def progress(done: int, total: int | None) -> None:
            seen.append((done, total))
            bar(done, total)

        bo.copy_collection("books", DBYmlConnector(path=str(tmp_path / "copy")), on_progress=progress)
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert "Copying books" in terminal.getvalue() and "5/5" in terminal.getvalue()
