"""JSON Schema derived from stricto fields: every kind, for answers and for requests."""

import datetime
import math
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from backo import (
    Backoffice,
    Bool,
    Bytes,
    Collection,
    Datetime,
    DBMemoryConnector,
    Dict,
    File,
    FileSystemConnector,
    Float,
    FreeDict,
    In,
    Int,
    Item,
    List,
    Ref,
    RefsList,
    String,
    Tuple,
)
from backo.http.openapi_schemas import SchemaContext, field_kind, json_safe, request_body

from .conftest import serve


def every_kind(folder: Path) -> Item:
    store = FileSystemConnector(path=str(folder))
    return Item(
        {
            "code": String(regexp=r"[A-Z]{3}$", description="Three capitals"),
            "colour": String(union=["red", "blue"], default="red"),
            "level": Int(min=0, max=9),
            "ratio": Float(),
            "flag": Bool(),
            "tags": List(String(), min=1, max=3, uniq=True),
            "pair": Tuple((Int(), String())),
            "either": In([Int(), String()]),
            "free": FreeDict(),
            "when": Datetime(default=datetime.datetime(2020, 1, 2, 3, 4, 5)),
            "raw": Bytes(),
            "owner": Ref(coll="things", field="$.owned"),
            "owned": RefsList(coll="things", field="$.owner"),
            "photo": File(wc=FileSystemConnector(path=str(folder)), mime_types=["image/png"]),
            "sub": Dict({"deep": Dict({"x": Int(required=True)}), "doc": File(wc=store)}),
            "shown_later": String(can_read=lambda right, item: True),
            "computed": Int(set=lambda item: 1),
            "locked": String(can_modify=False),
            "stamp": Float(default=lambda item: 1.0),
        }
    )


@pytest.fixture
def backoffice(tmp_path: Path) -> Backoffice:
    backoffice = Backoffice("kinds")
    backoffice.register_collection(Collection("things", every_kind(tmp_path), DBMemoryConnector()))
    return backoffice


@pytest.fixture
def answer(backoffice: Backoffice) -> dict[str, Any]:
    return backoffice.things.get_openapi_schemas()


def test_answer_schemas_of_every_kind(answer: dict[str, Any]) -> None:
    p = answer["things"]["properties"]
    assert (p["code"]["type"], p["code"]["pattern"]) == ("string", "^(?:[A-Z]{3}$)")  # re.match anchors the start
    assert p["code"]["description"] == "Three capitals"
    assert p["colour"]["enum"] == ["red", "blue", None] and p["colour"]["default"] == "red"
    assert (p["level"]["type"], p["level"]["minimum"], p["level"]["maximum"]) == ("integer", 0, 9)  # bounded: not null
    assert p["ratio"]["type"] == ["number", "null"] and p["flag"]["type"] == ["boolean", "null"]
    assert (p["tags"]["minItems"], p["tags"]["maxItems"], p["tags"]["uniqueItems"]) == (1, 3, True)
    assert p["pair"]["items"]["anyOf"] == [{"type": ["integer", "null"]}, {"type": ["string", "null"]}]
    assert p["pair"]["minItems"] == p["pair"]["maxItems"] == 2
    assert p["either"]["anyOf"][0]["anyOf"] == [{"type": ["integer", "null"]}, {"type": ["string", "null"]}]
    assert p["free"]["type"] == ["object", "null"]
    assert p["when"]["default"] == "2020-01-02T03:04:05" and "pattern" in p["when"]
    assert p["raw"] == {"title": "raw", "type": ["string", "null"], "contentEncoding": "base64"}
    assert p["owner"]["x-backo-collection"] == "things" and p["owner"]["type"] == ["string", "null"]
    assert p["owned"]["items"]["x-backo-collection"] == "things" and p["owned"]["default"] == []
    assert p["photo"]["anyOf"][0] == {"$ref": "#/components/schemas/backo-file"}
    assert answer["backo-file"]["properties"]["size"] == {"type": ["integer", "null"]}
    assert p["computed"]["readOnly"] is True and p["locked"]["readOnly"] is True
    assert "default" not in p["stamp"]  # a callable default has no value to show
    assert answer["things_sub_deep"]["required"] == ["x"]
    assert answer["things-view"]["properties"]["sub"]["$ref"] == "#/components/schemas/things_sub-view"
    deep_view = answer["things_sub_deep-view"]
    assert deep_view["title"] == "things_sub_deep-view" and "required" not in deep_view


def test_required_lists_only_what_every_answer_holds() -> None:
    model = Item(
        {
            "a": String(required=True),
            "b": String(required=True, can_read=lambda right, item: False),
            "c": String(required=True, exists=lambda item: False),
        }
    )
    schemas: dict[str, Any] = {}
    assert SchemaContext(schemas).answer_object(model, "m", partial=False)["required"] == ["a"]


def test_request_schemas_of_every_kind(tmp_path: Path) -> None:
    body = request_body(every_kind(tmp_path), create=True)
    schema = body["content"]["application/json"]["schema"]
    p = schema["properties"]
    assert {"computed", "locked", "_id", "_meta"}.isdisjoint(p)  # computed, read-only, backo's
    assert schema["required"] == ["code", "level", "tags"]  # bounded fields refuse None in stricto 0.2
    assert p["when"]["format"] == "date-time"  # requests accept RFC 3339 (offsets included)
    assert p["photo"]["type"] == ["string", "null"] and "base64:" in p["photo"]["description"]
    assert p["sub"]["type"] == "object" and p["sub"]["additionalProperties"] is False  # inline, never None
    assert p["sub"]["properties"]["deep"]["required"] == ["x"] and "required" not in p["sub"]
    multipart = body["content"]["multipart/form-data"]["schema"]
    assert multipart["required"] == ["_json"]
    assert multipart["properties"]["photo"] == {"type": "string", "format": "binary"}
    assert multipart["properties"]["sub.doc"] == {"type": "string", "format": "binary"}
    assert "photo" not in multipart["properties"]["_json"]["properties"]


def test_download_route_and_document(backoffice: Backoffice) -> None:
    document = serve(backoffice).get("/kinds/openapi").json
    validate(document)
    download = document["paths"]["/things/{id}/{path}"]["get"]
    path = download["parameters"][1]
    assert path["schema"]["enum"] == ["photo"] and "sub.doc" in path["description"]
    assert download["responses"]["200"]["content"] == {"*/*": {"schema": {"type": "string", "format": "binary"}}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1, "a", None], (True, [1, "a", None])),
        (datetime.date(2020, 1, 2), (True, "2020-01-02")),
        (math.nan, (False, None)),
        ({1, 2}, (False, None)),
        (object(), (False, None)),
    ],
)
def test_json_safe(value: Any, expected: tuple[bool, Any]) -> None:
    assert json_safe(value) == expected


def test_field_kinds() -> None:
    assert field_kind(Ref(coll="x")) == "Ref" and field_kind(RefsList(coll="x")) == "RefsList"
    assert field_kind(String()) == "String" and field_kind(FreeDict()) == "FreeDict"
    assert field_kind(Item({})) == "Dict"
