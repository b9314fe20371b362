"""Issue 14 (7): backo logs as a library should (Python logging HOWTO, "Configuring Logging
for a Library").

Loggers under ``backo.*``, a NullHandler on ``backo`` and no level set by backo: the
application's logging configuration alone decides what shows. Client errors (4xx) at
INFO or DEBUG, server errors (5xx) at ERROR with the traceback. The opt-in stream handler
colours only a terminal, never with ``NO_COLOR``. 0.2.1's ``log_system`` API keeps working
under the documented short names.
"""

import ast
import io
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stricto import SRightError

from backo import Backoffice, Collection, DBMemoryConnector, Item, Logger, LogLevel, String, log_system
from backo.log import LOGGER_NAMES

RESET, RED = "\x1b[0m", "\x1b[91m"


class Records(logging.Handler):
    """Keeps every record it is given: the application's own handler, on the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def of_backo(self) -> list[logging.LogRecord]:
        return [record for record in self.records if record.name.startswith("backo.")]


@pytest.fixture
def levels_restored() -> Iterator[None]:
    """Put back every level this test changes (root, backo, log_system's loggers)."""
    loggers = [logging.getLogger(), logging.getLogger("backo"), *log_system.loggers.values()]
    levels = [logger.level for logger in loggers]
    level_for_all = log_system.level_for_all
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)
    log_system.level_for_all = level_for_all


def app_at(level: int, handler: Records) -> None:
    """Configure the application's logging as an app does: the root logger's level and handler."""
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)


@pytest.fixture
def records(levels_restored: None) -> Iterator[Records]:
    handler = Records()
    yield handler
    logging.getLogger().removeHandler(handler)


def refuse(event_name: str, root: object, me: object, **kwargs: object) -> None:
    raise SRightError("refused by a handler")


def crash(event_name: str, root: object, me: object, **kwargs: object) -> None:
    raise ValueError("internal detail")


@pytest.fixture
def client() -> FlaskClient:
    """Three collections: one whose creates are refused (403), one whose creates crash (500)."""
    bo = Backoffice("app")
    for name, on in (("docs", []), ("refused", [("created", refuse)]), ("crashing", [("created", crash)])):
        bo.register_collection(Collection(name, Item({"name": String()}, on=on), DBMemoryConnector()))
    app = Flask(__name__)
    bo.build_routes(app)
    return app.test_client()


def fail_four_ways(client: FlaskClient) -> None:
    """A 400, a 403, a 404 and a 500, each a failed request."""
    assert client.post("/app/docs", json={"name": 1}).status_code == 400
    assert client.post("/app/refused", json={"name": "x"}).status_code == 403
    assert client.get("/app/docs/nope").status_code == 404
    assert client.post("/app/crashing", json={"name": "x"}).status_code == 500


# -- the application's level decides ---------------------------------------------------------


def test_an_app_at_warning_sees_no_backo_info_on_failed_requests(records: Records, client: FlaskClient) -> None:
    app_at(logging.WARNING, records)
    fail_four_ways(client)
    backo_records = records.of_backo()
    assert [record.levelno for record in backo_records] == [logging.ERROR]  # the 500, nothing else
    assert backo_records[0].name == "backo.http" and backo_records[0].getMessage() == "internal detail"
    assert not any("Rollback transactions" in record.getMessage() for record in records.records)


def test_the_same_requests_at_debug_show_the_rollbacks_and_the_client_errors(
    records: Records, client: FlaskClient
) -> None:
    # What the WARNING test filters out does exist: the app's level alone hid it.
    app_at(logging.DEBUG, records)
    fail_four_ways(client)
    messages = [(record.name, record.levelname, record.getMessage()) for record in records.of_backo()]
    rollbacks = [m for m in messages if m[0] == "backo.backoffice" and m[2].startswith("Rollback transactions ")]
    assert len(rollbacks) == 3 and {m[1] for m in rollbacks} == {"INFO"}  # 400, 403 and 500 roll back


def test_client_errors_are_info_or_debug_and_server_errors_error_with_traceback(
    records: Records, client: FlaskClient
) -> None:
    app_at(logging.DEBUG, records)
    fail_four_ways(client)
    http = [record for record in records.of_backo() if record.name == "backo.http"]
    assert [(record.levelno, record.getMessage()) for record in http] == [
        (logging.INFO, '400 TypeError("$.name: Must be a string (value="1")")'),
        (logging.INFO, '403 RightsError("refused by a handler")'),
        (logging.DEBUG, '404 Exception("_id "nope" not found in memory")'),
        (logging.ERROR, "internal detail"),
    ]
    assert [record.exc_info is not None for record in http] == [False, False, False, True]
    assert http[-1].exc_info is not None and http[-1].exc_info[0] is ValueError
    assert "Traceback" in logging.Formatter().format(http[-1])


# -- names, handlers and levels ----------------------------------------------------------------


def test_documented_names_are_loggers_under_backo() -> None:
    import backo.storage.db.mongo  # noqa: F401 - registers "mongo" on first use

    for short in ("backoffice", "http", "ref", "yml", "mongo", "migration", "file", "transaction", "action"):
        assert LOGGER_NAMES[short] == f"backo.{short}"
        assert log_system.loggers[short] is logging.getLogger(f"backo.{short}")
    for short, logger in log_system.loggers.items():
        if short in LOGGER_NAMES:
            assert logger.name == f"backo.{short}"
    assert any(isinstance(handler, logging.NullHandler) for handler in logging.getLogger("backo").handlers)
    assert logging.getLogger("backo").level == logging.NOTSET


