"""The plain-model fast path agrees with the Item path, or steps aside.

:mod:`backo.core.plain_model` answers reads and creates without building Items. Its
one obligation: whenever it answers, the answer is exactly the Item path's (same JSON,
same key order); whenever the Item path fails, it does not answer. Hypothesis draws
models, stored documents and request bodies, and both paths run on each.
"""

import copy
import datetime
import importlib
import importlib.metadata
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import stricto
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stricto import Bool, Datetime, Dict, Float, Int, List, SRightError, String

from backo import Backoffice, Collection, DBMemoryConnector, DeleteStrategy, FillStrategy, Item, Ref, RefsList
from backo.core import operations
from backo.core.collection import BaseCollection
from backo.core.item import ITEM_OWN_HANDLERS
from backo.core.metadata import GenericMetaDataHandler
from backo.core.plain_model import PlainModel
from backo.core.plain_model.specs import PLAIN_ATTRIBUTES, honoured_keywords
from backo.core.transaction import transaction
from backo.http.responses import to_json

FAILED = "<the Item path raised>"


@pytest.fixture(autouse=True, scope="module")
def stricto_under_test() -> str:
    """The stricto this module runs on; ``BACKO_STRICTO_VERSION`` (set by ``make test``'s
    matrix) names the one expected, installed under ``.stricto/<version>``."""
    version = importlib.metadata.version("stricto")
    expected = os.environ.get("BACKO_STRICTO_VERSION")
    if expected:
        assert version == expected, f"stricto {version} imported, {expected} expected"
        assert Path(stricto.__file__).resolve().is_relative_to(Path(".stricto", expected).resolve()), stricto.__file__
    return version


def test_the_stricto_under_test(stricto_under_test: str) -> None:
    print(f"stricto {stricto_under_test} from {stricto.__file__}")  # shown with -s
    assert Path(stricto.__file__).exists()


# --- models -------------------------------------------------------------------------

_SCALAR_VALUES = {
    Ref: st.text(max_size=5),
    RefsList: st.lists(st.text(max_size=3), max_size=3),
    String: st.text(max_size=5),
    Int: st.integers(-5, 5),
    Float: st.floats(allow_nan=False, width=32),
    Bool: st.booleans(),
}


def _grants(right_name: str, o: Any) -> bool:
    return True


def _refuses(right_name: str, o: Any) -> bool:
    return False


#: For each keyword the fast path honours (``honoured_keywords``, read from its whitelist),
#: the values to draw for a field of a given type. A keyword missing here fails
#: ``test_every_honoured_option_is_drawn``: the whitelist and the tests cannot drift.
OPTION_VALUES: dict[str, Callable[[type], st.SearchStrategy[Any]]] = {
    "required": lambda t: st.just(False) if t is Dict else st.booleans(),
    "can_modify": lambda t: st.sampled_from([True, False, _grants, _refuses]),
    "can_read": lambda t: st.just(True),
    "constraint": lambda t: st.just([]),
    "description": lambda t: st.text(max_size=3),
    "exists": lambda t: st.just(True),
    "views": lambda t: st.just([]),
    "regexp": lambda t: st.just([]),
    "default": lambda t: _SCALAR_VALUES[t],
    "transform": lambda t: st.just(Datetime()._transform),  # stricto's own, given explicitly
    "coll": lambda t: st.just("others"),
    "field": lambda t: st.just("$.things" if t is Ref else "$.thing"),
    "on_delete": lambda t: st.sampled_from(list(DeleteStrategy)),
    "on_fill": lambda t: st.sampled_from(list(FillStrategy)),
    "uniq": lambda t: st.just(False),
}

#: Keywords a reference field cannot do without.
_REFERENCE_TARGETS = ("coll", "field")


