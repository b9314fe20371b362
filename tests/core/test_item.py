"""Item: workflow, database operations, events, kwargs, metadata and atomicity."""

from datetime import datetime

import pytest

from backo import (
    BackoError,
    Backoffice,
    Collection,
    DBMemoryConnector,
    Dict,
    GenericMetaDataHandler,
    Int,
    Item,
    NotFoundError,
    SAttributeError,
    SConstraintError,
    SRightError,
    StatusType,
    String,
    STypeError,
    current_user,
)
from backo.core.references.loop_guard import LoopPath


def test_create_stores_the_item_with_id_and_metadata(backoffice: Backoffice) -> None:
    user = backoffice.users.create({"name": "neil", "age": 38})

    assert user._status is StatusType.SAVED
    assert isinstance(user._id.get_value(), str) and user._id.get_value()
    assert user._meta.created_by.login == "ANONYMOUS"
    assert user._meta.created_by._id == "000"
    assert isinstance(user._meta.ctime.get_value(), datetime)
    assert user._meta.ctime == user._meta.mtime
    stored = backoffice.users.db_handler.get_by_id(user._id.get_value())
    assert stored["name"] == "neil" and stored["age"] == 38 and stored["male"] is True
    assert stored["_meta"]["ctime"] == user._meta.ctime.get_value().isoformat()
    assert list(user.get_value()) == ["name", "surname", "age", "male", "_id", "_meta"]


def test_create_ignores_a_client_supplied_id_and_metadata(backoffice: Backoffice) -> None:
    forged = {"_id": "mine", "_meta": {"ctime": "2000-01-01T00:00:00", "created_by": {"_id": "1", "login": "root"}}}
    user = backoffice.users.create({"name": "eve", **forged})

    assert user._id != "mine"
    assert user._meta.created_by.login == "ANONYMOUS"
    assert user._meta.ctime.get_value().year != 2000


def test_created_by_is_the_current_user() -> None:
    current_user.set({"_id": "42", "login": "alice"})
    bo = Backoffice("app")
    bo.register_collection(Collection("things", Item({"a": Int()}), DBMemoryConnector()))
    thing = bo.things.create({"a": 1})
    assert thing._meta.created_by.get_value() == {"_id": "42", "login": "alice"}
    current_user.set({"_id": "7", "login": "bob"})
    thing.a = 2
    thing.save()
    stored = bo.things.db_handler.get_by_id(thing._id.get_value())
    assert stored["_meta"]["created_by"] == {"_id": "42", "login": "alice"}
    assert stored["_meta"]["modified_by"] == {"_id": "7", "login": "bob"}


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ({"name": 12}, STypeError, 'TypeError("$.name: Must be a string (value="12")")'),
        ({"nom": "x"}, SAttributeError, 'AttributeError("$: Dict object has no attribute "nom"")'),
        ({"name": None}, SConstraintError, 'ConstraintsError("$.name: Cannot be empty "None"")'),
        ([1, 2], STypeError, 'TypeError("$: Must be a dict (value="[1, 2]")")'),
    ],
)
def test_invalid_data_is_refused_and_nothing_is_written(backoffice: Backoffice, data, error, message) -> None:
    with pytest.raises(error) as raised:
        backoffice.users.create(data)
    assert str(raised.value) == message
    assert backoffice.users.select({}) == []


def test_get_by_id_round_trip_and_unknown_id(backoffice: Backoffice) -> None:
    created = backoffice.users.create({"name": "neil", "surname": "armstrong"})
    loaded = backoffice.users.get_by_id(created._id)
    assert loaded.get_value() == created.get_value()
    assert loaded._status is StatusType.SAVED
    with pytest.raises(NotFoundError):
        backoffice.users.get_by_id("nope")


def test_save_writes_changes_and_refreshes_mtime(backoffice: Backoffice) -> None:
    user = backoffice.users.create({"name": "neil"})
    user.age = 39
    user.save()
    assert backoffice.users.get_by_id(user._id).age == 39
    assert user._meta.mtime.get_value() >= user._meta.ctime.get_value()


def test_workflow_errors(backoffice: Backoffice) -> None:
    item = backoffice.users.new_item()
    assert item._status is StatusType.UNSET
    with pytest.raises(BackoError, match="Cannot save an unset object in users"):
        item.save()
    with pytest.raises(BackoError, match="Cannot delete an unset object in users"):
        item.delete()
    with pytest.raises(BackoError, match="Cannot reload an unset object in users"):
        item.reload()
    saved = backoffice.users.create({"name": "a"})
    with pytest.raises(BackoError, match="Cannot load an non-unset object in users"):
        saved.load(saved._id)