CHILD = textwrap.dedent(
    """
    import logging, sys
    {configure}
    import backo, backo.storage.db.mongo, backo.storage.db.rest, backo.storage.db.redirect
    from flask import Flask
    from backo import Backoffice, Collection, DBMemoryConnector, Item, String, current_user
    current_user.standalone = True

    def crash(event_name, root, me, **kwargs):
        raise ValueError("internal detail")

    bo = Backoffice("app")
    model = Item({{"name": String()}}, on=[("created", crash)])
    bo.register_collection(Collection("crashing", model, DBMemoryConnector()))
    app = Flask("child")
    bo.build_routes(app)
    assert app.test_client().post("/app/crashing", json={{"name": "x"}}).status_code == 500
    loggers = [logging.getLogger("backo"), *backo.log_system.loggers.values()]
    print(sorted({{(logger.name, logger.level) for logger in loggers}}))
    """
)


def run_child(configure: str) -> subprocess.CompletedProcess[str]:
    code = CHILD.format(configure=configure)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)


@pytest.mark.timeout(120)
def test_a_fresh_process_gets_no_level_from_backo_and_prints_nothing_unconfigured() -> None:
    child = run_child("")
    names_and_levels = ast.literal_eval(child.stdout)
    assert {name for name, _ in names_and_levels} >= {"backo", "backo.http", "backo.backoffice", "backo.mongo"}
    assert {level for _, level in names_and_levels} == {logging.NOTSET}
    assert child.stderr == ""  # the NullHandler: no "last resort" output from a library


@pytest.mark.timeout(120)
def test_a_fresh_process_at_warning_prints_the_500_with_traceback_and_no_info() -> None:
    child = run_child("logging.basicConfig(level=logging.WARNING)")
    assert "ERROR:backo.http:internal detail" in child.stderr
    assert "Traceback (most recent call last)" in child.stderr and "ValueError: internal detail" in child.stderr
    assert "INFO" not in child.stderr and "Rollback" not in child.stderr


# -- 0.2.1's log_system API ------------------------------------------------------------------


def test_log_system_answers_to_the_documented_names(levels_restored: None) -> None:
    memory = log_system.set_memoryhandler(None)
    http = log_system.get_or_create_logger("http", LogLevel.INFO)  # sets the level: the app asks
    try:
        assert http is logging.getLogger("backo.http") and http.level == LogLevel.INFO
        assert log_system.get_or_create_logger("backo.http", LogLevel.INFO) is http  # one logger, one entry
        log_system.add_handler(memory, "http")
        http.info("hello %s", "http")
        assert http.get_last_message().getMessage() == "hello http"  # type: ignore[attr-defined]
        log_system.setLevel(LogLevel.WARNING)
        assert {logger.level for logger in log_system.loggers.values()} == {LogLevel.WARNING}
        http.info("dropped")
        assert http.get_last_message().getMessage() == "hello http"  # type: ignore[attr-defined]
    finally:
        http.removeHandler(memory)


def test_an_application_logger_keeps_its_own_name() -> None:
    registry = Logger()
    custom = registry.get_or_create_logger("backo-test-own-name", LogLevel.DEBUG)
    assert custom is logging.getLogger("backo-test-own-name") and custom.level == LogLevel.DEBUG
    assert registry.loggers == {"backo-test-own-name": custom}


def test_set_level_reaches_loggers_registered_later() -> None:
    registry = Logger()
    registry.setLevel(LogLevel.DEBUG)
    later = registry._register("backo-test-later")
    assert later.level == LogLevel.DEBUG
    assert Logger()._register("backo-test-untouched").level == LogLevel.NOTSET


# -- colours: a terminal only, never with NO_COLOR ----------------------------------------


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def written_by(stream: io.StringIO, **kwargs: bool) -> str:
    registry = Logger()
    log = registry.get_or_create_logger("backo-test-colours", LogLevel.DEBUG)
    handler = registry.set_streamhandler(stream, **kwargs)
    log.addHandler(handler)
    try:
        log.error("bad thing")
    finally:
        log.removeHandler(handler)
    return stream.getvalue()


def test_a_terminal_gets_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert written_by(Terminal()) == f"{RED}ERROR : bad thing{RESET}\n"


@pytest.mark.parametrize("empty", [True, False])
def test_no_color_turns_colours_off_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch, empty: bool) -> None:
    # https://no-color.org: set and not empty means no colour; empty means unset.
    monkeypatch.setenv("NO_COLOR", "" if empty else "1")
    expected = f"{RED}ERROR : bad thing{RESET}\n" if empty else "ERROR : bad thing\n"
    assert written_by(Terminal()) == expected


def test_a_stream_that_is_no_terminal_gets_no_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert written_by(io.StringIO()) == "ERROR : bad thing\n"


def test_a_real_file_gets_no_colours(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    path = tmp_path / "app.log"
    with path.open("w") as stream:
        registry = Logger()
        log = registry.get_or_create_logger("backo-test-file-colours", LogLevel.DEBUG)
        handler = registry.set_streamhandler(stream)
        log.addHandler(handler)
        log.error("bad thing")
        log.removeHandler(handler)
    assert path.read_text() == "ERROR : bad thing\n"


def test_colored_decides_when_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert written_by(io.StringIO(), colored=True) == f"{RED}ERROR : bad thing{RESET}\n"
    monkeypatch.delenv("NO_COLOR")
    assert written_by(Terminal(), colored=False) == "ERROR : bad thing\n"
