"""Files over HTTP: JSON and multipart upload, streamed download, refusals and rights."""

import io
import json
import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from backo import Backoffice, BlobFile, Collection, DBMemoryConnector, Dict, File, FileSystemConnector, Item, String

BINARY = bytes(range(256)) * 64  # every byte value, 16 KiB
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def docs_backoffice(folder: Path, **rights) -> Backoffice:
    work = FileSystemConnector(path=str(folder))
    model = Item(
        {
            "name": String(),
            "f": File(work_connector=work),
            "sub": Dict({"g": File(work_connector=work)}),
            "blob": BlobFile(),
            "secret": File(work_connector=work, can_read=lambda right, o: False),
        }
    )
    backoffice = Backoffice("myApp")
    backoffice.register_collection(Collection("docs", model, DBMemoryConnector(), **rights))
    return backoffice


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "files"
    path.mkdir()
    return path


@pytest.fixture
def client(folder: Path) -> FlaskClient:
    app = Flask(__name__)
    docs_backoffice(folder).build_routes(app)
    return app.test_client()


def upload(client: FlaskClient, **files: tuple[bytes, str]) -> dict:
    data: dict = {"_json": json.dumps({"name": "uploaded"})}
    data.update({field: FileStorage(io.BytesIO(content), filename) for field, (content, filename) in files.items()})
    # encoded in memory: the test client would spool a large body to a file it never closes
    boundary, body = encode_multipart(MultiDict(data))
    response = client.post("/myApp/docs", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200, response.data
    return response.json


def test_json_content_round_trip(client: FlaskClient) -> None:
    created = client.post("/myApp/docs", json={"f": "hello world", "blob": "base64:SGVsbG8="}).json
    assert created["f"]["content_type"] == "text/plain" and created["f"]["size"] == 11
    response = client.get(f"/myApp/docs/{created['_id']}/f")
    assert response.status_code == 200 and response.data == b"hello world"
    assert response.headers["Content-Type"] == "text/plain"  # the stored type exactly, no charset (0.2.1)
    assert response.headers["Content-Length"] == "11"
    assert client.get(f"/myApp/docs/{created['_id']}/blob").data == b"Hello"


def test_multipart_upload_is_byte_for_byte(client: FlaskClient) -> None:
    created = upload(client, f=(BINARY, "all bytes.bin"), **{"sub.g": (GIF, "pic.gif")})
    assert created["name"] == "uploaded"
    assert created["f"]["filename"] == "all bytes.bin" and created["f"]["size"] == len(BINARY)
    download = client.get(f"/myApp/docs/{created['_id']}/f")
    assert download.data == BINARY
    assert (
        download.headers["Content-Disposition"]
        == "attachment; filename=\"all bytes.bin\"; filename*=UTF-8''all%20bytes.bin"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("sub.g", "$.sub.g"):
        assert client.get(f"/myApp/docs/{created['_id']}/{path}").data == GIF


def test_a_large_file_streams_in_chunks(client: FlaskClient) -> None:
    content = os.urandom(10 * 1024 * 1024)
    created = upload(client, f=(content, "big.bin"))
    response = client.get(f"/myApp/docs/{created['_id']}/f", buffered=False)
    chunks = list(response.response)
    assert len(chunks) > 1 and b"".join(chunks) == content
    response.close()


def test_replacing_and_deleting_remove_old_content(client: FlaskClient, folder: Path) -> None:
    created = client.post("/myApp/docs", json={"f": "first"}).json
    assert client.put(f"/myApp/docs/{created['_id']}", json={"f": "second"}).status_code == 200
    assert client.get(f"/myApp/docs/{created['_id']}/f").data == b"second"
    assert len(list(folder.iterdir())) == 1
    assert client.delete(f"/myApp/docs/{created['_id']}").status_code == 200
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("zz", 'Exception("docs: path "$.zz" not found")'),
        ("name", 'docs: path "$.name" must be a File(), and actually is "<class \'stricto.string.String\'>"'),
        ("secret", 'Exception("docs: path "$.secret" not found")'),
    ],
)
def test_download_refusals(client: FlaskClient, path: str, message: str) -> None:
    created = client.post("/myApp/docs", json={"name": "n", "f": "x"}).json
    response = client.get(f"/myApp/docs/{created['_id']}/{path}")
    assert response.status_code == 400
    assert message in response.text


def test_download_of_an_empty_file_field_and_unknown_item(client: FlaskClient) -> None:
    created = client.post("/myApp/docs", json={"name": "n"}).json
    response = client.get(f"/myApp/docs/{created['_id']}/f")
    assert response.status_code == 500 and response.text == 'Exception("$.f file not found")'
    assert client.get("/myApp/docs/nope/f").status_code == 404


def test_a_forged_file_id_is_refused(client: FlaskClient, folder: Path) -> None:
    forged = {"f": {"file_id": "../../etc/passwd", "size": 10, "content_type": "text/plain"}}
    response = client.post("/myApp/docs", json=forged)
    assert response.status_code == 400
    assert list(folder.iterdir()) == []


def test_download_needs_the_read_right(folder: Path) -> None:
    app = Flask(__name__)
    backoffice = docs_backoffice(folder, can_read=lambda right, o: o is not None and o.name != "hidden")
    backoffice.build_routes(app)
    client = app.test_client()
    created = backoffice.docs.create({"name": "hidden", "f": "x"})
    assert client.get(f"/myApp/docs/{created._id.get_value()}/f").status_code == 403
    closed = Flask(__name__)
    docs_backoffice(folder, can_read=False).build_routes(closed)
    assert closed.test_client().get(f"/myApp/docs/{created._id.get_value()}/f").status_code == 404


def test_openapi_documents_the_download(client: FlaskClient) -> None:
    document = client.get("/myApp/openapi").json
    operation = document["paths"]["/docs/{id}/{path}"]["get"]
    assert operation["operationId"] == "get_docs_path"
    path_parameter = next(p for p in operation["parameters"] if p["name"] == "path")
    assert path_parameter["schema"]["enum"] == ["f", "blob", "secret"]
