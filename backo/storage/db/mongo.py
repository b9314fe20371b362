"""A MongoDB database connector: :class:`DBMongoConnector`, and :func:`to_mongo_filter`.

Every driver call runs inside :func:`_mongo_errors`, which turns pymongo and bson errors
into :class:`~backo.error.DBError` (``raise ... from exc``): nothing else escapes.

The client class is looked up, at construction time, as this module's global
``MongoClient``: tests replace it, e.g. with ``mongomock.MongoClient``, here or through
0.2.1's path ``backo.db_mongo_connector``, which is this very module (see ``backo._legacy``).

Differences from backo 0.2.1, all deliberate:

* ``save`` upserts (0.2.1 passed ``{"upsert": True}`` as a projection, so saving a
  deleted id, i.e. rolling a delete back, did nothing).
* ``restriction`` is not handed to ``MongoClient`` (real pymongo refused it) and is
  combined with a None filter correctly.
* A malformed id raises :class:`~backo.error.InvalidObjectIdError`: 0.2.1's ``DBError`` and
  text (``Mongo connection error while "{coll}.find_one()"``), also a ``NotFoundError``, so
  HTTP answers 404 rather than 0.2.1's 500.
* ``select`` pushes backo's stricto match filters to MongoDB (see :func:`to_mongo_filter`),
  returns ``_id`` as a string, and accepts an empty sort object (migrations use one).
* ``generate_id`` returns a fresh ObjectId string rather than the constant ``"666"``.
* Error messages hide the password of the connection string.
"""

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from backo.error import DBError, InvalidObjectIdError, NotFoundError
from backo.extras import missing
from backo.log import MONGO, get_logger
from backo.options import parse_options

from .base import DBConnector
from .mongo_filter import collation_is_simple, exact_query, index_keys

# The filter language of the DBConnector contract, shared so the translation and the embedded stores agree.
from .query import COMPARISONS, REGEX_OPERATORS, MatchFilter, is_operator
from .regex import CompiledRegex, compile_regex

try:  # the [mongo] extra; without it, stand-ins that raise MissingExtraError once used (backo.extras)
    import bson
    from bson import ObjectId
    from bson.errors import BSONError
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError
except ImportError as _error:  # (mypy checks the names as pymongo's)
    bson = ObjectId = BSONError = MongoClient = PyMongoError = missing("pymongo", "mongo", "DBMongoConnector", _error)  # type: ignore[misc]

_log = get_logger(MONGO)

#: The exceptions a driver call may raise, all turned into DBError. pymongo and bson
#: have one base class each; the driver also checks its arguments eagerly with
#: TypeError/ValueError (a bad sort direction, a negative skip...).
MONGO_DRIVER_ERRORS: tuple[type[Exception], ...] = (PyMongoError, BSONError, TypeError, ValueError)

_CONNECTOR_OPTIONS: dict[str, Any] = {
    "connection_string*": str,
    "collection": {"type": str, "default": ""},
    "restriction": object,
}
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@/]*@")


@contextlib.contextmanager
def _mongo_errors(message_format: str, *args: object) -> Iterator[None]:
    """Turn a driver error raised inside into ``DBError(message_format, *args)``.

    A string BSON cannot encode (a lone surrogate such as ``"\\ud800"``, in a document or
    a filter: bson raises ``UnicodeEncodeError`` before anything is sent) gets that
    reason appended, since "connection error" alone would send one looking at the network.
    """
    try:
        yield
    except UnicodeEncodeError as exc:
        raise DBError("{0}: a string is not text ({1})", message_format.format(*args), str(exc)) from exc
    except MONGO_DRIVER_ERRORS as exc:
        raise DBError(message_format, *args) from exc


def _redacted(connection_string: str) -> str:
    """``connection_string`` with its password (if any) replaced by ``***``."""
    return _PASSWORD_IN_URL.sub(r"\1***@", connection_string)


def _object_id(_id: Any) -> ObjectId | None:
    """``_id`` as an ObjectId, or None if it cannot be one (then no document has it)."""
    if isinstance(_id, ObjectId):
        return _id
    text = str(_id)
    return ObjectId(text) if ObjectId.is_valid(text) else None