def test_reload_sees_a_change_made_elsewhere(backoffice: Backoffice) -> None:
    first = backoffice.users.create({"name": "a"})
    second = backoffice.users.get_by_id(first._id)
    second.name = "b"
    second.save()
    assert first.name == "a"
    first.reload()
    assert first.name == "b"


def test_delete_removes_the_item(backoffice: Backoffice) -> None:
    user = backoffice.users.create({"name": "a"})
    user.delete()
    assert user._status is StatusType.UNSET
    with pytest.raises(NotFoundError):
        backoffice.users.get_by_id(user._id)


def test_events_fire_in_order_with_their_kwargs() -> None:
    seen: list[tuple[str, set[str]]] = []

    def record(event_name, root, me, **kwargs):
        seen.append((event_name, set(kwargs)))

    events = [(name, record) for name in ("loaded", "before_save", "saved", "before_delete", "created")]
    bo = Backoffice("app")
    bo.register_collection(Collection("things", Item({"a": Int()}, on=events), DBMemoryConnector()))
    thing = bo.things.create({"a": 1})
    loaded = bo.things.get_by_id(thing._id)
    loaded.a = 2
    loaded.save()
    loaded.delete()

    assert [name for name, _ in seen] == ["created", "loaded", "before_save", "saved", "before_delete"]
    assert "old_object" in seen[2][1] and "old_object" in seen[3][1]


def test_before_save_receives_the_previous_version() -> None:
    previous: list[int] = []

    def remember(event_name, root, me, old_object=None, **kwargs):
        previous.append(old_object.a.get_value())

    bo = Backoffice("app")
    bo.register_collection(
        Collection("things", Item({"a": Int()}, on=[("before_save", remember)]), DBMemoryConnector())
    )
    thing = bo.things.create({"a": 1})
    thing.a = 2
    thing.save()
    thing.a = 3
    thing.save()
    assert previous == [1, 2]  # the second save compares with the first, not with the creation


def test_method_kwargs_are_checked(backoffice: Backoffice) -> None:
    with pytest.raises(TypeError, match=r"keys \['foo'\] not used"):
        backoffice.users.create({"name": "a"}, foo=1)
    with pytest.raises(TypeError, match='key "transaction_id" must be int | None'):
        backoffice.users.create({"name": "a"}, transaction_id="x")
    user = backoffice.users.create({"name": "a"}, m_path=LoopPath())
    user.save(looper=LoopPath(), m_path=[])
    with pytest.raises(KeyError):
        user.save(transaction_id=999)


@pytest.mark.parametrize(
    ("right", "operation", "message"),
    [
        ("can_read", lambda c, i: c.get_by_id(i._id), "No permission to create in collection things"),
        ("can_create", lambda c, i: c.create({"a": 1}), "No permission to create in collection things"),
        ("can_modify", lambda c, i: i.save(), "No permission to modify element in collection things"),
        ("can_delete", lambda c, i: i.delete(), "No permission to delete element in collection things"),
    ],
)
def test_collection_rights_refuse_each_operation(right, operation, message) -> None:
    allowed = {"value": True}
    bo = Backoffice("app")
    coll = Collection("things", Item({"a": Int()}), DBMemoryConnector(), **{right: lambda name, o: allowed["value"]})
    bo.register_collection(coll)
    item = coll.create({"a": 1}) if right != "can_create" else None
    allowed["value"] = False
    with pytest.raises(SRightError) as raised:
        operation(coll, item)
    assert str(raised.value) == f'RightsError("{message}")'


def test_load_refuses_without_read_right() -> None:
    coll = Collection("things", Item({"a": Int()}), DBMemoryConnector(), can_read=False)
    stored = coll.db_handler.create({"a": 1, "_id": "1"})
    with pytest.raises(SRightError, match="No permission to read element in collection things"):
        coll.new_item().load(stored)


def test_right_callbacks_receive_the_right_name_and_item() -> None:
    calls: list[tuple[str, object]] = []

    def right(name, o):
        calls.append((name, o if o is None else o.a.get_value()))
        return True

    coll = Collection("things", Item({"a": Int()}), DBMemoryConnector(), modify=right, create=right)
    item = coll.create({"a": 1})
    item.a = 5
    item.save()
    assert calls == [("create", None), ("modify", 5)]


def test_unreadable_fields_are_not_erased_by_a_save() -> None:
    readable = {"value": True}
    coll = Collection(
        "things",
        Item({"a": Int(), "secret": String(can_read=lambda right, o: readable["value"])}),
        DBMemoryConnector(),
    )
    item = coll.create({"a": 1, "secret": "s3cr3t"})
    readable["value"] = False
    loaded = coll.get_by_id(item._id)
    assert "secret" not in loaded.get_value()
    loaded.a = 2
    loaded.save()
    assert coll.db_handler.get_by_id(item._id.get_value())["secret"] == "s3cr3t"


