"""HTTP benchmark: generated routes against a bare Flask handler doing the same storage call.

Run: ``python -m benchmarks.http_bench [--sizes 1000 10000] [--stores memory yml]``.
For create, get and list (``_page=50``) it prints requests per second through Flask's
test client, for backo's route and for the floor (a hand-written handler calling the
connector directly), and their ratio.
"""

import argparse
import json
import tempfile
import time
from collections.abc import Callable

from flask import Flask, request

from backo import Backoffice, Collection, DBMemoryConnector, DBYmlConnector, Int, Item, String, current_user
from backo.storage.db.base import DBConnector


def rate(count: int, action: Callable[[int], object]) -> float:
    """Requests per second of ``action(n)`` for n in range(count)."""
    start = time.perf_counter()
    for n in range(count):
        action(n)
    return count / (time.perf_counter() - start)


def floor_app(db: DBConnector) -> Flask:
    """The same storage calls, hand-written: the cost backo adds is the ratio to this."""
    app = Flask("floor")

    @app.post("/floor")
    def create() -> tuple[str, int]:
        document = dict(request.json)
        document["_id"] = db.generate_id(None)
        db.create(document)
        return json.dumps(document), 200

    @app.get("/floor/<_id>")
    def get(_id: str) -> tuple[str, int]:
        return json.dumps(db.get_by_id(_id)), 200

    @app.get("/floor")
    def listing() -> tuple[str, int]:
        documents = db.select(None, {}, 0, 0, {"_id": 1})
        return json.dumps({"result": documents[:50], "total": len(documents)}), 200

    return app


def connector(store: str, folder: str) -> DBConnector:
    return DBMemoryConnector() if store == "memory" else DBYmlConnector(path=folder)


def run(store: str, size: int) -> None:
    with tempfile.TemporaryDirectory() as backo_dir, tempfile.TemporaryDirectory() as floor_dir:
        bo = Backoffice("bench")
        bo.register_collection(Collection("books", Item({"title": String(), "pages": Int()}), connector(store, backo_dir)))
        app = Flask("bench")
        bo.build_routes(app)
        client, floor = app.test_client(), floor_app(connector(store, floor_dir)).test_client()
        body = {"title": "a book", "pages": 100}
        measures = {
            "create": (
                rate(size, lambda n: client.post("/bench/books", json=body)),
                rate(size, lambda n: floor.post("/floor", json=body)),
            )
        }
        ids = [d["_id"] for d in bo.books.db_handler.select(None)][:1000]
        floor_ids = [json.loads(floor.get("/floor").data)["result"][0]["_id"]] * len(ids)
        measures["get"] = (
            rate(len(ids), lambda n: client.get(f"/bench/books/{ids[n]}")),
            rate(len(ids), lambda n: floor.get(f"/floor/{floor_ids[n]}")),
        )
        measures["list _page=50"] = (
            rate(20, lambda n: client.get("/bench/books?_page=50")),
            rate(20, lambda n: floor.get("/floor")),
        )
        for name, (backo_rate, floor_rate) in measures.items():
            print(f"{store}/{size} {name:<14} backo {backo_rate:8.0f} req/s   floor {floor_rate:8.0f} req/s   ratio {floor_rate / backo_rate:5.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--stores", nargs="+", default=["memory", "yml"], choices=["memory", "yml"])
    args = parser.parse_args()
    current_user.standalone = True
    for store in args.stores:
        for size in args.sizes:
            run(store, size)


if __name__ == "__main__":
    main()
