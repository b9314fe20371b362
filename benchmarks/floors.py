"""The floors: the same storage work done without backo, so that backo's own cost shows.

A *floor store* does, by hand, the storage call backo's connector makes, and nothing else:

* memory: a dict lookup or insert (no copies, no lock);
* YAML: one file per item in the collection's folder, read with PyYAML (libyaml's
  ``CSafeLoader``/``CSafeDumper`` when PyYAML has them, else the pure-Python safe ones),
  written like the connector writes (temporary file, ``fsync``, then link or rename):
  the floor pays the same durability, so the ratio measures backo, not ``fsync``. A
  full scan stats every file and re-parses only those whose (inode, mtime, size)
  changed, which is the freshness the connector promises (it sees other processes'
  writes) at its minimal price; ``get`` parses its file every time;
* MongoDB: ``find_one`` / ``insert_one`` / ``replace_one`` / ``find().sort().skip().limit()``
  on the same mongomock collection.

The YAML and MongoDB floors work on backo's own folder and collection (through the
connector's public ``path`` and ``collection``), so they see the same N documents without
a second seeding; the memory floor starts from a copy of the connector's documents.
Documents written by a floor have backo's shape (``_id``, ``_meta``), so backo reads them.

:func:`floor_app` serves a floor store through hand-written Flask handlers, called with
Flask's test client exactly like backo's generated routes: its ``GET ?_page=&_skip=``
handler reads all documents, sorts them by ``_id``, slices the page and dumps JSON.
"""

import abc
import datetime
import json
import operator
import os
import uuid
from collections.abc import Callable
from typing import Any

import yaml
from bson import ObjectId
from flask import Flask, Response, request

from backo import DBConnector, DBMemoryConnector, DBMongoConnector, DBYmlConnector
from backo.storage.db import DBPostgresConnector, DBSQLiteConnector

#: PyYAML's fastest safe loader and dumper available here.
YAML_LOADER: type = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
YAML_DUMPER: type = yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper

#: The comparisons a floor scan understands, by name.
COMPARE: dict[str, Callable[[Any, Any], bool]] = {"eq": operator.eq, "lt": operator.lt}

_SUFFIX = ".yml"
_ANONYMOUS = {"_id": "000", "login": "ANONYMOUS"}


def yaml_dump(document: dict[str, Any]) -> str:
    """``document`` as the YAML connector writes it (block style, sorted keys)."""
    return yaml.dump(document, Dumper=YAML_DUMPER, default_flow_style=False)


def yaml_load(data: str | bytes) -> Any:
    """A YAML text parsed with the safe loader."""
    return yaml.load(data, Loader=YAML_LOADER)  # noqa: S506 - a safe loader


def new_id() -> str:
    """A random id of the kind backo's embedded stores generate (a decimal string)."""
    return str(uuid.uuid4().int >> 64)