# -- stricto match filter -> MongoDB query ------------------------------------------------


def to_mongo_filter(select_filter: Any) -> dict[str, Any]:
    """Translate the filter given to ``select`` into a MongoDB query document.

    ``select_filter`` is either a stricto match filter, as backo passes them (BEHAVIOR.md
    9.4; the language of ``query.py``), or a MongoDB query, recognised by its
    ``"$"``-keys and returned unchanged. The translation keeps stricto's meaning:

    * nested dicts become dotted keys: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``;
    * ``("$gt", 3)`` -> ``{"$gt": 3}`` (also ``$eq $ne $gte $lt $lte``); a field a
      stricto filter names must exist, so ``$ne``/``None`` tests add ``$exists``;
    * ``("$reg", p)`` / ``("$re", p)`` -> ``{"$regex": "^(?:p)"}`` (``re.match`` anchors
      at the start), run by the server's engine; ``p`` must first pass the rule of every
      store (at most 1,000 characters, and re2 able to run it: ``FilterError`` otherwise,
      see :mod:`.regex`), so that a filter refused in memory is refused here too. A native
      MongoDB query (``{"name": {"$regex": ...}}``) is the application's own and passes
      unchanged;
    * ``("$contains", c)`` -> ``{"$elemMatch": ...}``; ``$and``/``$or`` -> lists of
      clauses; ``("$not", c)`` -> ``$nor`` (the field must exist);
    * an ``_id`` compared with an ObjectId string is compared with the ObjectId.

    Anything else (unknown operator, a regex that is not a string or does not compile,
    ``$and``/``$or``/``$not`` inside ``$contains``...) raises DBError rather than guessing. MongoDB's
    array semantics remain: equality or ``$ne`` on an array field looks at its elements.
    """
    if select_filter is None:
        return {}
    if _is_native(select_filter):
        return select_filter
    return _Translation(select_filter).condition(select_filter, "")


def _is_native(value: Any) -> bool:
    """True if ``value`` is a MongoDB query: a dict with a ``"$"``-key, at any depth."""
    if isinstance(value, dict):
        return any(str(key).startswith("$") or _is_native(sub) for key, sub in value.items())
    if isinstance(value, list):
        return any(_is_native(element) for element in value)
    return False


class _Translation:
    """One run of :func:`to_mongo_filter` (remembers the whole filter for error messages)."""

    def __init__(self, select_filter: Any) -> None:
        self._filter = select_filter

    def fail(self, reason: str) -> DBError:
        return DBError("Cannot translate the filter {0!r} to a MongoDB query: {1}", self._filter, reason)

    def condition(self, condition: Any, path: str) -> dict[str, Any]:
        """The query for ``condition`` applied to the field ``path`` ("" is the document)."""
        if is_operator(condition):
            return self.operator(condition[0], condition[1], path)
        if isinstance(condition, dict):
            return self.fields(condition, path)
        if not path:
            raise self.fail(f"{condition!r} is not a filter")
        if condition is None:  # MongoDB's null also matches a missing field
            return {path: {"$exists": True, "$eq": None}}
        return {path: _bson_value(path, condition)}

    def fields(self, condition: dict[str, Any], path: str) -> dict[str, Any]:
        """A dict filter: every key must match (``{}`` asks for a sub-document)."""
        if not condition:
            return {path: {"$type": "object"}} if path else {}
        clauses = []
        for key, sub in condition.items():
            if str(key).startswith("$"):
                raise self.fail(f"a stricto filter has no key {key!r}")
            clauses.append(self.condition(sub, f"{path}.{key}" if path else str(key)))
        return _all_of(clauses)

    def operator(self, name: str, operand: Any, path: str) -> dict[str, Any]:
        """An ``("$op", operand)`` condition on the field ``path``."""
        if name in ("$and", "$or"):
            if not isinstance(operand, list) or not operand:
                raise self.fail(f"{name} needs a non-empty list")
            if not all(is_operator(sub) or isinstance(sub, dict) for sub in operand):
                raise self.fail(f"{name} needs conditions or dict filters")
            return {name: [self.condition(sub, path) for sub in operand]}
        if name == "$not":
            if not is_operator(operand):
                raise self.fail("$not needs a condition")
            negated: dict[str, Any] = {"$nor": [self.condition(operand, path)]}
            return {**negated, path: {"$exists": True}} if path else negated
        if not path:
            raise self.fail(f"{name} applies to a field, not to the document")
        expression = self.expression(name, operand, path)
        if name == "$ne" or (name == "$eq" and operand is None):
            expression = {"$exists": True, **expression}  # a stricto filter needs the field
        return {path: expression}

    def expression(self, name: str, operand: Any, path: str) -> dict[str, Any]:
        """The MongoDB operator expression of one value-level condition."""
        if name in COMPARISONS:
            return {name: _bson_value(path, operand)}
        if name in REGEX_OPERATORS:
            if isinstance(operand, CompiledRegex):
                operand = operand.pattern
            if not isinstance(operand, str):
                raise self.fail(f"{name} needs a string")
            try:
                re.compile(operand)
            except re.error as exc:
                raise self.fail(f"invalid regular expression {operand!r}") from exc
            compile_regex(operand)  # the bound and re2's check, as on every store (FilterError)
            return {"$regex": f"^(?:{operand})"}
        if name == "$contains":
            return {"$elemMatch": self.element(operand)}
        raise self.fail(f"unknown or misplaced operator {name!r}")

    def element(self, condition: Any) -> dict[str, Any]:
        """The ``$elemMatch`` body for the element condition of ``$contains``."""
        if is_operator(condition):
            return self.expression(condition[0], condition[1], "")
        if isinstance(condition, dict):
            return self.fields(condition, "")
        return {"$eq": condition}


