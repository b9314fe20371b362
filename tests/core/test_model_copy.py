"""copy_model builds, node by node, what stricto's copy protocol builds (event ids aside)."""

import copy
import tempfile
from typing import Any

import pytest
from stricto import EVENT_MANAGER, Bool, Datetime, Dict, Float, GenericType, Int, List, Permissions, String

from backo import Collection, DBMemoryConnector, File, FileSystemConnector, Item, Ref, RefsList
from backo.core.model_copy import copy_item, copy_model
from backo.core.stricto_support import copy_with_own_events


def _registrations(node: Any) -> dict:
    return EVENT_MANAGER._events_per_object.get(node.__dict__["_event_id"], {})


def assert_same_tree(ours: Any, theirs: Any, original: Any, parent: Any = None) -> None:
    """Both copies agree with each other and are independent of ``original``."""
    assert type(ours) is type(theirs) is type(original)
    assert ours is not original
    mine, stricto_s, source = ours.__dict__, theirs.__dict__, original.__dict__
    assert mine.keys() == stricto_s.keys() == source.keys()
    assert mine["_event_id"] != source["_event_id"], "a copy has an event id of its own"
    assert _registrations(ours) == _registrations(theirs) == _registrations(original)
    if parent is not None:
        assert mine["_parent"] is parent
    for name, value in mine.items():
        other = stricto_s[name]
        if name in ("_event_id", "_parent"):
            continue
        if value is source[name] or other is source[name]:
            assert value is other, f"{name}: shared with the original by one copy only"
            continue
        if isinstance(value, GenericType):
            assert_same_tree(value, other, source[name], ours if name in mine.get("_keys", ()) else None)
        elif isinstance(value, Permissions):
            assert value is not source[name], "permissions are the copy's own"
            assert (value._enabled, value._permissions) == (other._enabled, other._permissions)
        elif isinstance(value, list) and name == "_value":
            assert len(value) == len(other)
            for mine_element, their_element, source_element in zip(value, other, source[name], strict=True):
                assert_same_tree(mine_element, their_element, source_element)
        elif name != "_state":
            assert value == other, name


def _stricto_copy(item: Item) -> Item:
    return copy_with_own_events(item, Dict.__copy__)


MODELS = {
    "scalars": {"s": String(required=True, default="x"), "i": Int(min=0), "f": Float(), "b": Bool(), "d": Datetime()},
    "nested": {"sub": Dict({"a": Int(can_modify=False), "deep": Dict({"b": String(views=["!client"])})})},
    "rights and functions": {
        "a": String(can_read=lambda *_: True, set=lambda o: "x", transform=lambda v, o: v),
        "b": Int(on=[("loaded", lambda *a, **k: None)]),
    },
    "lists": {"tags": List(String()), "matrix": List(List(Int()))},
    "references": {"ref": Ref(coll="others", field="$.things"), "refs": RefsList(coll="others", field="$.thing")},
    "file": {"doc": File(work_connector=FileSystemConnector(path=tempfile.gettempdir()))},
}


@pytest.mark.parametrize("schema", MODELS.values(), ids=MODELS.keys())
def test_an_item_copy_is_stricto_s_copy(schema: dict) -> None:
    collection = Collection("things", Item(schema), DBMemoryConnector())
    model = collection.model
    ours = copy_with_own_events(model, copy_item)
    assert_same_tree(ours, _stricto_copy(model), model)


def test_copies_of_filled_items_carry_the_values() -> None:
    collection = Collection("things", Item(MODELS["lists"] | MODELS["scalars"]), DBMemoryConnector())
    item = collection.item_from_document({"_id": "1", "tags": ["a", "b"], "matrix": [[1], [2, 3]], "s": "y", "i": 4})
    ours = copy.copy(item)
    assert_same_tree(ours, _stricto_copy(item), item)
    assert ours.get_value() == item.get_value()
    ours.tags.append("c")
    ours.i = 5
    assert item.tags.get_value() == ["a", "b"] and item.i.get_value() == 4, "the copy is independent"


def test_classes_with_their_own_copy_keep_it() -> None:
    field = List(Int())
    assert copy_model(field).__class__ is List
    assert copy_model(Int()).__class__ is Int