def meta_stamp(previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``_meta`` a create (no ``previous``) or a save writes: times and the anonymous user."""
    now = datetime.datetime.now().isoformat(timespec="seconds")
    if previous is None:
        return {"ctime": now, "mtime": now, "created_by": _ANONYMOUS, "modified_by": _ANONYMOUS}
    return {**previous, "mtime": now, "modified_by": _ANONYMOUS}


class FloorStore(abc.ABC):
    """One collection's documents, handled by hand (see the module docstring)."""

    @abc.abstractmethod
    def insert(self, document: dict[str, Any]) -> str:
        """Store a new document under a new id; return the id."""

    @abc.abstractmethod
    def get(self, _id: str) -> dict[str, Any]:
        """The document ``_id`` (KeyError, FileNotFoundError... if there is none)."""

    @abc.abstractmethod
    def replace(self, _id: str, document: dict[str, Any]) -> None:
        """Write ``document`` as the document ``_id``."""

    @abc.abstractmethod
    def delete(self, _id: str) -> None:
        """Remove the document ``_id``."""

    @abc.abstractmethod
    def documents(self) -> list[dict[str, Any]]:
        """Every document, in no particular order."""

    def delete_many(self, ids: list[str]) -> None:
        """Remove the documents ``ids`` (for clean-ups: as fast as the store allows)."""
        for _id in ids:
            self.delete(_id)

    def find(self, key: str, comparison: str, value: Any) -> list[dict[str, Any]]:
        """The documents whose ``key`` compares (``"eq"``, ``"lt"``) with ``value``."""
        compare = COMPARE[comparison]
        return [document for document in self.documents() if key in document and compare(document[key], value)]

    def page(self, skip: int, size: int) -> tuple[list[dict[str, Any]], int]:
        """One page of the documents sorted by ``_id``, and how many there are."""
        documents = sorted(self.documents(), key=operator.itemgetter("_id"))
        return documents[skip : skip + size], len(documents)


class MemoryFloor(FloorStore):
    """A dict of documents by id."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._documents = {document["_id"]: document for document in documents}

    def insert(self, document: dict[str, Any]) -> str:
        _id = new_id()
        self._documents[_id] = {**document, "_id": _id}
        return _id

    def get(self, _id: str) -> dict[str, Any]:
        return self._documents[_id]

    def replace(self, _id: str, document: dict[str, Any]) -> None:
        self._documents[_id] = document

    def delete(self, _id: str) -> None:
        del self._documents[_id]

    def documents(self) -> list[dict[str, Any]]:
        return list(self._documents.values())


class YamlFloor(FloorStore):
    """One YAML file per document in ``folder``, written atomically, scanned with a stat cache."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._cache: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}

    def _path(self, name: str) -> str:
        return os.path.join(self._folder, name)

    def _write_temporary(self, document: dict[str, Any]) -> str:
        temporary = self._path(f".floor-{uuid.uuid4().hex}.tmp")
        with open(temporary, "w", encoding="utf-8") as stream:
            yaml.dump(document, stream, Dumper=YAML_DUMPER, default_flow_style=False)
            stream.flush()
            os.fsync(stream.fileno())
        return temporary

    def insert(self, document: dict[str, Any]) -> str:
        _id = new_id()
        temporary = self._write_temporary({**document, "_id": _id})
        try:
            os.link(temporary, self._path(_id + _SUFFIX))
        finally:
            os.unlink(temporary)
        return _id

    def get(self, _id: str) -> dict[str, Any]:
        with open(self._path(_id + _SUFFIX), "rb") as stream:
            return yaml.load(stream, Loader=YAML_LOADER)  # noqa: S506 - a safe loader

    def replace(self, _id: str, document: dict[str, Any]) -> None:
        os.replace(self._write_temporary(document), self._path(_id + _SUFFIX))

    def delete(self, _id: str) -> None:
        os.unlink(self._path(_id + _SUFFIX))

    def documents(self) -> list[dict[str, Any]]:
        documents, seen = [], set()
        with os.scandir(self._folder) as entries:
            for entry in entries:
                if not entry.name.endswith(_SUFFIX):
                    continue
                status = entry.stat(follow_symlinks=False)
                signature = (status.st_ino, status.st_mtime_ns, status.st_size)
                cached = self._cache.get(entry.name)
                if cached is None or cached[0] != signature:
                    with open(entry.path, "rb") as stream:
                        cached = (signature, yaml.load(stream, Loader=YAML_LOADER))  # noqa: S506 - safe
                    self._cache[entry.name] = cached
                documents.append(cached[1])
                seen.add(entry.name)
        for name in self._cache.keys() - seen:
            del self._cache[name]
        return documents


class MongoFloor(FloorStore):
    """A (mongomock) MongoDB collection, ids as ObjectId strings."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    @staticmethod
    def _out(document: dict[str, Any]) -> dict[str, Any]:
        document["_id"] = str(document["_id"])
        return document

    def insert(self, document: dict[str, Any]) -> str:
        inserted = self._collection.insert_one({key: value for key, value in document.items() if key != "_id"})
        return str(inserted.inserted_id)

    def get(self, _id: str) -> dict[str, Any]:
        document = self._collection.find_one({"_id": ObjectId(_id)})
        if document is None:
            raise KeyError(_id)
        return self._out(document)

    def replace(self, _id: str, document: dict[str, Any]) -> None:
        self._collection.replace_one({"_id": ObjectId(_id)}, {**document, "_id": ObjectId(_id)})

    def delete(self, _id: str) -> None:
        self._collection.delete_one({"_id": ObjectId(_id)})

    def documents(self) -> list[dict[str, Any]]:
        return [self._out(document) for document in self._collection.find()]

    def delete_many(self, ids: list[str]) -> None:
        self._collection.delete_many({"_id": {"$in": [ObjectId(_id) for _id in ids]}})

    def find(self, key: str, comparison: str, value: Any) -> list[dict[str, Any]]:
        query = {key: value} if comparison == "eq" else {key: {f"${comparison}": value}}
        return [self._out(document) for document in self._collection.find(query)]

    def page(self, skip: int, size: int) -> tuple[list[dict[str, Any]], int]:
        cursor = self._collection.find().sort("_id", 1).skip(skip).limit(size)
        return [self._out(document) for document in cursor], self._collection.count_documents({})


class SQLFloor(FloorStore):
    """The connector's own SQLite or PostgreSQL table, queried with the driver by hand (``doc``/``raw`` JSON)."""

    def __init__(self, connector: DBSQLiteConnector | DBPostgresConnector) -> None:
        self._engine = connector.engine
        postgres = isinstance(connector, DBPostgresConnector)
        table, p = f'"{connector.table}"', "%s" if postgres else "?"
        self._text = "raw" if postgres else "doc"
        self._p = p
        self._table = table
        values = f"({p}, {p}::jsonb, {p})" if postgres else f"({p}, {p})"
        columns = "(id, doc, raw)" if postgres else "(id, doc)"
        self._insert = f"INSERT INTO {table} {columns} VALUES {values}"
        updates = "doc = excluded.doc, raw = excluded.raw" if postgres else "doc = excluded.doc"
        self._replace = f"{self._insert} ON CONFLICT (id) DO UPDATE SET {updates}"
        self._field = "(doc -> '{0}')" if postgres else "json_extract(doc, '$.{0}')"
        self._postgres = postgres

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._engine.connection() as connection:
            return self._engine.run(connection, sql, params)[0]

    def _params(self, _id: str, document: dict[str, Any]) -> tuple:
        text = json.dumps(document)
        return (_id, text, text) if self._postgres else (_id, text)

    def insert(self, document: dict[str, Any]) -> str:
        _id = document.get("_id") or new_id()
        self._rows(self._insert, self._params(_id, {**document, "_id": _id}))
        return _id

    def get(self, _id: str) -> dict[str, Any]:
        rows = self._rows(f"SELECT {self._text} FROM {self._table} WHERE id = {self._p}", (_id,))
        if not rows:
            raise KeyError(_id)
        return json.loads(rows[0][0])

    def replace(self, _id: str, document: dict[str, Any]) -> None:
        self._rows(self._replace, self._params(_id, {**document, "_id": _id}))

    def delete(self, _id: str) -> None:
        self._rows(f"DELETE FROM {self._table} WHERE id = {self._p}", (_id,))

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(row[0]) for row in self._rows(f"SELECT {self._text} FROM {self._table} ORDER BY seq")]

    def find(self, key: str, comparison: str, value: Any) -> list[dict[str, Any]]:
        operator_ = "=" if comparison == "eq" else "<"
        bound = f"{self._p}::jsonb" if self._postgres else self._p
        where = f"{self._field.format(key)} {operator_} {bound}"
        rows = self._rows(
            f"SELECT {self._text} FROM {self._table} WHERE {where}", (json.dumps(value) if self._postgres else value,)
        )
        return [json.loads(row[0]) for row in rows]

    def page(self, skip: int, size: int) -> tuple[list[dict[str, Any]], int]:
        sql = f"SELECT {self._text} FROM {self._table} ORDER BY id LIMIT {self._p} OFFSET {self._p}"
        total = self._rows(f"SELECT COUNT(*) FROM {self._table}")[0][0]
        return [json.loads(row[0]) for row in self._rows(sql, (size, skip))], int(total)


