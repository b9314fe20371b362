"""File benchmark: upload then stream a 10 MB file, and the peak memory the download takes.

Run: ``python -m benchmarks.file_bench [--megabytes 10]``. The download must stream: its
peak (measured with tracemalloc, around the download only) should be a few buffers, not
the file's size.
"""

import argparse
import os
import tempfile
import time
import tracemalloc

from flask import Flask

from backo import Backoffice, Collection, DBMemoryConnector, File, FileSystemConnector, Item, current_user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=10)
    size = parser.parse_args().megabytes * 1024 * 1024
    current_user.standalone = True
    with tempfile.TemporaryDirectory() as folder:
        bo = Backoffice("bench")
        model = Item({"f": File(work_connector=FileSystemConnector(path=folder))})
        bo.register_collection(Collection("docs", model, DBMemoryConnector()))
        app = Flask("bench")
        bo.build_routes(app)
        client = app.test_client()
        start = time.perf_counter()
        _id = bo.docs.create({"f": os.urandom(size)})._id.get_value()
        stored = time.perf_counter() - start
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get(f"/bench/docs/{_id}/f", buffered=False)
        received = sum(len(chunk) for chunk in response.response)
        response.close()
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert received == size
    print(
        f"file {size // 1024 // 1024} MB: stored in {stored:.2f} s, streamed in {elapsed:.2f} s "
        f"({size / elapsed / 1e6:.0f} MB/s), download peak memory {peak / 1024:.0f} KiB",
        flush=True,
    )


if __name__ == "__main__":
    main()
