"""COMPAT-FIXES 12: a selector with a slice across a RefsList gives the list of results."""

from typing import Any

from backo import Backoffice, Collection, Item, Ref, RefsList, String
from tests.support.references import Stores, extra_fields, ident, path_kind, stores  # noqa: F401 - fixtures


def orchestra(stores: Stores, path_kind: str) -> tuple[Backoffice, Any]:
    """An orchestra of three players (RefsList <-> Ref), in that order."""
    bo = Backoffice("music")
    bo.register_collection(
        Collection(
            "orchestras",
            Item(
                {"name": String(), **extra_fields(path_kind), "players": RefsList(coll="players", field="$.orchestra")}
            ),
            stores("orchestras"),
        )
    )
    bo.register_collection(
        Collection(
            "players",
            Item({"name": String(), **extra_fields(path_kind), "orchestra": Ref(coll="orchestras", field="$.players")}),
            stores("players"),
        )
    )
    band = bo.orchestras.create({"name": "philharmonia"})
    for name in ("ada", "bea", "cy"):
        bo.players.create({"name": name, "orchestra": ident(band)})
    band.reload()
    return bo, band


def values(found: Any) -> Any:
    if isinstance(found, list):
        return [values(one) for one in found]
    return found if found is None else found.get_value()


def test_the_reproduction(stores: Stores, path_kind: str) -> None:
    _bo, band = orchestra(stores, path_kind)
    assert values(band.select("$.players[0].name")) == "ada"
    assert values(band.select("$.players[0:2].name")) == ["ada", "bea"]
    assert values(band.select("$.players[-1].name")) == "cy"
    assert values(band.select("$.players.name")) == ["ada", "bea", "cy"]
    assert values(band.select("$.players[0:1].orchestra.name")) == ["philharmonia"]
    assert band.select("$.players[1:].name") is None  # stricto reads no slice in "1:"


def test_slices_with_steps_and_out_of_range(stores: Stores, path_kind: str) -> None:
    _bo, band = orchestra(stores, path_kind)
    assert values(band.select("$.players[0:3:2].name")) == ["ada", "cy"]
    assert values(band.select("$.players[1:9].name")) == ["bea", "cy"]
    assert values(band.select("$.players[5:9].name")) == []
    assert band.select("$.players[7].name") is None


def test_unloadable_items_are_skipped(stores: Stores, path_kind: str) -> None:
    bo, band = orchestra(stores, path_kind)
    first = band.players.get_value()[0]
    bo.players.db_handler.delete_by_id(first)  # gone behind backo's back
    assert values(band.select("$.players[0:2].name")) == ["bea"]
    assert band.select("$.players[0].name") is None
    assert values(band.select("$.players.name")) == ["bea", "cy"]
