"""COMPAT-FIXES 11: many-to-many with a ``NOT_FILL`` side.

A RefsList-side update appends to / removes from the reverse RefsList whatever its fill
strategy; only a Ref leaves a ``NOT_FILL`` list alone. Deleting with ``MUST_BE_EMPTY`` +
``NOT_FILL`` still asks a select. Checked on the plain-model fast path and the Item path.
"""

from typing import Any

import pytest
from flask import Flask

from backo import (
    BackoError,
    Backoffice,
    Collection,
    DeleteStrategy,
    FillStrategy,
    Item,
    Ref,
    RefsList,
    String,
)
from tests.support.references import Stores, extra_fields, ident, path_kind, stores  # noqa: F401 - fixtures

NOT_FILL, MUST_BE_EMPTY = FillStrategy.NOT_FILL, DeleteStrategy.MUST_BE_EMPTY


def choir(
    stores: Stores,
    path_kind: str,
    singers_delete: DeleteStrategy = MUST_BE_EMPTY,
    songs_delete: DeleteStrategy = MUST_BE_EMPTY,
) -> Backoffice:
    """Songs list their singers (FILL); singers list their songs, NOT_FILL."""
    bo = Backoffice("choir")
    bo.register_collection(
        Collection(
            "songs",
            Item(
                {
                    "title": String(),
                    **extra_fields(path_kind),
                    "singers": RefsList(coll="singers", field="$.songs", ods=songs_delete),
                }
            ),
            stores("songs"),
        )
    )
    bo.register_collection(
        Collection(
            "singers",
            Item(
                {
                    "name": String(),
                    **extra_fields(path_kind),
                    "songs": RefsList(coll="songs", field="$.singers", ofs=NOT_FILL, ods=singers_delete),
                }
            ),
            stores("singers"),
        )
    )
    assert (bo.songs.plain_model() is not None) is (path_kind == "plain")
    return bo


def listed(bo: Backoffice, name: str, item: Any, field: str) -> list[str]:
    return [str(one) for one in bo.collections[name].db_handler.get_by_id(ident(item))[field]]


def test_the_reproduction(stores: Stores, path_kind: str) -> None:
    bo = choir(stores, path_kind)
    eve, max_ = bo.singers.create({"name": "eve"}), bo.singers.create({"name": "max"})
    anthem = bo.songs.create({"title": "anthem", "singers": [ident(eve), ident(max_)]})
    eve.reload()
    max_.reload()
    assert len(eve.songs) == 1 and len(max_.songs) == 1
    assert eve.songs.get_value() == [ident(anthem)]

    eve.songs = []
    eve.save()
    anthem.reload()
    assert len(anthem.singers) == 1 and anthem.singers.get_value() == [ident(max_)]

    anthem.singers.append(ident(eve))
    anthem.save()
    eve.reload()
    assert len(eve.songs) == 1

    with pytest.raises(BackoError, match=r'Collection \(not filled\) "songs" not empty'):
        eve.delete()
    assert bo.check_integrity() == []


def test_the_not_fill_side_mirrors_into_the_other(stores: Stores, path_kind: str) -> None:
    bo = choir(stores, path_kind)
    anthem, ballad = bo.songs.create({"title": "anthem"}), bo.songs.create({"title": "ballad"})
    eve = bo.singers.create({"name": "eve", "songs": [ident(anthem), ident(ballad)]})
    assert listed(bo, "songs", anthem, "singers") == [ident(eve)]
    assert listed(bo, "songs", ballad, "singers") == [ident(eve)]
    eve.songs = [ident(ballad)]
    eve.save()
    assert listed(bo, "songs", anthem, "singers") == [] and listed(bo, "songs", ballad, "singers") == [ident(eve)]
    assert bo.check_integrity() == []


def test_removing_on_the_filled_side_unlinks_the_not_fill_side(stores: Stores, path_kind: str) -> None:
    bo = choir(stores, path_kind)
    eve = bo.singers.create({"name": "eve"})
    anthem = bo.songs.create({"title": "anthem", "singers": [ident(eve)]})
    assert listed(bo, "singers", eve, "songs") == [ident(anthem)]
    anthem.singers = []
    anthem.save()
    assert listed(bo, "singers", eve, "songs") == []
    anthem.delete()  # MUST_BE_EMPTY, FILL and empty: allowed
    eve.reload()
    eve.delete()  # NOT_FILL: the select finds no song listing eve
    assert bo.singers.db_handler.select(None) == []


