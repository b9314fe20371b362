"""Errors, logging and current_user: the modules every layer uses."""

import io
import logging

import pytest
from flask import Flask

from backo import (
    BackoError,
    CurrentUser,
    DBError,
    FileError,
    Logger,
    LogLevel,
    NotFoundError,
    PathNotFoundError,
    SessionError,
    SSyntaxError,
    StrictoError,
    String,
    current_user,
    log_system,
    stack,
)

ERRORS = [DBError, NotFoundError, PathNotFoundError, BackoError, SessionError, FileError]


@pytest.mark.parametrize("error_class", ERRORS)
def test_errors_render_as_exception_with_the_formatted_message(error_class) -> None:
    error = error_class('_id "{0}" not found in path "{path}"', "42", path="/data")
    assert str(error) == repr(error) == 'Exception("_id "42" not found in path "/data"")'
    assert error.to_string() == '_id "42" not found in path "/data"'
    assert error.args == ('_id "{0}" not found in path "{path}"', "42")
    assert isinstance(error, Exception) and isinstance(error, StrictoError)


def test_log_levels() -> None:
    assert LogLevel.get("DEBUG") == logging.DEBUG and LogLevel.get("nope") == 0
    assert (LogLevel.CRITICAL, LogLevel.WARN, LogLevel.NOTSET) == (50, 30, 0)


def test_named_loggers_live_under_backo_without_a_level_of_their_own() -> None:
    import backo.core.transaction  # noqa: F401 - creates the "transaction" logger

    # issue 14: backo.* names, and no level set by backo (0.2.1 set INFO and ERROR here)
    assert log_system.loggers["backoffice"] is logging.getLogger("backo.backoffice")
    assert log_system.loggers["transaction"] is logging.getLogger("backo.transaction")
    assert log_system.loggers["backoffice"].level == LogLevel.NOTSET
    assert log_system.loggers["transaction"].level == LogLevel.NOTSET


def test_logger_registry_handlers_and_last_message() -> None:
    registry = Logger()
    memory = registry.set_memoryhandler(None)
    registry.add_handler(memory)
    log = registry.get_or_create_logger("backo-test-custom", LogLevel.DEBUG)
    assert log.get_last_message() is None
    log.debug("hello %s", "world")
    assert log.get_last_message().getMessage() == "hello world"
    registry.setLevel(LogLevel.ERROR)
    log.info("dropped")
    assert log.get_last_message().getMessage() == "hello world"
    registry.add_handler(logging.NullHandler(), "unknown-logger")  # ignored, no error
    log.removeHandler(memory)


def test_stream_and_file_handlers_format(tmp_path) -> None:
    stream = io.StringIO()
    registry = Logger()
    log = registry.get_or_create_logger("backo-test-format", LogLevel.DEBUG)
    log.addHandler(registry.set_streamhandler(stream))
    path = tmp_path / "out.log"
    file_handler = registry.set_filehandler(str(path))
    log.addHandler(file_handler)
    log.error("bad thing")
    log.info("info thing")
    file_handler.close()
    # not a terminal: no ANSI colours (issue 14; colours on a terminal: tests/hardening/test_logging.py)
    assert stream.getvalue().splitlines() == ["ERROR : bad thing", "INFO :info thing"]
    assert path.read_text().splitlines() == ["ERROR : bad thing", "INFO :info thing"]
    log.handlers.clear()


def test_stack_never_fails() -> None:
    text = stack()
    assert text.startswith("\r\n  / \r\n") and text.endswith("\\__\r\n")
    assert stack(0).endswith("\\__\r\n")


def test_current_user_roles_and_anonymous() -> None:
    assert current_user.is_anonymous() and current_user.login == "ANONYMOUS"
    current_user.set({"_id": "1", "login": "alice", "roles": ["ADMIN", "EMPLOYEE"]})
    assert not current_user.is_anonymous()
    assert current_user.has_role("ADMIN") and not current_user.has_role("BOSS")
    assert current_user.has_role(["BOSS", "EMPLOYEE"]) and not current_user.has_role([])
    current_user.login = "alicia"
    assert current_user.retrieve_current_user().login == "alicia"
    with pytest.raises(SSyntaxError, match='the parameter "data" must be type'):
        current_user.set("alice")


def test_current_user_can_be_extended() -> None:
    class MyUser(CurrentUser):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.add_to_model("email", String())

        def describe(self) -> str:
            return f"user {self.login} ({self._id})"

    saved = (current_user.user_without_session, current_user.anonymous, current_user.administrator)
    try:
        current_user.reset(MyUser())
        current_user.set({"_id": "9", "login": "zoe"})
        current_user.email = "z@example.org"
        assert current_user.describe() == "user zoe (9)"
        assert current_user.email == "z@example.org"
    finally:
        current_user.user_without_session, current_user.anonymous, current_user.administrator = saved


def test_current_user_is_per_request_in_flask() -> None:
    current_user.standalone = False
    app = Flask(__name__)
    app.secret_key = "test"

    @app.route("/as/<login>")
    def as_user(login: str) -> str:
        current_user.set({"_id": login, "login": login})
        return str(current_user.login)

    @app.route("/whoami")
    def whoami() -> str:
        return str(current_user.login)

    alice, bob = app.test_client(), app.test_client()
    assert alice.get("/as/alice").text == "alice"
    assert bob.get("/as/bob").text == "bob"
    assert alice.get("/whoami").text == "alice"  # the session still names alice
    assert bob.get("/whoami").text == "bob"
    stranger = app.test_client()
    with app.test_request_context("/"):
        with pytest.raises(SessionError, match="No session id for authentication"):
            current_user.retrieve_current_user()
    assert stranger.get("/whoami").status_code == 500


def test_current_user_outside_a_request_falls_back_to_the_script_user() -> None:
    current_user.standalone = False
    assert current_user.login == "ANONYMOUS"