def options_for(field_type: type) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the options the fast path honours for ``field_type``, with honoured values."""
    keywords = sorted(honoured_keywords(field_type))
    needed = {key: OPTION_VALUES[key](field_type) for key in keywords if key in _REFERENCE_TARGETS}
    optional = {key: OPTION_VALUES[key](field_type) for key in keywords if key not in _REFERENCE_TARGETS}
    return st.fixed_dictionaries(needed, optional=optional)


@st.composite
def scalar_fields(draw: st.DrawFn) -> Any:
    field_type = draw(st.sampled_from([String, Int, Float, Bool, Datetime, Ref, RefsList]))
    return field_type(**draw(options_for(field_type)))


def _dict_field(schema: dict, options: dict[str, Any]) -> Dict:
    return Dict(schema, **options)


def field_schemas(depth: int = 2) -> st.SearchStrategy[Any]:
    scalars = scalar_fields()
    if depth == 0:
        return scalars
    sub_schemas = st.dictionaries(st.sampled_from("abc"), field_schemas(depth - 1), max_size=3)
    return st.one_of(scalars, st.builds(_dict_field, sub_schemas, options_for(Dict)))


models = st.dictionaries(
    st.sampled_from(["title", "pages", "price", "done", "when", "sub"]), field_schemas(), max_size=4
)

# --- values -------------------------------------------------------------------------

ISO_DATES = st.sampled_from(["2026-01-02T03:04:05", "2026-01-02", "2026-01-02T03:04:05.123456", "not a date", ""])
ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.sampled_from(["12", "1.5", "true"]),
    st.integers(-5, 5),
    st.floats(allow_nan=False, width=32),
    st.booleans(),
    ISO_DATES,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from("abcz"), st.integers(), max_size=2),
)


def values_for(field: Any, depth: int = 3, good_only: bool = False) -> st.SearchStrategy[Any]:
    """Mostly values the field accepts, sometimes anything (never with ``good_only``)."""
    if isinstance(field, Dict) and depth > 0:
        good = documents_for(field, depth - 1, good_only)
    elif isinstance(field, Datetime):
        good = ISO_DATES.filter(lambda text: not good_only or text[:1] == "2")
    else:
        good = _SCALAR_VALUES.get(type(field), ANY_VALUE)
    return good if good_only else st.one_of(good, good, ANY_VALUE)


def documents_for(model: Any, depth: int = 3, good_only: bool = False) -> st.SearchStrategy[dict]:
    """Dicts over the model's keys (some left out), sometimes with an unknown key."""
    keys = [key for key in model._keys if key not in ("_id", "_meta")]
    entries = {key: values_for(model.__dict__[key], depth, good_only) for key in keys}
    extra = st.just({}) if good_only else st.dictionaries(st.just("unknown"), ANY_VALUE, max_size=1)
    return st.builds(
        lambda chosen, extra_keys: {**chosen, **extra_keys},
        st.fixed_dictionaries({}, optional=entries),
        st.one_of(st.just({}), st.just({}), st.just({}), extra),
    )


META = {
    "ctime": "2026-01-01T00:00:00",
    "mtime": "2026-01-01T00:00:00",
    "created_by": {"_id": "1", "login": "ann"},
    "modified_by": {"_id": "1", "login": "bob"},
}


def collection_of(schema: dict) -> BaseCollection:
    collection = Collection("things", Item(copy.copy(schema)), DBMemoryConnector())
    Backoffice("plain").register_collection(collection)
    return collection


def item_path_read(collection: BaseCollection, document: dict, validate: bool) -> str:
    """What ``GET`` answers through the Item (validate=True) or a list row (False)."""
    try:
        item = collection.item_from_document(copy.deepcopy(document), validate=validate)
        return to_json(item.view("client"))
    except Exception:  # noqa: BLE001 - any failure of the Item path is what we compare with
        return FAILED


