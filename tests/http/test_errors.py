"""The exception -> HTTP table (BEHAVIOR.md 11.3 with 19.2's fixes) and the 0.2.1 helper modules."""

import logging
from typing import Any

import backo.api_toolbox
import backo.openapi
import backo.request_decorators
import pytest
from flask import Flask
from stricto import SAttributeError, SConstraintError, SError, SKeyError, SRightError, SSyntaxError, STypeError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from backo import (
    BackoError,
    Backoffice,
    Collection,
    DBError,
    DBMemoryConnector,
    FileError,
    Item,
    NotFoundError,
    PathNotFoundError,
    SessionError,
    String,
    current_user,
)
from backo.http.errors import error_response, status_for

from .conftest import serve


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (NotFoundError('_id "{0}" not found', "x"), 404, 'Exception("_id "x" not found")'),
        (PathNotFoundError("p"), 400, 'Exception("p")'),
        (DBError("db"), 500, 'Exception("db")'),
        (BackoError("b"), 500, 'Exception("b")'),
        (SessionError("s"), 500, 'Exception("s")'),
        (FileError("f"), 500, 'Exception("f")'),
        (SRightError("r"), 403, 'RightsError("r")'),
        (SAttributeError("a"), 400, 'AttributeError("a")'),
        (STypeError("t"), 400, 'TypeError("t")'),
        (SSyntaxError("s"), 400, 'SyntaxError("s")'),
        (SConstraintError("c"), 400, 'ConstraintsError("c")'),
        (SKeyError("k"), 400, 'KeyError("k")'),
        (SError(ValueError("v")), 400, 'SError(ValueError("v"))'),
        (AttributeError("attr"), 400, "attr"),
        (TypeError("type"), 400, "type"),
        (KeyError("key"), 500, "'key'"),
        (ValueError("boom"), 500, "boom"),
        (RuntimeError("rt"), 500, "rt"),
        (BadRequest("bad"), 400, "bad"),
        (UnsupportedMediaType("Unsuported Media Type"), 415, "Unsuported Media Type"),
    ],
)
def test_status_table(error: Exception, status: int, body: str) -> None:
    with Flask(__name__).app_context():
        response = error_response(error)
    assert (response.status_code, response.get_data(as_text=True)) == (status, body)
    assert response.mimetype == "text/plain"


def test_lookup_follows_the_mro() -> None:
    class MissingThing(NotFoundError):
        pass

    class OddType(STypeError):
        pass

    assert status_for(MissingThing("x")) == 404
    assert status_for(OddType("x")) == 400


def test_server_errors_are_logged_with_traceback_never_sent(caplog: pytest.LogCaptureFixture) -> None:
    backoffice = Backoffice("myApp")

    def crash(right: str, o: Any) -> bool:
        raise ValueError("internal detail")

    backoffice.register_collection(Collection("users", Item({"name": String()}), DBMemoryConnector(), can_create=crash))
    with caplog.at_level(logging.ERROR, logger="backo.http"):
        response = serve(backoffice).post("/myApp/users", json={"name": "x"})
    assert (response.status_code, response.text) == (500, "internal detail")
    assert "Traceback" not in response.text
    assert any(record.exc_info for record in caplog.records if record.name == "backo.http")


def test_no_user_in_session_mode_is_500() -> None:
    current_user.standalone = False
    backoffice = Backoffice("myApp")
    backoffice.register_collection(Collection("users", Item({"name": String()}), DBMemoryConnector()))
    response = serve(backoffice).post("/myApp/users", json={"name": "x"})
    assert (response.status_code, response.text) == (500, 'Exception("No session id for authentication")')


def test_request_decorators_module() -> None:
    app = Flask(__name__)

    @backo.request_decorators.error_to_http_handler
    @backo.request_decorators.check_content_type
    def view() -> str:
        raise NotFoundError("nothing")

    assert view.__name__ == "view"
    assert backo.request_decorators.return_http_error(404, "x") == ("x", 404)
    with app.test_request_context("/", method="POST", data="x", content_type="text/plain"):
        response = view()
        assert (response.status_code, response.get_data(as_text=True)) == (415, "Unsuported Media Type")
    with app.test_request_context("/", method="POST", json={}):
        assert view().status_code == 404


def test_api_toolbox_and_openapi_modules() -> None:
    from werkzeug.datastructures import MultiDict

    args = MultiDict([("toto", "miam"), ("titi.tutu", "23.2"), ("tata.$gt", "11"), ("_page", "3")])
    assert backo.api_toolbox.multidict_to_filter(args) == {"toto": "miam", "titi": {"tutu": 23.2}, "tata": ("$gt", 11)}
    # the operator as written, as 0.2.1 returns it ("$re" is matched as "$reg" by the routes)
    assert backo.api_toolbox.append_path_to_filter({}, "a.b", ["$re", "x"]) == {"a": {"b": ("$re", "x")}}
    assert backo.openapi.JSON_PATCH_SCHEMA["title"] == "json-patch"
    assert backo.openapi.BACKO_META_SCHEMA["title"] == "backo-meta"
    assert backo.openapi.BACKO_FILTER_SCHEMA["description"] == "Filter for Backo selection."
    spec = backo.openapi.OpenAPISpec("t")
    spec.add_paths({"/x": {"get": {}}})
    assert spec.to_dict()["paths"] == {"/x": {"get": {}}}
    assert set(spec.to_dict()["components"]["schemas"]) == {"json-patch", "backo-meta", "backo-filter"}


def test_storage_failures_are_500_with_the_error_text() -> None:
    class BrokenStore(DBMemoryConnector):
        def get_by_id(self, _id: str) -> dict:
            raise DBError("disk on fire")

    backoffice = Backoffice("myApp")
    backoffice.register_collection(Collection("users", Item({"name": String()}), BrokenStore()))
    response = serve(backoffice).get("/myApp/users/x")
    assert (response.status_code, response.text) == (500, 'Exception("disk on fire")')
