"""A throwaway PostgreSQL cluster on 127.0.0.1, for the tests and the benchmarks.

The cluster is made by the server binaries installed on the machine (``pg_config --bindir``,
else the newest ``/usr/lib/postgresql/*/bin``, else ``initdb`` on PATH), in a temporary
folder: ``initdb`` (trust authentication, UTF-8, C locale), then ``pg_ctl start`` with
fsync off, listening on 127.0.0.1 on a free port only, its unix socket in the temporary
folder. PostgreSQL refuses to run as root: when this process is root, the binaries run as
the ``postgres`` OS user (``runuser -u postgres --``), who owns the temporary folder.
The cluster is stopped (``pg_ctl stop -m immediate``) and its folder deleted when the block
exits, however it exits. Ready in about 2 s.

From Python::

    with postgres_server() as url:      # postgresql://postgres@127.0.0.1:<port>/postgres
        ...

From the shell::

    python -m testkit.postgres -- COMMAND [ARG...]

starts a cluster, runs COMMAND with ``BACKO_TEST_POSTGRES_URL`` (and
``BACKO_BENCH_POSTGRES_URL``) naming it, stops it and exits with COMMAND's status.
"""

import argparse
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: The environment variable naming an existing server for the tests (no cluster started then).
POSTGRES_URL_VARIABLE = "BACKO_TEST_POSTGRES_URL"
#: The one the benchmarks read.
BENCH_POSTGRES_URL_VARIABLE = "BACKO_BENCH_POSTGRES_URL"
#: Seconds initdb and pg_ctl start each get.
START_TIMEOUT = 60
#: Seconds pg_ctl stop gets.
STOP_TIMEOUT = 30
#: Start attempts: the free port picked may be taken by someone else before the server binds it.
ATTEMPTS = 3
#: The OS user the binaries run as when this process is root.
SERVER_USER = "postgres"


class PostgresError(RuntimeError):
    """The server binaries are not installed, or the cluster could not be made or started."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _has_server(bindir: Path) -> bool:
    return (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file() and (bindir / "postgres").is_file()


def server_bindir() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``, or None if PostgreSQL's server is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        try:
            answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False)
            if answer.returncode == 0 and answer.stdout.strip():
                candidates.append(Path(answer.stdout.strip()))
        except (OSError, subprocess.TimeoutExpired):
            pass
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_of, reverse=True)
    candidates.extend(Path(path) for path in versions)
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    return next((bindir for bindir in candidates if _has_server(bindir)), None)


def _version_of(bindir: str) -> tuple[int, ...]:
    """``/usr/lib/postgresql/15/bin`` -> (15,): the newest version first."""
    version = Path(bindir).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _as_server_user(command: list[str]) -> list[str]:
    """``command`` run as :data:`SERVER_USER` when this process is root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresError("running as root, and runuser is missing: PostgreSQL refuses to run as root")
    return [runuser, "-u", SERVER_USER, "--", *command]


def _run(command: list[str], timeout: float) -> None:
    """Run a server command; raise PostgresError with its output if it fails or times out."""
    try:
        answer = subprocess.run(
            _as_server_user(command),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise PostgresError(f"{command[0]} did not finish within {timeout:g} s") from error
    if answer.returncode != 0:
        raise PostgresError(f"{' '.join(command)} failed ({answer.returncode}):\n{answer.stdout}{answer.stderr}")


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _prepare(root: Path) -> None:
    """Let the server user own the temporary folder (when root runs the binaries as that user)."""
    if os.geteuid() == 0:
        shutil.chown(root, user=SERVER_USER)
    root.chmod(0o700)


@contextlib.contextmanager
def postgres_server(*, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Run a new, empty PostgreSQL cluster; yield its connection string (database ``postgres``).

    :raises PostgresError: the server binaries are missing, or initdb or the start failed.
    """
    bindir = server_bindir()
    if bindir is None:
        raise PostgresError(
            "PostgreSQL's server is not installed (no initdb/pg_ctl in `pg_config --bindir`, "
            "/usr/lib/postgresql/*/bin or PATH): apt-get install -y postgresql"
        )
    root = Path(tempfile.mkdtemp(prefix="backo-pg-"))
    try:
        _prepare(root)
        data, sockets, log = root / "data", root / "sockets", root / "server.log"
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            + ["--no-locale", "--no-sync", "--no-instructions"],
            timeout,
        )
        _run(["mkdir", "-p", str(sockets)], timeout)
        port = _start(bindir, data, sockets, log, timeout)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            with contextlib.suppress(PostgresError):
                _run([str(bindir / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate", "-w"], STOP_TIMEOUT)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(bindir: Path, data: Path, sockets: Path, log: Path, timeout: float) -> int:
    """Start the cluster on a free port (a few attempts); return the port."""
    failure: PostgresError | None = None
    for _ in range(ATTEMPTS):
        port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        command = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(int(timeout))]
        try:
            _run([*command, "-o", options, "start"], timeout + 5)
            return port
        except PostgresError as error:
            failure = error
    raise PostgresError(f"PostgreSQL did not start, {ATTEMPTS} times: {failure}\n{_tail(log)}")


def main(argv: list[str]) -> int:
    """``python -m testkit.postgres -- COMMAND...``: run COMMAND next to a throwaway cluster."""
    parser = argparse.ArgumentParser(prog="python -m testkit.postgres", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    arguments = parser.parse_args(argv)
    command = [part for part in arguments.command if part != "--"] or ["true"]
    with postgres_server() as url:
        environment = {**os.environ, POSTGRES_URL_VARIABLE: url, BENCH_POSTGRES_URL_VARIABLE: url}
        return subprocess.call(command, env=environment)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