def floor_for(connector: DBConnector) -> FloorStore:
    """The floor store doing by hand what ``connector`` does (on the same data, or a copy of it)."""
    if isinstance(connector, DBMemoryConnector):
        return MemoryFloor(connector.select(None))
    if isinstance(connector, DBYmlConnector):
        return YamlFloor(os.path.abspath(connector.path))
    if isinstance(connector, DBMongoConnector):
        return MongoFloor(connector.collection)
    if isinstance(connector, DBSQLiteConnector | DBPostgresConnector):
        return SQLFloor(connector)
    raise TypeError(f"no floor for {type(connector).__name__}")


def _json(value: Any) -> Response:
    return Response(json.dumps(value), mimetype="application/json")


def floor_app(store: FloorStore) -> Flask:
    """A bare Flask app serving ``store`` under ``/floor/books`` with hand-written handlers."""
    app = Flask("backo_bench_floor")

    @app.post("/floor/books")
    def create() -> Response:
        document = {**request.get_json(), "_meta": meta_stamp()}
        document["_id"] = store.insert(document)
        return _json(document)

    @app.get("/floor/books/<_id>")
    def get(_id: str) -> Response:
        return _json(store.get(_id))

    @app.put("/floor/books/<_id>")
    def put(_id: str) -> Response:
        document = store.get(_id)
        document.update(request.get_json())
        document["_meta"] = meta_stamp(document["_meta"])
        store.replace(_id, document)
        return _json(document)

    @app.patch("/floor/books/<_id>")
    def patch(_id: str) -> Response:
        document = store.get(_id)
        for operation in request.get_json():
            document[operation["path"].removeprefix("$.")] = operation["value"]
        document["_meta"] = meta_stamp(document["_meta"])
        store.replace(_id, document)
        return _json(document)

    @app.get("/floor/books")
    def listing() -> Response:
        size, skip = int(request.args.get("_page", 10)), int(request.args.get("_skip", 0))
        page, total = store.page(skip, size)
        return _json({"result": page, "total": total, "_skip": skip, "_page": size})

    return app