def test_read_only_fields_cannot_be_set_at_creation_either() -> None:
    """Issue 14 (1): 0.2.1 let a create set them (see tests/hardening/test_mass_assignment.py)."""
    coll = Collection("things", Item({"code": String(can_modify=False)}), DBMemoryConnector())
    with pytest.raises(SRightError, match=r"\$.code: cannot modify value"):
        coll.create({"code": "X1"})
    item = coll.create({})
    with pytest.raises(SRightError, match=r"\$.code: cannot modify value"):
        item.code = "X2"
    with pytest.raises(SRightError, match=r"\$._id: cannot modify value"):
        item._id = "other"


def test_an_item_without_meta_data_handler_has_no_meta() -> None:
    coll = Collection("things", Item({"a": Int()}, meta_data_handler=GenericMetaDataHandler()), DBMemoryConnector())
    item = coll.create({"a": 1})
    assert list(item.get_value()) == ["a", "_id"]
    bare = Collection("bare", Item({"a": Int()}, meta_data_handler=None), DBMemoryConnector())
    assert list(bare.create({"a": 1}).get_value()) == ["a", "_id"]


def test_a_failing_created_handler_undoes_the_creation() -> None:
    def explode(event_name, root, me, **kwargs):
        raise ValueError("boom")

    bo = Backoffice("app")
    coll = Collection("things", Item({"a": Int()}, on=[("created", explode)]), DBMemoryConnector())
    bo.register_collection(coll)
    with pytest.raises(ValueError, match="boom"):
        coll.create({"a": 1})
    assert coll.db_handler.select(None) == []
    assert bo.transactions == {}


def test_a_failing_save_rolls_back_what_its_handlers_wrote() -> None:
    bo = Backoffice("app")
    log_coll = Collection("log", Item({"n": Int()}), DBMemoryConnector())
    bo.register_collection(log_coll)
    entry = log_coll.create({"n": 0})

    def touch_log_then_fail(event_name, root, me, **kwargs):
        other = log_coll.get_by_id(entry._id)
        other.n = 99
        other.save(transaction_id=kwargs["transaction_id"])
        raise RuntimeError("storage down")

    things = Collection("things", Item({"a": Int()}, on=[("before_save", touch_log_then_fail)]), DBMemoryConnector())
    bo.register_collection(things)
    thing = things.create({"a": 1})
    thing.a = 2
    with pytest.raises(RuntimeError):
        thing.save()
    assert log_coll.db_handler.get_by_id(entry._id.get_value())["n"] == 0
    assert things.db_handler.get_by_id(thing._id.get_value())["a"] == 1


def test_fields_outside_the_save_view_are_not_stored() -> None:
    coll = Collection("things", Item({"a": Int(), "scratch": String(views=["!save"])}), DBMemoryConnector())
    item = coll.create({"a": 1, "scratch": "temporary"})
    assert "scratch" not in coll.db_handler.get_by_id(item._id.get_value())
    item.a = 2
    item.save()
    assert coll.db_handler.get_by_id(item._id.get_value()) == {
        key: value for key, value in item.get_encoded().items() if key != "scratch"
    }


def test_handlers_on_nested_fields_fire() -> None:
    fired: list[str] = []
    nested = Dict({"b": Int(on=[("before_save", lambda event, root, me, **kw: fired.append(me.path_name()))])})
    coll = Collection("things", Item({"sub": nested}), DBMemoryConnector())
    item = coll.create({"sub": {"b": 1}})
    item.save()
    assert fired == ["$.sub.b"]


def test_a_stored_document_that_no_longer_fits_fails_to_load_but_lists() -> None:
    coll = Collection("things", Item({"a": Int(required=True)}), DBMemoryConnector())
    coll.db_handler.create({"_id": "old", "a": None})
    with pytest.raises(SConstraintError):
        coll.get_by_id("old")
    assert [item._id.get_value() for item in coll.select({})] == ["old"]


def same_view(item: Item, view_name: str) -> bool:
    expected, got = item.get_view(view_name), item.view(view_name)
    if expected is None or got is None:
        return expected is None and got is None
    return got.get_value() == expected.get_value()


@pytest.mark.parametrize("view_name", ["client", "short", "+short", "other"])
def test_view_is_what_stricto_get_view_gives(view_name: str) -> None:
    model = Item({"a": Int(), "hidden": String(views=["!client"]), "sub": Dict({"b": Int(views=["short"])})})
    item = Collection("things", model, DBMemoryConnector()).create({"a": 1, "hidden": "h", "sub": {"b": 2}})
    assert same_view(item, view_name)
    plain = Collection("plain", Item({"a": Int()}), DBMemoryConnector()).create({"a": 1})
    assert same_view(plain, view_name)