#: The same examples on every run (CI must not depend on luck); widen max_examples locally to explore.
#: ``make test`` runs this module again on every older stricto the package accepts, with fewer
#: examples (``BACKO_PLAIN_EXAMPLES``) to keep each run to a few seconds.
settings_for_paths = settings(
    max_examples=int(os.environ.get("BACKO_PLAIN_EXAMPLES", "300")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

#: Nested random models make big strategies, whose repr hypothesis warns about (not a failure).
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@settings_for_paths
@given(st.data())
def test_reads_agree_with_the_item_path(data: st.DataObject) -> None:
    schema = data.draw(models)
    collection = collection_of(schema)
    plain = collection.plain_model()
    assert plain is not None, "a model of plain fields compiles"
    document = data.draw(documents_for(collection.model))
    document["_id"] = data.draw(st.one_of(st.just("42"), st.just("42"), st.just(42)))
    if data.draw(st.booleans()):
        document["_meta"] = data.draw(st.one_of(st.just(META), st.just({"ctime": "bad"}), st.just(3)))
    for validated in (True, False):
        fast = plain.read(copy.deepcopy(document), validated)
        if fast is not None:
            assert to_json(fast) == item_path_read(collection, document, validate=validated)
    if plain.vouches_for(copy.deepcopy(document)):  # Item.load then skips stricto's validation
        assert item_path_read(collection, document, validate=True) != FAILED
        assert item_path_read(collection, document, validate=True) == item_path_read(collection, document, False)


@settings_for_paths
@given(st.data())
def test_creates_agree_with_the_item_path(data: st.DataObject) -> None:
    schema = data.draw(models)
    collection = collection_of(schema)
    body = data.draw(documents_for(collection.model))
    if data.draw(st.booleans()):
        body["_id"] = "forged"
    try:
        stored_by_item = collection.db_handler.get_by_id(collection.create(copy.deepcopy(body))._id.get_value())
    except Exception:  # noqa: BLE001
        stored_by_item = None
    document = operations.create_document(collection, copy.deepcopy(body), "client")
    if stored_by_item is None:
        assert document is None, "the fast path answered where the Item path fails"
        return
    if document is None:
        return
    assert collection.db_handler.get_by_id(document["_id"]) == document
    assert document["_id"] != "forged"
    assert list(document) == list(stored_by_item)
    without_times = {**document, "_id": None, "_meta": {**document["_meta"], "ctime": None, "mtime": None}}
    expected = {**stored_by_item, "_id": None, "_meta": {**stored_by_item["_meta"], "ctime": None, "mtime": None}}
    assert to_json(without_times) == to_json(expected)


def item_path_update(collection: BaseCollection, _id: str, body: Any) -> str:
    """What ``PUT`` answers through the Item (the route's steps), or FAILED."""
    try:
        with transaction(collection.backoffice) as transaction_id:
            item = collection.new_item()
            item.load(_id, transaction_id=transaction_id)
            item.set(copy.deepcopy(body))
            item.save(transaction_id=transaction_id)
        return to_json(item.view("client"))
    except Exception:  # noqa: BLE001
        return FAILED


def _without_mtime(document: dict) -> dict:
    """``document`` with its stamp times replaced by whether they are set (they depend on the second)."""
    meta = document.get("_meta")
    if isinstance(meta, dict):
        times = {name: meta.get(name) is not None for name in ("ctime", "mtime")}
        return {**document, "_meta": {**meta, **times}}
    return document


@settings_for_paths
@given(st.data())
def test_updates_agree_with_the_item_path(data: st.DataObject) -> None:
    schema = data.draw(models)
    fast, slow = collection_of(schema), collection_of(schema)
    slow.plain_model = lambda: None  # type: ignore[method-assign]
    stored = {**data.draw(documents_for(fast.model, good_only=data.draw(st.booleans()))), "_id": "42"}
    stored["_meta"] = data.draw(st.sampled_from([META, {**META, "ctime": None}, {**META, "created_by": {}}]))
    for collection in (fast, slow):
        collection.db_handler.create(copy.deepcopy(stored))
    body = data.draw(documents_for(fast.model, good_only=data.draw(st.booleans())))
    if data.draw(st.booleans()):
        body["_id"] = data.draw(st.sampled_from(["42", "43"]))
    if data.draw(st.booleans()):
        body["_meta"] = data.draw(st.sampled_from([META, {"mtime": "2026-01-01T00:00:00"}, {"ctime": None}]))
    expected = item_path_update(slow, "42", body)
    document = operations.update_document(fast, "42", copy.deepcopy(body), "client")
    if expected == FAILED or document is None:
        assert document is None, "the fast path answered where the Item path fails"
        assert fast.db_handler.get_by_id("42") == stored, "nothing is written when the fast path steps aside"
        return
    assert to_json(_without_mtime(document)) == to_json(_without_mtime(json.loads(expected)))
    assert _without_mtime(fast.db_handler.get_by_id("42")) == _without_mtime(slow.db_handler.get_by_id("42"))


def test_a_put_of_what_get_answered_is_saved_without_an_item() -> None:
    collection = collection_of({"title": String(), "pages": Int(), "when": Datetime()})
    created = operations.create_document(collection, {"title": "Dune", "pages": 1}, "client")
    body = {**created, "pages": 2, "when": "2026-01-02T03:04:05"}
    updated = operations.update_document(collection, created["_id"], body, "client")
    assert updated is not None and updated["pages"] == 2 and updated["when"] == "2026-01-02T03:04:05"
    assert updated["_meta"]["ctime"] == created["_meta"]["ctime"]
    assert collection.db_handler.get_by_id(created["_id"]) == updated
    forged_meta = {"_meta": {"ctime": "2000-01-01T00:00:00"}}
    forged = operations.update_document(collection, created["_id"], forged_meta, "client")
    assert forged is None, "a change to a read-only field is left to the Item path, which refuses it"


def test_loading_keeps_an_explicit_none_where_a_default_exists() -> None:
    collection = collection_of({"title": String(default="untitled"), "pages": Int()})
    collection.db_handler.create({"_id": "1", "title": None, "pages": 3, "_meta": META})
    collection.db_handler.create({"_id": "2", "pages": 3, "_meta": META})
    assert not collection.plain_model().vouches_for(collection.db_handler.get_by_id("1"))
    assert collection.get_by_id("1").title.get_value() is None, "validated: the value given is kept"
    assert collection.get_by_id("2").title.get_value() == "untitled"
    collection.db_handler.save("3", {"_id": "3", "pages": "many"})
    with pytest.raises(Exception, match="pages"):
        collection.get_by_id("3")


def test_a_plain_body_is_created_without_an_item_and_reads_back_the_same() -> None:
    collection = collection_of({"title": String(required=True), "pages": Int(default=1), "when": Datetime()})
    document = operations.create_document(collection, {"title": "Dune", "when": "2026-01-02T03:04:05.5"}, "client")
    assert document is not None
    assert document["title"] == "Dune" and document["pages"] == 1 and document["when"] == "2026-01-02T03:04:05.500000"
    meta = document["_meta"]
    assert meta["ctime"] == meta["mtime"] and datetime.datetime.fromisoformat(meta["ctime"]).microsecond == 0
    assert json.loads(to_json(collection.get_by_id(document["_id"]).view("client"))) == document
    assert operations.read_document(collection, document["_id"], "client") == document


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"pages": "12"},
        {"pages": True},
        {"title": "x", "other": 1},
        ["title"],
        {"title": "x", "when": 3},
    ],
)
def test_bodies_the_item_path_converts_or_refuses_are_left_to_it(body: Any) -> None:
    collection = collection_of({"title": String(required=True), "pages": Int(), "when": Datetime()})
    assert operations.create_document(collection, body, "client") is None
    assert collection.db_handler.select(None) == [], "nothing is written when the fast path steps aside"


