"""The real-server leg of the Mongo tests (``make test-mongo``): testkit/secantus.py and the selection rule.

``testkit.secantus`` starts a SecantusDB server (a MongoDB-wire server, in its own
virtualenv ``.secantus/``) on a free port of 127.0.0.1, hands its URL to a command as
``BACKO_TEST_MONGO_URL`` and stops it; it fails loudly, and stops what it started, when the
server is missing, dies or stays silent (checked here with stand-in executables). The test
that starts the real server is skipped until ``make test-mongo`` has installed it.

The leg selects the Mongo tests with ``pytest -k mongo``; ``mongo_connector`` fails a test
that uses it without "mongo" in its id, so that none is silently left on mongomock. (This
file's name and tests have no "mongo" in them on purpose: the leg does not run them.)
"""

import os
import socket
import stat
import sys
from pathlib import Path

import pytest

from testkit.secantus import DEFAULT_SERVER, SecantusError, main, secantus_server
from tests.support.backends import mongo_connector


def _executable(path: Path, script: str) -> Path:
    """A shell script at ``path`` standing for the server."""
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _refused(port: int) -> bool:
    """True if nothing listens on ``port`` of 127.0.0.1 any more."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_missing_server_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(SecantusError, match="no SecantusDB server at .*pip install 'SecantusDB==0.7.0b3'"):
        with secantus_server(tmp_path / "secantusd-py"):
            pass


@pytest.mark.timeout(60)
def test_a_server_that_dies_at_once_is_an_error_with_its_output(tmp_path: Path) -> None:
    server = _executable(tmp_path / "dies", 'echo "cannot open the storage: $@"; exit 3')
    with pytest.raises(SecantusError, match="exited before answering, 3 times") as raised:
        with secantus_server(server):
            pass
    assert "cannot open the storage: --host 127.0.0.1 --port" in str(raised.value)


@pytest.mark.timeout(60)
def test_a_silent_server_times_out_and_is_stopped(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    server = _executable(tmp_path / "silent", f"echo $$ > {pid_file}; exec sleep 60")
    with pytest.raises(SecantusError, match=r"did not answer on port \d+ within 1 s"):
        with secantus_server(server, timeout=1):
            pass
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(int(pid_file.read_text()), 0)


@pytest.mark.timeout(60)
def test_the_command_line_reports_a_server_that_cannot_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--server", str(tmp_path / "none"), "--", sys.executable, "-c", "pass"]) == 2
    assert "testkit.secantus: no SecantusDB server at" in capsys.readouterr().err


@pytest.mark.timeout(120)
@pytest.mark.skipif(not os.access(DEFAULT_SERVER, os.X_OK), reason="SecantusDB not installed (make test-mongo)")
def test_the_command_runs_against_a_fresh_server_that_is_stopped_after(tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    command = (
        "import os, sys, pymongo\n"
        "url = os.environ['BACKO_TEST_MONGO_URL']\n"
        "client = pymongo.MongoClient(url, serverSelectionTimeoutMS=5000)\n"
        "db = client.get_default_database()\n"
        "names = db.list_collection_names()\n"
        "db.things.insert_one({'n': 1})\n"
        f"open({str(seen)!r}, 'w').write(f'{{url}} {{db.name}} {{names}} {{db.things.count_documents({{}})}}')\n"
        "client.close()\n"
        "sys.exit(7)\n"
    )
    assert main(["--", sys.executable, "-c", command]) == 7  # the command's own status
    url, database, names, count = seen.read_text().split(" ")
    assert url.startswith("mongodb://127.0.0.1:") and (database, names, count) == ("backo_test", "[]", "1")
    assert _refused(int(url.split(":")[2].split("/")[0]))


def test_a_test_using_the_connector_must_be_selected_by_the_leg() -> None:
    with pytest.raises(AssertionError, match="`pytest -k mongo` does not select it"):
        with mongo_connector():
            pass
