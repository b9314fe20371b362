"""stricto's event registry: ids drawn safely from threads, registrations freed with their Items."""

import gc
import threading

from stricto import EVENT_MANAGER

from backo import Collection, DBMemoryConnector, Int, Item, Ref


def test_loading_items_does_not_grow_the_event_registry() -> None:
    coll = Collection("things", Item({"a": Int(), "r": Ref(coll="things")}), DBMemoryConnector())
    coll.db_handler.create({"_id": "1", "a": 1, "r": None})
    gc.collect()
    before = len(EVENT_MANAGER._events_per_object)
    for _ in range(300):
        coll.get_by_id("1")
    gc.collect()
    assert len(EVENT_MANAGER._events_per_object) - before < 20


def test_items_can_be_copied_from_many_threads() -> None:
    coll = Collection("things", Item({"a": Int(), "r": Ref(coll="things")}), DBMemoryConnector())
    errors: list[Exception] = []

    def copy_many() -> None:
        try:
            for _ in range(300):
                coll.new_item()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=copy_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_handlers_survive_the_collection_of_copies() -> None:
    fired: list[str] = []

    def on_root(event, root, me, **kwargs):
        fired.append("root")

    def on_nested(event, root, me, **kwargs):
        fired.append("nested")

    from backo import Dict

    model = Item(
        {"a": Int(), "sub": Dict({"b": Int()}, on=[("before_save", on_nested)])}, on=[("before_save", on_root)]
    )
    coll = Collection("things", model, DBMemoryConnector())
    coll.db_handler.create({"_id": "1", "a": 1, "sub": {"b": 1}})
    for _ in range(5):
        coll.get_by_id("1").copy()
    gc.collect()
    coll.get_by_id("1").save()
    assert fired == ["root", "nested"]