@pytest.mark.parametrize("strategy", [DeleteStrategy.DELETE_REFERENCED_ITEMS, DeleteStrategy.UNLINK_REFERENCED_ITEMS])
def test_other_delete_strategies_of_the_not_fill_side_use_the_select(
    stores: Stores, path_kind: str, strategy: DeleteStrategy
) -> None:
    bo = choir(stores, path_kind, singers_delete=strategy, songs_delete=DeleteStrategy.UNLINK_REFERENCED_ITEMS)
    eve = bo.singers.create({"name": "eve"})
    anthem = bo.songs.create({"title": "anthem", "singers": [ident(eve)]})
    eve.reload()
    eve.delete()
    remaining = bo.songs.db_handler.select(None)
    if strategy is DeleteStrategy.DELETE_REFERENCED_ITEMS:
        assert remaining == []
    else:
        assert [document["singers"] for document in remaining] == [[]]
        assert str(remaining[0]["_id"]) == ident(anthem)


def test_a_ref_still_does_not_fill_a_not_fill_list(stores: Stores, path_kind: str) -> None:
    bo = Backoffice("atlas")
    bo.register_collection(
        Collection(
            "towns",
            Item({"name": String(), **extra_fields(path_kind), "land": Ref(coll="lands", field="$.towns")}),
            stores("towns"),
        )
    )
    bo.register_collection(
        Collection(
            "lands",
            Item(
                {
                    "name": String(),
                    **extra_fields(path_kind),
                    "towns": RefsList(coll="towns", field="$.land", ofs=NOT_FILL, ods=MUST_BE_EMPTY),
                }
            ),
            stores("lands"),
        )
    )
    land = bo.lands.create({"name": "arda"})
    bo.towns.create({"name": "bree", "land": ident(land)})
    assert listed(bo, "lands", land, "towns") == []
    assert bo.check_integrity() == []  # a NOT_FILL list fed by a Ref is not expected to list it
    with pytest.raises(BackoError, match=r'Collection \(not filled\) "towns" not empty'):
        bo.lands.get_by_id(ident(land)).delete()


def test_a_ref_moving_away_leaves_no_stale_id_in_a_not_fill_list(stores: Stores, path_kind: str) -> None:
    """docs/differences.md: 0.2.1 left the id in the list; here it is removed."""
    bo = Backoffice("atlas")
    bo.register_collection(
        Collection("towns", Item({"name": String(), "land": Ref(coll="lands", field="$.towns")}), stores("towns"))
    )
    bo.register_collection(
        Collection(
            "lands",
            Item(
                {
                    "name": String(),
                    **extra_fields(path_kind),
                    "towns": RefsList(coll="towns", field="$.land", ofs=NOT_FILL),
                }
            ),
            stores("lands"),
        )
    )
    town = bo.towns.create({"name": "bree"})
    land = bo.lands.create({"name": "arda", "towns": [ident(town)]})  # explicit ids propagate
    town.reload()
    assert town.land.get_value() == ident(land)
    town.land = None
    town.save()
    assert listed(bo, "lands", land, "towns") == []
    assert bo.check_integrity() == []


def test_check_integrity_checks_a_not_fill_list_fed_by_a_refslist(stores: Stores, path_kind: str) -> None:
    bo = choir(stores, path_kind)
    eve = bo.singers.create({"name": "eve"})
    anthem = bo.songs.create({"title": "anthem", "singers": [ident(eve)]})
    assert bo.check_integrity() == []
    stored = bo.singers.db_handler.get_by_id(ident(eve))
    bo.singers.db_handler.save(ident(eve), {**stored, "songs": []})  # a manual edit of the store
    where = f"songs/{ident(anthem)} $.singers -> singers/{ident(eve)}"
    assert bo.check_integrity() == [f"{where}: $.songs does not point back"]


def test_over_http(stores: Stores, path_kind: str) -> None:
    bo = choir(stores, path_kind)
    app = Flask(__name__)
    bo.build_routes(app)
    client = app.test_client()
    eve = client.post("/choir/singers", json={"name": "eve"}).get_json()
    anthem = client.post("/choir/songs", json={"title": "anthem", "singers": [eve["_id"]]}).get_json()
    assert client.get(f"/choir/singers/{eve['_id']}").get_json()["songs"] == [anthem["_id"]]
    answer = client.put(f"/choir/singers/{eve['_id']}", json={"songs": []})
    assert answer.status_code == 200
    assert client.get(f"/choir/songs/{anthem['_id']}").get_json()["singers"] == []
    answer = client.put(f"/choir/songs/{anthem['_id']}", json={"singers": [eve["_id"]]})
    assert answer.status_code == 200
    assert client.get(f"/choir/singers/{eve['_id']}").get_json()["songs"] == [anthem["_id"]]
    assert client.delete(f"/choir/singers/{eve['_id']}").status_code == 500  # BackoError, as 0.2.1