def _bson_value(path: str, value: Any) -> Any:
    """``value`` as stored: an ObjectId string compared with ``_id`` becomes an ObjectId."""
    if path == "_id" and isinstance(value, str) and ObjectId.is_valid(value):
        return ObjectId(value)
    return value


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    """One query matching every clause: merged into one dict unless two share a key."""
    merged: dict[str, Any] = {}
    for clause in clauses:
        if any(key in merged for key in clause):
            return {"$and": clauses}
        merged.update(clause)
    return merged


# -- the connector ------------------------------------------------------------------------


def _refuse_unencodable_strings(document: dict[str, Any]) -> None:
    """Raise the ``UnicodeEncodeError`` BSON raises for ``document`` (a lone surrogate), before
    a driver call that might apply part of it.

    pymongo encodes a whole command before sending it, but mongomock's ``replace_one``
    empties the stored document and then fails: the old document was lost. Other
    complaints of the default encoder (types a custom codec registry handles) are left
    to the driver and its codec options.
    """
    try:
        bson.encode(document)
    except UnicodeEncodeError:
        raise
    except (BSONError, TypeError, ValueError, OverflowError):
        pass


def _with_string_id(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (fresh from the driver) with its ``_id`` as a string."""
    if "_id" in document:
        document["_id"] = str(document["_id"])
    return document


class DBMongoConnector(DBConnector):
    """Store the documents of one collection in a MongoDB collection.

    Example::

        books = Collection("books", Book(), DBMongoConnector(
            connection_string="mongodb://localhost:27017/bookcase", collection="books"))

    ``connection_string`` (required) names the database; ``collection`` is the MongoDB
    collection. ``restriction`` (a filter, or a callable returning one, called for each
    query) limits what ``get_by_id``, ``delete_by_id`` and ``select`` see; ``save`` is not
    restricted, since a rollback must be able to write any document back. Every other
    keyword goes to ``MongoClient``. Construction does not contact the server
    (:meth:`connect` does).

    Ids are MongoDB's: ``create`` ignores the document's ``_id`` and returns the new
    ObjectId as a 24-hex-digit string; an id that is no ObjectId is never found.
    """

    generates_ids_from_items = False  # generate_id never looks at the Item: fresh ObjectIds

    def __init__(self, **kwargs: Any) -> None:
        options = parse_options(kwargs, _CONNECTOR_OPTIONS, strict=False)
        super().__init__(restriction=options["restriction"])
        #: The connection string, as given (it may hold a password: not for messages).
        self.connection_string: str = options["connection_string"]
        #: The name of the MongoDB collection.
        self.collection_name: str = options["collection"]
        self._where = _redacted(self.connection_string)
        client_class = MongoClient  # the module global, read now: a test may have patched it
        with _mongo_errors('Mongo connection error at "{0}"', self._where):
            #: The driver's client, built with the remaining keyword arguments.
            self.client: Any = client_class(self.connection_string, **kwargs)
            try:
                #: The driver's collection (for indexes and other MongoDB specifics).
                self.collection: Any = self.client.get_default_database()[self.collection_name]
            except BaseException:
                self.client.close()
                raise

    def sibling(self, name: str) -> "DBMongoConnector":
        """See :meth:`DBConnector.sibling`: the MongoDB collection ``<collection>.<name>`` of the
        same database, through the same client (closing either closes both)."""
        sibling = object.__new__(type(self))
        sibling.__dict__.update(self.__dict__)
        sibling.restriction_filter = None
        sibling.collection_name = f"{self.collection_name}.{self._sibling_name(name)}"
        with _mongo_errors('Mongo connection error at "{0}"', self._where):
            sibling.collection = self.client.get_default_database()[sibling.collection_name]
        return sibling

    def connect(self) -> dict[str, Any]:
        """Contact the server and return its ``server_info()``; DBError if that fails."""
        with _mongo_errors('Mongo connection error at "{0}"', self._where):
            info: dict[str, Any] = self.client.server_info()
        _log.info("Connected to %s", self._where)
        return info

    def close(self) -> None:
        """Close the client (and its connections)."""
        with _mongo_errors('Mongo close error at "{0}"', self._where):
            self.client.close()

    def _while(self, operation: str) -> contextlib.AbstractContextManager[None]:
        """The error translation around ``collection.<operation>()``."""
        return _mongo_errors('Mongo connection error while "{0}.{1}()"', self.collection_name, operation)

    def _valid_object_id(self, _id: Any, operation: str) -> ObjectId:
        """``_id`` as an ObjectId.

        :raises InvalidObjectIdError: it cannot be one, with 0.2.1's text for ``operation``.
        """
        object_id = _object_id(_id)
        if object_id is None:
            raise InvalidObjectIdError('Mongo connection error while "{0}.{1}()"', self.collection_name, operation)
        return object_id

    # -- the DBConnector contract --------------------------------------------------------

    def drop(self) -> None:
        """See :meth:`DBConnector.drop`."""
        with self._while("drop"):
            self.collection.drop()

    def generate_id(self, o: Any) -> str:
        """A fresh ObjectId string: the kind of id MongoDB assigns in :meth:`create`."""
        return str(ObjectId())

    def create(self, o: dict[str, Any]) -> str:
        """Insert ``o`` under a new id assigned by MongoDB (``o["_id"]`` is ignored)."""
        document = {key: value for key, value in o.items() if key != "_id"}
        with self._while("insert_one"):
            inserted = self.collection.insert_one(document)
        return str(inserted.inserted_id)

    def save(self, _id: str, o: dict[str, Any]) -> None:
        """Replace (or insert: upsert) the document ``_id``; DBError if ``_id`` is no ObjectId,
        or if a string of ``o`` cannot be encoded (the stored document is then untouched)."""
        object_id = _object_id(_id)
        if object_id is None:
            raise DBError('_id "{0}" is not a valid ObjectId (collection "{1}")', _id, self.collection_name)
        document = {**o, "_id": object_id}
        with self._while("replace_one"):
            _refuse_unencodable_strings(document)
            self.collection.replace_one({"_id": object_id}, document, upsert=True)

    def get_by_id(self, _id: str) -> dict[str, Any]:
        """See :meth:`DBConnector.get_by_id`."""
        object_id = self._valid_object_id(_id, "find_one")
        with self._while("find_one"):
            document = self.collection.find_one(self._restricted({"_id": object_id}))
        if document is None:
            raise NotFoundError('_id "{0}" not found in collection "{1}"', _id, self.collection_name)
        return _with_string_id(document)

    def delete_by_id(self, _id: str) -> bool:
        """See :meth:`DBConnector.delete_by_id`."""
        object_id = self._valid_object_id(_id, "delete_one")
        with self._while("delete_one"):
            result = self.collection.delete_one(self._restricted({"_id": object_id}))
        return bool(result.deleted_count)

    def select(
        self,
        select_filter: MatchFilter,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """Return the matching documents; MongoDB filters, sorts, pages and projects.

        ``select_filter`` is a stricto match filter or a MongoDB query (see
        :func:`to_mongo_filter`). With no ``sort_object``, MongoDB's natural order.
        """
        return self._find(
            self._restricted(to_mongo_filter(select_filter)), projection, page_size, num_of_element_to_skip, sort_object
        )

    def _find(
        self,
        query: dict[str, Any],
        projection: dict[str, Any] | None,
        page_size: int,
        num_of_element_to_skip: int,
        sort_object: dict[str, int] | None,
    ) -> list[dict[str, Any]]:
        """``find(query)``, sorted, skipped and limited, with string ids."""
        if page_size < 0:
            return []
        with self._while("find"):
            cursor = self.collection.find(query, projection or None)
            if sort_object:
                cursor = cursor.sort(list(sort_object.items()))
            cursor = cursor.skip(max(num_of_element_to_skip, 0)).limit(page_size)
            documents = list(cursor)
        return [_with_string_id(document) for document in documents]

    def select_page(
        self,
        select_filter: MatchFilter,
        page_size: int,
        num_of_element_to_skip: int,
        sort_object: dict[str, int] | None,
        *,
        count: bool = True,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """See :meth:`DBConnector.select_page`: MongoDB counts (unless ``count`` is False),
        sorts and pages itself. A filter it :meth:`answers_exactly` runs as
        :func:`~backo.storage.db.mongo_filter.exact_query`, any other as :func:`to_mongo_filter`."""
        query = self._page_query(select_filter)
        total = None
        if count:
            with self._while("count_documents"):
                total = self.collection.count_documents(query)
        return self._find(query, None, page_size, num_of_element_to_skip, sort_object), total

    def select_for_reading(
        self, select_filter: MatchFilter, sort_object: dict[str, int] | None
    ) -> list[dict[str, Any]]:
        """See :meth:`DBConnector.select_for_reading`: the query of :meth:`select_page`, so that
        a selection's ``db_filter`` means the same whether the core pages or MongoDB does."""
        return self._find(self._page_query(select_filter), None, 0, 0, sort_object)

    def answers_exactly(self, select_filter: MatchFilter) -> bool:
        """True for the filters of :func:`~backo.storage.db.mongo_filter.exact_query` (equalities,
        ``$ne`` and comparisons with strings on top-level fields, ``$and``), when the collection
        compares strings by their bytes (no default collation: asked once, see
        :func:`~backo.storage.db.mongo_filter.collation_is_simple`)."""
        if exact_query(select_filter) is None:
            return False
        simple = self.__dict__.get("_simple_collation")
        if simple is None:
            simple = self.__dict__["_simple_collation"] = collation_is_simple(self.collection)
        return bool(simple)

    def _page_query(self, select_filter: MatchFilter) -> dict[str, Any]:
        """The query of :meth:`select_page` and :meth:`select_for_reading`, restricted."""
        exact = exact_query(select_filter) if self.answers_exactly(select_filter) else None
        return self._restricted(to_mongo_filter(select_filter) if exact is None else exact)

    def estimated_count(self) -> int | None:
        """See :meth:`DBConnector.estimated_count`: ``estimated_document_count()`` (collection
        metadata, no scan); None under a ``restriction``."""
        if self.restriction_filter is not None:
            return None
        with self._while("estimated_document_count"):
            return int(self.collection.estimated_document_count())

    def ensure_indexes(self, indexes: list[str]) -> None:
        """Create the declared single-field indexes (``"-price"``: descending) if missing."""
        for keys in index_keys(indexes):
            with self._while("create_index"):
                self.collection.create_index(keys)

    def _restricted(self, query: dict[str, Any]) -> dict[str, Any]:
        """``query`` combined with the restriction (evaluated now), if there is one."""
        restriction = self.restriction_filter
        if restriction is None:
            return query
        if callable(restriction):
            restriction = restriction()
        clauses = [clause for clause in (to_mongo_filter(restriction), query) if clause]
        if len(clauses) < 2:
            return clauses[0] if clauses else {}
        return {"$and": clauses}