def _granted(right_name: str, o: Any) -> bool:
    return True


def _refused(right_name: str, o: Any) -> bool:
    return False


@pytest.mark.parametrize("right", [False, _refused, _granted, True], ids=["False", "refusing", "granting", "True"])
@pytest.mark.parametrize(
    "body",
    [{"role": "admin"}, {"role": "user"}, {"role": None}, {"sub": {"x": "a"}}, {"sub": {"x": None}}, {"free": "f"}],
    ids=["other value", "default", "None", "nested value", "nested None", "untouched"],
)
def test_creates_of_fields_the_user_may_not_modify_agree_with_the_item_path(right: Any, body: dict) -> None:
    """Issue 14 (1): the Item path refuses a value that is not the default; the fast path leaves
    every such body to it (a function is not evaluated there) and answers the others alike."""
    schema = {
        "free": String(),
        "role": String(can_modify=right, default="user"),
        "sub": Dict({"x": String(can_modify=right)}),
    }
    collection = collection_of(schema)
    assert collection.plain_model() is not None
    try:
        expected: Any = collection.db_handler.get_by_id(collection.create(copy.deepcopy(body))._id.get_value())
    except SRightError:
        expected = None
    sets_something = body not in ({"role": "user"}, {"sub": {"x": None}}, {"free": "f"})
    assert (expected is None) is (sets_something and right in (False, _refused))
    document = operations.create_document(collection, copy.deepcopy(body), "client")
    if expected is None or (sets_something and right is _granted):
        assert document is None, "left to the Item path"
        return
    assert document is not None
    assert {**document, "_id": None, "_meta": None} == {**expected, "_id": None, "_meta": None}


def _on_loaded(*args: Any, **kwargs: Any) -> None:
    """An event handler (its presence is what matters)."""


NOT_PLAIN = {
    "regexp": {"a": String(regexp="^a")},
    "min": {"a": Int(min=1)},
    "max": {"a": Float(max=1.0)},
    "read right function": {"a": String(can_read=lambda *_: True)},
    "hidden": {"a": String(can_read=False)},
    "exists function": {"a": String(exists=lambda *_: True)},
    "views": {"a": String(views=["!client"])},
    "computed": {"a": String(set=lambda o: "x")},
    "transform": {"a": String(transform=lambda v, o: v)},
    "default function": {"a": String(default=lambda o: "x")},
    "default of another type": {"a": Int(default=True)},
    "union": {"a": String(union=["x", "y"])},
    "constraint": {"a": Int(constraint=lambda v, o: True)},
    "onchange": {"a": Int(onchange=lambda old, new, o: None)},
    "event": {"a": Int(on=[("loaded", _on_loaded)])},
    "list": {"a": List(String())},
    "ref with a handler of its own": {"a": Ref(coll="others", field="$.things", on=[("loaded", _on_loaded)])},
    "refslist with a minimum": {"a": RefsList(coll="others", field="$.thing", min=1)},
    "nested not plain": {"a": Dict({"b": Int(min=0)})},
    "datetime minimum": {"a": Datetime(min=datetime.datetime(2020, 1, 1))},
}


