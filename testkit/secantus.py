"""A throwaway SecantusDB server on 127.0.0.1: a real MongoDB-wire server for the tests and the benchmarks.

SecantusDB (``pip install 'SecantusDB==0.7.0b3'``, GPL-2.0, beta) is a test tool, never a
dependency of backo: it lives in its own virtualenv, ``.secantus/`` (``make test-mongo``
creates it once), and runs as a separate process that this module starts and stops.
Nothing here imports it; the test process talks to it through pymongo, as to any mongod.

From Python::

    with secantus_server() as url:       # mongodb://127.0.0.1:<port>/backo_test
        ...                              # a fresh, empty server, stopped on exit

From the shell (``make test-mongo``)::

    python -m testkit.secantus [--server PATH] [--database NAME] -- COMMAND [ARG...]

starts a server, runs COMMAND with ``BACKO_TEST_MONGO_URL`` naming it, stops the server
(also when COMMAND fails or is interrupted) and exits with COMMAND's status.
"""

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pymongo.errors

#: Where ``make test-mongo`` installs the server: ``.secantus/`` next to ``.venv/``.
DEFAULT_SERVER = Path(__file__).resolve().parent.parent / ".secantus" / "bin" / "secantusd-py"
#: The environment variable the tests read (tests/support/backends.py).
MONGO_URL_VARIABLE = "BACKO_TEST_MONGO_URL"
#: Seconds to wait for a first ping (the server is usually ready in about 4 s).
START_TIMEOUT = 60.0
#: Seconds a stopped server gets to exit before it is killed.
STOP_TIMEOUT = 10.0
#: Start attempts: the free port picked may be taken by someone else before the server binds it.
ATTEMPTS = 3


class SecantusError(RuntimeError):
    """The server is not installed, exited before it answered, or did not answer in time."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ping(port: int) -> bool:
    """True if a MongoDB server answers ``ping`` on ``port`` of 127.0.0.1 (within half a second).

    A port nobody listens on yet is told at once by the socket, without the driver's wait.
    """
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) != 0:
            return False
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=500, connectTimeoutMS=500
    )
    try:
        client.admin.command("ping")
        return True
    except pymongo.errors.PyMongoError:
        return False
    finally:
        client.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process`` (SIGTERM, then SIGKILL after STOP_TIMEOUT) and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of the server's log, for an error message."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _start(server: Path, storage: Path, log: Path, timeout: float) -> tuple[subprocess.Popen[bytes], int] | None:
    """Start one server on a free port; the process and its port once it answers ``ping``.

    None if the process exited before answering (most likely its port was taken meanwhile).
    :raises SecantusError: it did not answer within ``timeout`` seconds (it is then stopped).
    """
    port = free_port()
    command = [str(server), "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(storage)]
    with log.open("ab") as output:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None
            if _ping(port):
                return process, port
            time.sleep(0.1)
    except BaseException:
        _stop(process)
        raise
    _stop(process)
    raise SecantusError(f"SecantusDB did not answer on port {port} within {timeout:g} s:\n{_tail(log)}")


@contextlib.contextmanager
def secantus_server(
    server: Path | str | None = None, *, database: str = "backo_test", timeout: float = START_TIMEOUT
) -> Iterator[str]:
    """Run a SecantusDB server with an empty temporary storage; yield its URL (naming ``database``).

    The server binds 127.0.0.1 on a free port, and is stopped and its storage deleted when
    the block exits, however it exits.

    :raises SecantusError: ``server`` (default :data:`DEFAULT_SERVER`) is missing, or the
        server exited or stayed silent instead of answering a ping.
    """
    executable = Path(server) if server is not None else DEFAULT_SERVER
    if not os.access(executable, os.X_OK):
        raise SecantusError(
            f"no SecantusDB server at {executable}: "
            "python -m venv .secantus && .secantus/bin/pip install 'SecantusDB==0.7.0b3' (or: make test-mongo)"
        )
    with tempfile.TemporaryDirectory(prefix="backo-secantus-") as root:
        log = Path(root) / "server.log"
        for _ in range(ATTEMPTS):
            started = _start(executable, Path(root) / "data", log, timeout)
            if started is not None:
                break
        else:
            raise SecantusError(f"SecantusDB exited before answering, {ATTEMPTS} times:\n{_tail(log)}")
        process, port = started
        try:
            yield f"mongodb://127.0.0.1:{port}/{database}?directConnection=true"
        finally:
            _stop(process)


def main(argv: list[str]) -> int:
    """``python -m testkit.secantus [--server PATH] [--database NAME] -- COMMAND...``."""
    cli = argparse.ArgumentParser(prog="python -m testkit.secantus", description=main.__doc__)
    cli.add_argument("--server", default=str(DEFAULT_SERVER), help="the secantusd-py executable")
    cli.add_argument("--database", default="backo_test", help="the database the URL names")
    cli.add_argument("--timeout", type=float, default=START_TIMEOUT, help="seconds to wait for the server")
    cli.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    arguments = cli.parse_args(argv)
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    if not command:
        cli.error("a command to run is required, after --")
    # A terminated run (a CI timeout) unwinds like Ctrl-C: the command is killed, the server stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        with secantus_server(arguments.server, database=arguments.database, timeout=arguments.timeout) as url:
            print(f"SecantusDB at {url}", flush=True)
            return subprocess.call(command, env={**os.environ, MONGO_URL_VARIABLE: url})
    except SecantusError as exc:
        print(f"testkit.secantus: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
