"""Files as a 0.2.1 application uses them (COMPAT-FIXES.md sections 2, 3, 4 and N6-N9).

* computed files (``set=``) get their content, in plain Dicts and in collections;
* a BlobFile's JSON form copied from another record is content, in Python and over HTTP;
* a download's ``Content-Type`` is the stored type exactly (no ``; charset=utf-8``);
* 0.2.1's private names ``_authorized_mime_types`` and ``_buffers_size``.
"""

import base64
import contextlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stricto import Dict, SConstraintError, StrictoEncoder, String
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from backo import Backoffice, BlobFile, Collection, DBConnector, DBMemoryConnector, DBYmlConnector, File, Item
from backo.storage.files import FileBlobConnector, FileSystemConnector
from tests.support.backends import mongo_connector

pytestmark = pytest.mark.timeout(60)

#: Builds the database connector of a collection, on the store under test.
Store = Callable[[str], DBConnector]


@pytest.fixture(params=["memory", "yml", "mongo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The memory, YAML and (mongomock) MongoDB stores."""
    with contextlib.ExitStack() as stack:

        def make(name: str) -> DBConnector:
            if request.param == "memory":
                return DBMemoryConnector()
            if request.param == "yml":
                return DBYmlConnector(path=str(tmp_path / f"db-{name}"))
            return stack.enter_context(mongo_connector())

        yield make


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "files"
    path.mkdir()
    return path


def serve(backoffice: Backoffice) -> FlaskClient:
    app = Flask(__name__)
    backoffice.build_routes(app)
    return app.test_client()


def badge_text(o: Any) -> str:
    return f"Badge for {o.holder}"


# --- section 2: computed files ------------------------------------------------------------


def computed_kinds(folder: Path) -> list[tuple[str, File]]:
    return [
        ("BlobFile", BlobFile(set=badge_text)),
        ("File/FileSystem", File(work=FileSystemConnector(path=str(folder)), set=badge_text)),
        ("File/Blob", File(work=FileBlobConnector(), set=badge_text)),
    ]


@pytest.mark.parametrize("kind", ["BlobFile", "File/FileSystem", "File/Blob"])
def test_a_computed_file_holds_its_computed_content(folder: Path, kind: str) -> None:
    field = dict(computed_kinds(folder))[kind]
    first = Dict({"badge": field, "holder": String()})
    first.set({"holder": "Lina"})
    assert first.badge.has_file() is True
    assert first.badge.get_content() == b"Badge for Lina"
    assert first.badge.content_type == "text/plain" and first.badge.size == 14

    second = first.copy()
    second.holder = "Omar"
    assert second.badge.get_content() == b"Badge for Omar"
    assert first.badge.get_content() == b"Badge for Lina"  # the copy is independent

    second.set(json.loads(json.dumps(first, cls=StrictoEncoder)))
    assert second.badge.get_content() == b"Badge for Lina"
    assert first.badge.get_content() == b"Badge for Lina"


def test_a_computed_value_is_assigned_as_any_value(folder: Path) -> None:
    """``f(root)`` may return base64 text or bytes, as an assignment may; None empties the file."""
    values: dict[str, Any] = {"holder": "base64:" + base64.b64encode(b"GIF89a\x01\x00").decode()}
    field = Dict(
        {"pic": File(work=FileBlobConnector(), set=lambda o: values[o.holder.get_value()]), "holder": String()}
    )
    field.set({"holder": "holder"})
    assert field.pic.get_content() == b"GIF89a\x01\x00" and field.pic.content_type == "image/gif"
    values["raw"] = b"\x00\x01\x02"
    field.holder = "raw"
    assert field.pic.get_content() == b"\x00\x01\x02"
    values["none"] = None
    field.holder = "none"
    assert field.pic.has_file() is False


def test_computed_content_is_written_only_when_the_item_is_created(folder: Path, store: Store) -> None:
    work = FileSystemConnector(path=str(folder))
    backoffice = Backoffice("club")
    members = Collection("members", Item({"holder": String(), "card": File(wc=work, set=badge_text)}), store("members"))
    backoffice.register_collection(members)
    draft = members.new_item()
    draft.set({"holder": "Ines"})
    assert draft.card.get_content() == b"Badge for Ines"
    assert list(folder.iterdir()) == []  # pending until create/save
    created = members.create({"holder": "Ines"})
    assert [path.name for path in folder.iterdir()] == [created.card.file_id.get_value()]


def test_computed_files_in_a_collection(folder: Path, store: Store) -> None:
    work = FileSystemConnector(path=str(folder))
    model = Item({"holder": String(), "card": File(wc=work, set=badge_text), "badge": BlobFile(set=badge_text)})
    backoffice = Backoffice("club")
    backoffice.register_collection(Collection("members", model, store("members")))
    members = backoffice.members

    created = members.create({"holder": "Bob"})
    assert created.card.has_file() is True and created.badge.has_file() is True
    _id = created._id.get_value()
    loaded = members.get_by_id(_id)
    assert loaded.card.get_content() == b"Badge for Bob"
    assert loaded.badge.get_content() == b"Badge for Bob"
    assert loaded.card.file_id == created.card.file_id  # loading recomputes the same content: no change

    client = serve(backoffice)
    for path in ("card", "badge"):
        response = client.get(f"/club/members/{_id}/{path}")
        assert response.status_code == 200, response.text
        assert response.data == b"Badge for Bob"

    loaded.holder = "Robert"
    loaded.save()
    assert members.get_by_id(_id).card.get_content() == b"Badge for Robert"
    assert client.get(f"/club/members/{_id}/badge").data == b"Badge for Robert"
    assert [path.name for path in folder.iterdir()] == [loaded.card.file_id.get_value()]  # the old card is gone


def test_computed_files_created_over_http(folder: Path, store: Store) -> None:
    work = FileSystemConnector(path=str(folder))
    model = Item({"holder": String(), "card": File(wc=work, set=badge_text), "badge": BlobFile(set=badge_text)})
    backoffice = Backoffice("club")
    backoffice.register_collection(Collection("members", model, store("members")))
    client = serve(backoffice)
    created = client.post("/club/members", json={"holder": "Ada"})
    assert created.status_code == 200, created.text
    assert created.json["card"]["size"] == 13 and created.json["badge"]["file_id"] == "_local"
    for path in ("card", "badge"):
        assert client.get(f"/club/members/{created.json['_id']}/{path}").data == b"Badge for Ada"


# --- section 3: a BlobFile's JSON form is content -------------------------------------------


@pytest.fixture
def notes(store: Store) -> Backoffice:
    backoffice = Backoffice("desk")
    backoffice.register_collection(Collection("notes", Item({"title": String(), "doc": BlobFile()}), store("notes")))
    return backoffice


def test_blob_json_copied_between_records_over_http(notes: Backoffice) -> None:
    client = serve(notes)
    first = client.post("/desk/notes", json={"title": "first", "doc": "alpha"}).json
    second = client.post("/desk/notes", json={"title": "second", "doc": "beta"}).json
    got = client.get(f"/desk/notes/{first['_id']}").json

    assert client.put(f"/desk/notes/{first['_id']}", json=got).status_code == 200  # the same JSON back
    copied = client.put(f"/desk/notes/{second['_id']}", json={"doc": got["doc"]})
    assert copied.status_code == 200, copied.text
    assert copied.json["doc"]["content"] == "YWxwaGE="
    assert client.get(f"/desk/notes/{second['_id']}/doc").data == b"alpha"

    posted = client.post("/desk/notes", json={"title": "third", "doc": got["doc"]})
    assert posted.status_code == 200, posted.text
    assert client.get(f"/desk/notes/{posted.json['_id']}/doc").data == b"alpha"
    assert client.get(f"/desk/notes/{first['_id']}/doc").data == b"alpha"


def test_blob_metadata_sent_by_a_client_follows_the_content(notes: Backoffice) -> None:
    client = serve(notes)
    target = client.post("/desk/notes", json={"title": "t", "doc": "old"}).json
    sent = {
        "filename": "n.pdf",
        "file_id": "_local",
        "content_type": "image/png",
        "size": 999,
        "modified": False,
        "content": base64.b64encode(b"%PDF-1.4 x").decode(),
    }
    answer = client.put(f"/desk/notes/{target['_id']}", json={"doc": sent})
    assert answer.status_code == 200, answer.text
    doc = answer.json["doc"]
    assert (doc["filename"], doc["content_type"], doc["size"]) == ("n.pdf", "application/pdf", 10)
    created = client.post("/desk/notes", json={"doc": sent}).json["doc"]
    assert (created["size"], created["content_type"], created["modified"]) == (10, "application/pdf", True)


@pytest.mark.parametrize("file_id", ["../../etc/passwd", "12345"])
def test_blob_json_with_another_file_id_is_refused_over_http(notes: Backoffice, file_id: str) -> None:
    client = serve(notes)
    target = client.post("/desk/notes", json={"title": "t", "doc": "kept"}).json
    sent = {**target["doc"], "file_id": file_id, "content": base64.b64encode(b"other").decode()}
    for response in (
        client.put(f"/desk/notes/{target['_id']}", json={"doc": sent}),
        client.post("/desk/notes", json={"doc": sent}),
    ):
        assert response.status_code == 400
        assert f'file_id "{file_id}" is not a file of this item' in response.text
    assert client.get(f"/desk/notes/{target['_id']}/doc").data == b"kept"


def test_blob_json_copied_between_plain_dicts() -> None:
    source = Dict({"doc": BlobFile(), "title": String()})
    source.set({"title": "src", "doc": "first content"})
    target = Dict({"doc": BlobFile(), "title": String()})
    target.set(json.loads(json.dumps(source, cls=StrictoEncoder)))
    assert target.doc.get_content() == b"first content"
    assert target.doc.get_value() == source.doc.get_value()


def test_an_exported_blob_is_restored_in_python(notes: Backoffice) -> None:
    exported = notes.notes.create({"title": "orig", "doc": "hello"})
    blob = json.loads(json.dumps(exported.doc, cls=StrictoEncoder))

    other = notes.notes.create({"title": "other", "doc": "bye"})
    item = notes.notes.get_by_id(other._id.get_value())
    item.set({"doc": blob})
    item.save()
    assert notes.notes.get_by_id(other._id.get_value()).doc.get_content() == b"hello"

    restored = notes.notes.create({"title": "restored", "doc": blob})
    assert notes.notes.get_by_id(restored._id.get_value()).doc.get_content() == b"hello"

    only_content = notes.notes.create({"doc": {"content": blob["content"]}})
    assert (only_content.doc.file_id, only_content.doc.size) == ("_local", 5)


def test_an_exported_blob_keeps_its_limits(store: Store) -> None:
    backoffice = Backoffice("desk")
    model = Item({"doc": BlobFile(max_size=16, mime_types=["text/plain"])})
    backoffice.register_collection(Collection("notes", model, store("notes")))
    big = {
        "file_id": "_local",
        "size": 1,
        "content_type": "text/plain",
        "content": base64.b64encode(b"x" * 17).decode(),
    }
    with pytest.raises(SConstraintError, match="File too big"):
        backoffice.notes.create({"doc": big})
    pdf = {**big, "size": 4, "content": base64.b64encode(b"%PDF-1.4 blob").decode()}
    with pytest.raises(SConstraintError, match="Unauthorized content_type"):
        backoffice.notes.create({"doc": pdf})


# --- section 4: downloads carry the stored type exactly ---------------------------------------


@pytest.fixture
def papers(folder: Path) -> FlaskClient:
    work = FileSystemConnector(path=str(folder))
    backoffice = Backoffice("desk")
    backoffice.register_collection(
        Collection("papers", Item({"f": File(wc=work), "blob": BlobFile()}), DBMemoryConnector())
    )
    return serve(backoffice)


@pytest.mark.parametrize(
    ("body", "path", "content", "content_type"),
    [
        ({"f": "plain words here"}, "f", b"plain words here", "text/plain"),
        ({"blob": "tiny text"}, "blob", b"tiny text", "text/plain"),
        ({"f": "<html><body><p>hi</p></body></html>"}, "f", b"<html><body><p>hi</p></body></html>", "text/html"),
    ],
)
def test_a_download_has_the_stored_content_type(
    papers: FlaskClient, body: dict, path: str, content: bytes, content_type: str
) -> None:
    created = papers.post("/desk/papers", json=body).json
    assert created[path]["content_type"] == content_type
    response = papers.get(f"/desk/papers/{created['_id']}/{path}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Length"] == str(len(content))
    assert response.data == content


def test_a_latin1_upload_is_not_labelled_utf8(papers: FlaskClient) -> None:
    csv = "nom;ville\nRené;Orléans\n".encode("latin-1")
    upload = FileStorage(io.BytesIO(csv), "villes.csv", content_type="text/csv; charset=iso-8859-1")
    boundary, body = encode_multipart(MultiDict({"_json": json.dumps({}), "f": upload}))
    created = papers.post("/desk/papers", data=body, content_type=f"multipart/form-data; boundary={boundary}").json
    assert created["f"]["content_type"] == "text/csv"
    response = papers.get(f"/desk/papers/{created['_id']}/f")
    assert response.headers["Content-Type"] == "text/csv"
    assert response.data == csv


# --- N9: 0.2.1's private names -------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda **kw: File(wc=FileBlobConnector(), **kw), BlobFile])
def test_private_names_of_0_2_1(make: Callable[..., File]) -> None:
    default = make()
    assert default._authorized_mime_types is None and default._buffers_size == 8192
    limited = make(mime_types=["image/png", "image/gif"], buffer_size=512)
    assert limited._authorized_mime_types == ["image/png", "image/gif"] and limited._buffers_size == 512
    aliased = make(content_type=["text/plain"])
    assert aliased._authorized_mime_types == ["text/plain"]
    with pytest.raises(AttributeError):
        limited._buffers_size = 1
    assert limited._buffers_size == 512