@pytest.mark.parametrize("schema", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_models_with_anything_but_plain_fields_take_the_item_path(schema: dict) -> None:
    collection = Collection("things", Item(schema), DBMemoryConnector())
    assert collection.plain_model() is None
    assert operations.read_document(collection, "1", "client") is None
    assert operations.create_document(collection, {}, "client") is None


def test_a_custom_metadata_handler_or_rights_function_takes_the_item_path() -> None:
    class Stamp(GenericMetaDataHandler):
        pass

    assert Collection("a", Item({"a": Int()}, meta_data_handler=Stamp()), DBMemoryConnector()).plain_model() is None
    no_meta = Collection("b", Item({"a": Int()}, meta_data_handler=None), DBMemoryConnector())
    assert no_meta.plain_model() is not None
    created = operations.create_document(no_meta, {"a": 1}, "client")
    assert created is not None and "_meta" not in created
    guarded = Collection(
        "c", Item({"a": Int()}), DBMemoryConnector(), can_read=lambda *_: True, can_create=lambda *_: True
    )
    assert operations.read_document(guarded, "1", "client") is None
    assert operations.create_document(guarded, {"a": 1}, "client") is None


def test_plus_views_and_define_view_take_the_item_path() -> None:
    collection = collection_of({"a": Int(), "b": Int()})
    assert operations.create_document(collection, {"a": 1}, "+short") is None
    assert collection.plain_model() is not None
    collection.define_view("short", ["$.a"])
    assert collection.plain_model() is None, "a view declared after the first use is taken into account"


# --- selections -----------------------------------------------------------------------

OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$reg", "$and", "$not", "$in"]


def conditions_for(field: Any, depth: int = 2) -> st.SearchStrategy[Any]:
    """Match conditions for ``field``: values, operators (known or not), nested dicts."""
    operand = st.one_of(values_for(field, 0), ANY_VALUE, st.sampled_from(["^a", "[", ".*"]))
    simple = st.one_of(operand, st.tuples(st.sampled_from(OPERATORS), operand), st.tuples(st.integers(), operand))
    if isinstance(field, Dict) and depth > 0:
        return st.one_of(simple, filters_for(field, depth - 1))
    return simple


def filters_for(model: Any, depth: int = 2) -> st.SearchStrategy[Any]:
    keys = list(model._keys) + ["unknown"]
    return st.dictionaries(
        st.sampled_from(keys),
        st.deferred(lambda: st.one_of(ANY_VALUE, *[conditions_for(model.__dict__[k], depth) for k in model._keys])),
        max_size=2,
    )


@settings_for_paths
@given(st.data())
def test_matching_stored_values_agrees_with_item_match(data: st.DataObject) -> None:
    collection = collection_of(data.draw(models))
    plain = collection.plain_model()
    match_filter = data.draw(st.one_of(filters_for(collection.model), st.tuples(st.just("$eq"), ANY_VALUE)))
    test = plain.matcher(match_filter)
    document = {**data.draw(documents_for(collection.model)), "_id": "1"}
    record = plain.read(copy.deepcopy(document), validated=False)
    if test is None or record is None:
        return
    item = collection.item_from_document(copy.deepcopy(document), validate=False)
    try:
        expected = item.match(match_filter) is not False
    except Exception:  # noqa: BLE001
        pytest.fail(f"the matcher decided a filter stricto refuses: {match_filter!r}")
    assert test(record) is expected


def test_selections_answer_clients_and_scripts_alike() -> None:
    collection = collection_of({"title": String(), "group": Int(), "when": Datetime()})
    for n in range(30):
        collection.create({"title": f"book {n}", "group": n % 3, "when": "2026-01-02T03:04:05"})
    collection.db_handler.save("odd", {"_id": "odd", "title": 7, "group": 1})  # not plain: an Item shows it
    selection = collection.selections["_all"]
    for match_filter in [None, {"group": 1}, {"title": ("$reg", "book 1")}, {"group": ("$or", [("$eq", 1)])}]:
        for page, skip in [(0, 0), (5, 0), (5, 7), (50, 0)]:
            for_client = selection.select(match_filter, page, skip, for_client=True)
            for_scripts = selection.select(match_filter, page, skip)
            assert to_json(for_client) == to_json(for_scripts)
            assert all(isinstance(row, Item) for row in for_scripts["result"])
    assert selection.select({"group": 1})["total"] == 11


def test_migrations_write_what_the_item_path_writes() -> None:
    def add_note(o: dict) -> dict:
        o.setdefault("note", 10.0)
        if o["title"] == "bad":
            o["pages"] = "many"  # stricto refuses it: reported as a failure either way
        return o

    written = []
    for use_plain in (True, False):
        collection = collection_of({"title": String(), "pages": Int(), "note": Float(required=True)})
        if not use_plain:
            collection.plain_model = lambda: None  # type: ignore[method-assign]
        for n, title in enumerate(["a", "b", "bad"]):
            collection.db_handler.create({"_id": str(n), "title": title, "pages": n, "_meta": META})
        report = collection.migrate(add_note, dry_run=False, on_error="report")
        assert (report.changes.total, len(report.failures)) == (2, 1)
        written.append((collection.db_handler.select(None), report.get_value()))
    assert written[0] == written[1]


def test_the_compiled_model_follows_changes_of_the_model() -> None:
    collection = collection_of({"title": String(), "about": Dict({"lang": String()})})
    first = collection.plain_model()
    assert first is not None
    collection.create({"title": "a"})
    collection.select({"title": "a"})
    assert collection.plain_model() is first  # unchanged model: compiled once
    collection.model.add_to_model("pages", Int(default=3))
    second = collection.plain_model()
    assert second is not first and second is not None
    assert collection.get_by_id(collection.select()[0]._id).pages == 3
    collection.model.about.add_to_model("list", List(String()))  # not plain any more
    assert collection.plain_model() is None
    collection.model.about.remove_model("list")
    assert collection.plain_model() is not None


def test_subclasses_that_change_how_items_are_built_take_the_item_path() -> None:
    class Book(Item):
        pass

    class AuditedCollection(Collection):
        def create(self, obj: dict, **kwargs: Any) -> Item:
            return super().create({**obj, "title": "audited"}, **kwargs)

    assert Collection("a", Book({"title": String()}), DBMemoryConnector()).plain_model() is None
    audited = AuditedCollection("b", Item({"title": String()}), DBMemoryConnector())
    assert audited.plain_model() is None
    assert operations.create_document(audited, {"title": "x"}, "client") is None
    assert audited.create({"title": "x"}).title == "audited"


# --- reference updates ----------------------------------------------------------------


def _library(fast: bool) -> Backoffice:
    """Authors listing their books (RefsList), books pointing at their author (Ref)."""
    library = Backoffice("library")
    library.register_collection(
        Collection(
            "authors",
            Item(
                {
                    "name": String(),
                    "books": RefsList(coll="books", field="$.author", ods=DeleteStrategy.DELETE_REFERENCED_ITEMS),
                }
            ),
            DBMemoryConnector(),
        )
    )
    library.register_collection(
        Collection(
            "books",
            Item({"title": String(), "author": Ref(coll="authors", field="$.books", required=True)}),
            DBMemoryConnector(),
        )
    )
    if not fast:
        library.authors.plain_model = lambda: None  # type: ignore[method-assign]
    return library


def _stored(library: Backoffice) -> dict:
    """Every stored document, mtimes left out (they depend on the second)."""
    return {
        name: [_without_mtime(document) for document in collection.db_handler.select(None, {}, 0, 0, {"_id": 1})]
        for name, collection in library.collections.items()
    }


def _scenario(library: Backoffice) -> None:
    for n, name in enumerate(["ann", "bob"]):
        library.authors.db_handler.create({"_id": f"a{n}", "name": name, "books": []})
    books = library.books
    for n in range(4):
        books.db_handler.generate_id = lambda _item, n=n: f"b{n}"  # type: ignore[method-assign]
        books.create({"title": f"book {n}", "author": "a0" if n < 3 else "a1"})
    moved = books.get_by_id("b1")
    moved.author = "a1"
    moved.save()
    books.get_by_id("b2").delete()
    library.authors.db_handler.save("a9", {"_id": "a9", "name": 9, "books": []})  # not a valid author
    books.db_handler.generate_id = lambda _item: "b9"  # type: ignore[method-assign]
    with pytest.raises(Exception, match="Must be a string"):
        books.create({"title": "refused", "author": "a9"})
    library.authors.get_by_id("a1").delete()  # cascades to its books


def test_reverse_lists_are_updated_on_documents_as_on_items(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _library(fast=True), _library(fast=False)
    assert fast.authors.plain_model() is not None
    relinked = []
    original = PlainModel.relink
    monkeypatch.setattr(PlainModel, "relink", lambda *args: relinked.append(args[2]) or original(*args))
    _scenario(fast)
    assert relinked, "the authors' lists were updated on their documents"
    relinked.clear()
    _scenario(slow)
    assert not relinked
    assert _stored(fast) == _stored(slow)
    meta = fast.authors.db_handler.get_by_id("a0")["_meta"]
    assert meta["mtime"] is not None and meta["modified_by"] == {"_id": "000", "login": "ANONYMOUS"}
    assert [d["_id"] for d in fast.books.db_handler.select(None)] == ["b0"]
    assert fast.authors.db_handler.get_by_id("a0")["books"] == ["b0"]
    assert fast.check_integrity() == slow.check_integrity()


def test_connectors_deriving_ids_from_the_item_get_one_to_look_at() -> None:
    class ItemIds(DBMemoryConnector):
        def generate_id(self, o: Any) -> str:
            return f"from-{o.title.get_value()}"

    class Inherited(DBMemoryConnector):
        pass

    own_ids = Collection("a", Item({"title": String()}), ItemIds())
    assert operations.create_document(own_ids, {"title": "x"}, "client") is None, (
        "the Item path gives generate_id an Item"
    )
    assert own_ids.create({"title": "x"})._id.get_value() == "from-x"
    inherited = Collection("b", Item({"title": String()}), Inherited())
    assert operations.create_document(inherited, {"title": "x"}, "client") is not None


# --- the whitelist ----------------------------------------------------------------------

_SCALAR_TYPES = {String: "x", Int: 1, Float: 1.0, Bool: True}


def _a_default_function(field_type: type) -> Callable[[Any], Any]:
    """A default computed by a function (the value is of the field's type)."""
    return lambda o: _SCALAR_TYPES[field_type]


#: For each stricto (or backo) option the fast path does not honour with every value, a
#: value it must refuse, for a field of a given type (None: every value is honoured there).
REFUSED_SAMPLES: dict[str, Callable[[type], Any]] = {
    "constraints": lambda t: [lambda value, o: True],
    "default": lambda t: _a_default_function(t) if t in _SCALAR_TYPES else {"a": 1} if t is Dict else "x",
    "exists": lambda t: lambda o: True,
    "can_read": lambda t: False,
    "views": lambda t: ["client"],
    "set": lambda t: lambda o: None,
    "onchange": lambda t: lambda old, new, o: None,
    "union": lambda t: ["x"],
    "transform": lambda t: lambda value, o: value,
    "on": lambda t: [("loaded", _on_loaded)],
    "min": lambda t: datetime.datetime(2020, 1, 1) if t is Datetime else 1.0 if t is Float else 1,
    "max": lambda t: datetime.datetime(2020, 1, 1) if t is Datetime else 1.0 if t is Float else 1,
    "regexp": lambda t: "^a",
    "uniq": lambda t: True,
    "require": lambda t: True if t is Dict else None,
    "can_modify": lambda t: None,
    "description": lambda t: None,
    "collection": lambda t: None,
    "reverse": lambda t: None,
    "on_delete": lambda t: None,
    "on_fill": lambda t: None,
}

#: The option models (``Kparse``) each field type is built with, read from the installed stricto.
_OPTION_MODELS: dict[type, tuple[str, ...]] = {
    String: ("stricto.generic", "stricto.string"),
    Int: ("stricto.generic", "stricto.int"),
    Float: ("stricto.generic", "stricto.float"),
    Bool: ("stricto.generic",),
    Datetime: ("stricto.generic", "stricto.extended.date_time"),
    Dict: ("stricto.generic",),
    Ref: ("stricto.generic", "stricto.string", "backo.core.references.ref:REF_OPTIONS"),
    RefsList: ("stricto.generic", "stricto.list", "backo.core.references.refslist:REFSLIST_OPTIONS"),
}


def _options_of(field_type: type) -> list[list[str]]:
    """Every option of ``field_type``, as its list of aliases (the first is its name)."""
    options = []
    for source in _OPTION_MODELS[field_type]:
        module, _, name = source.partition(":")
        for key in getattr(importlib.import_module(module), name or "KPARSE_MODEL"):
            options.append(key.rstrip("*").split("|"))
    return options


def _field(field_type: type, **options: Any) -> Any:
    if field_type is Dict:
        return Dict({"a": Int()}, **options)
    if field_type in (Ref, RefsList):
        return field_type(**{"coll": "others", "field": "$.x", **options})
    return field_type(**options)


def test_every_honoured_option_is_drawn() -> None:
    """The equivalence tests above draw every type and every keyword the whitelist honours."""
    assert set(PLAIN_ATTRIBUTES) == {String, Int, Float, Bool, Datetime, Ref, RefsList, Dict}
    for field_type in PLAIN_ATTRIBUTES:
        assert honoured_keywords(field_type) <= set(OPTION_VALUES), field_type


@pytest.mark.parametrize("field_type", list(_OPTION_MODELS), ids=lambda t: t.__name__)
def test_every_stricto_option_is_honoured_or_refused(field_type: type) -> None:
    """Each option of the installed stricto is honoured (drawn above) or makes the model not plain."""
    assert set(_OPTION_MODELS) == set(PLAIN_ATTRIBUTES)
    for aliases in _options_of(field_type):
        honoured = honoured_keywords(field_type).intersection(aliases)
        assert aliases[0] in REFUSED_SAMPLES or honoured, f"{field_type.__name__}({aliases[0]}=): unknown option"
        sample = REFUSED_SAMPLES[aliases[0]](field_type) if aliases[0] in REFUSED_SAMPLES else None
        if sample is None:
            assert honoured, f"{field_type.__name__}({aliases[0]}=) is neither honoured nor refused"
            continue
        try:
            field = _field(field_type, **{aliases[0]: sample})
        except Exception:  # noqa: BLE001 - stricto or backo refuses it: it never reaches the fast path
            continue
        collection = Collection("things", Item({"a": field}), DBMemoryConnector())
        assert collection.plain_model() is None, f"{field_type.__name__}({aliases[0]}={sample!r}) is not honoured"


@pytest.mark.parametrize("field_type", list(PLAIN_ATTRIBUTES), ids=lambda t: t.__name__)
def test_an_attribute_the_whitelist_does_not_name_or_misses_takes_the_item_path(field_type: type) -> None:
    """A newer stricto's extra attribute, or an older one's missing attribute: not plain, no crash."""
    assert Collection("a", Item({"a": _field(field_type)}), DBMemoryConnector()).plain_model() is not None
    extra = Collection("b", Item({"a": _field(field_type)}), DBMemoryConnector())
    extra.model.a.__dict__["_an_option_of_tomorrow"] = 1
    assert extra.plain_model() is None
    for name in PLAIN_ATTRIBUTES[field_type]:
        model = Item({"a": _field(field_type)})
        assert PlainModel.compile(model, ITEM_OWN_HANDLERS) is not None
        del model.a.__dict__[name]
        assert PlainModel.compile(model, ITEM_OWN_HANDLERS) is None, name
    root = Collection("d", Item({"a": Int()}), DBMemoryConnector())
    root.model.__dict__["_an_option_of_tomorrow"] = 1
    assert root.plain_model() is None


def test_connectors_declare_whether_their_ids_look_at_the_item() -> None:
    from backo import DBConnector, DBYmlConnector
    from backo.core.plain_model import derives_ids_from_items
    from backo.storage.db import DBMongoConnector, DBRedirect, DBRestfullConnector

    for connector_class in (DBMemoryConnector, DBYmlConnector, DBMongoConnector, DBRestfullConnector, DBRedirect):
        assert connector_class.generates_ids_from_items is False
    assert DBConnector.generates_ids_from_items is True

    #: a connector backo does not know, keeping DBConnector's generate_id: the safe, slow way
    unknown = type("Unknown", (DBConnector,), {name: lambda *a, **k: None for name in DBConnector.__abstractmethods__})

    class Declared(DBMemoryConnector):
        generates_ids_from_items = False

        def generate_id(self, o: Any) -> str:
            return "fixed"

    class Overriding(Declared):  # its own generate_id, nothing declared: the Item
        def generate_id(self, o: Any) -> str:
            return f"from-{o.title}"

    assert derives_ids_from_items(unknown()) is True
    assert derives_ids_from_items(Overriding()) is True
    assert derives_ids_from_items(Declared()) is False
