"""The ``flask backo`` command group: ``migrate``, ``copy``, ``check-integrity``, ``openapi``, ``routes``.

Flask's CLI finds the application as ``flask`` always does (``--app``, ``FLASK_APP``,
``app.py``/``wsgi.py``), and these commands find its backoffice in
``app.extensions["backo"]`` (:meth:`~backo.Backoffice.init_app`), or through
``--backoffice module:attribute`` for an application that calls ``build_routes`` itself.

Exit status: 0 when all is well; 1 when the command found problems (objects that cannot
be migrated, inconsistent references) or a store failed; 2 for a usage error (unknown
collection, a function that does not import...). Reports go to stdout, the progress bar
to stderr. See docs/cli.md.
"""

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from stricto import StrictoError
from werkzeug.utils import ImportStringError, import_string

from backo.core.migration import REPORT, migrate_collection
from backo.http.app_config import find_backoffice
from backo.http.routes import blueprint_name
from backo.storage.db.base import DBConnector

from .progress import ProgressBar
from .report import integrity_lines, migration_lines

__all__ = ["backo_cli"]

#: Examples shown per kind of change or problem, unless ``--examples`` says otherwise.
DEFAULT_EXAMPLES = 5
#: The exit status of a command that found problems.
PROBLEMS_FOUND = 1

_examples_option = click.option(
    "--examples", default=DEFAULT_EXAMPLES, show_default=True, metavar="N",
    help="Examples shown per kind of finding (-1: all).",
)  # fmt: skip


def _echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


@contextlib.contextmanager
def _store_errors(what: str) -> Iterator[None]:
    """A store that fails (backo's ``DBError``, any stricto error) ends the command: exit 1, its message."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, StrictoError):
            raise
        raise click.ClickException(f"{what}: {exc}") from exc


def _backoffice(ctx: click.Context) -> Any:
    """The backoffice the group's ``--backoffice`` names (or the only one)."""
    try:
        return find_backoffice(current_app, ctx.find_root().meta.get("backo.backoffice"))
    except LookupError as exc:
        raise click.UsageError(str(exc), ctx) from exc


def _collection(ctx: click.Context, backoffice: Any, name: str) -> Any:
    """The collection ``name`` of ``backoffice``; a usage error naming the others if there is none."""
    collection = backoffice.collections.get(name)
    if collection is None:
        raise click.BadParameter(
            f'no collection "{name}" (there are: {", ".join(backoffice.collections)})', ctx, param_hint="COLLECTION"
        )
    return collection


def _remember_backoffice(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().meta["backo.backoffice"] = value


_backoffice_option = click.option(
    "--backoffice", "-b", metavar="NAME|MODULE:ATTR", expose_value=False, callback=_remember_backoffice,
    help="The backoffice: a name given to init_app, or an import path (default: the only one).",
)  # fmt: skip


@click.group("backo", cls=AppGroup)
@_backoffice_option
def backo_cli() -> None:
    """backo's commands: migrations, integrity check, OpenAPI document, routes (docs/cli.md)."""


# --- migrate ------------------------------------------------------------------------------


def _migration_function(ctx: click.Context, value: str | None) -> Callable | None:
    """``value`` imported: done once the application is loaded (its folder is then on ``sys.path``)."""
    if value is None:
        return None
    try:
        function = import_string(value)
    except ImportStringError as exc:
        raise click.BadParameter(f'cannot import "{value}": {exc.exception}', ctx, param_hint="FUNCTION") from exc
    if not callable(function):
        raise click.BadParameter(f'"{value}" is not callable', ctx, param_hint="FUNCTION")
    return function


def _ids(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[str] | None:
    """``--ids a --ids b,c``: ``["a", "b", "c"]``; None (every object) when not given."""
    ids = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return ids or None


def _run(collection: Any, function: Callable | None, ids: list[str] | None, dry_run: bool, label: str) -> Any:
    with ProgressBar(label) as progress:
        return migrate_collection(collection, function, ids, dry_run=dry_run, on_error=REPORT, on_progress=progress)


@backo_cli.command("migrate")
@click.argument("collection")
@click.argument("function", required=False, metavar="[MODULE:FUNCTION]")
@click.option("--apply/--dry-run", default=False, help="Write the changes (default: a dry run, nothing written).")
@click.option("--ids", multiple=True, callback=_ids, metavar="ID[,ID...]", help="Only these objects (repeatable).")
@_examples_option
@_backoffice_option
@click.pass_context
def migrate_command(
    ctx: click.Context, collection: str, function: str | None, apply: bool, ids: list[str] | None, examples: int
) -> None:
    """Pass the stored objects of COLLECTION through FUNCTION and check them against the model.

    FUNCTION ("package.module:function") takes a stored document (a dict) and returns it
    changed; without it, the objects are only checked. A dry run by default. Every object
    is checked first: if one cannot be migrated, the command lists them all, writes
    nothing and exits 1. With --apply it then writes the objects that change.
    """
    backoffice = _backoffice(ctx)
    migration = _migration_function(ctx, function)
    target = _collection(ctx, backoffice, collection)
    with _store_errors(collection):
        checked = _run(target, migration, ids, True, f"Checking {collection}")
        ready = apply and not checked.failures.get_value()
        changed = checked.changes._ids.get_value() if ready else []
        written = _run(target, migration, changed, False, f"Writing {collection}") if changed else checked
    _echo(migration_lines(collection, written, applied=ready, examples=examples))
    ctx.exit(PROBLEMS_FOUND if written.failures.get_value() else 0)


# --- copy ---------------------------------------------------------------------------------


def _target_connector(ctx: click.Context, value: str) -> DBConnector:
    """The store ``value`` names: a DBConnector, or a callable returning one (imported once the app is loaded)."""
    try:
        found = import_string(value)
    except ImportStringError as exc:
        raise click.BadParameter(f'cannot import "{value}": {exc.exception}', ctx, param_hint="TARGET") from exc
    if not isinstance(found, DBConnector) and callable(found):
        with _store_errors(value):
            found = found()
    if not isinstance(found, DBConnector):
        raise click.BadParameter(
            f'"{value}" is neither a DBConnector nor a callable returning one', ctx, param_hint="TARGET"
        )
    return found


@backo_cli.command("copy")
@click.argument("collection")
@click.argument("target", metavar="MODULE:CONNECTOR")
@_backoffice_option
@click.pass_context
def copy_command(ctx: click.Context, collection: str, target: str) -> None:
    """Copy every stored document of COLLECTION into the empty store CONNECTOR, ids kept.

    CONNECTOR ("package.module:name") is a DBConnector, or a function returning one (for
    example a DBSQLiteConnector on a new file). Documents are copied as stored; the counts
    are checked at the end. Exits 1 if the target is not empty or a store fails.
    """
    backoffice = _backoffice(ctx)
    source = _collection(ctx, backoffice, collection)
    connector = _target_connector(ctx, target)
    with _store_errors(collection), ProgressBar(f"Copying {collection}") as progress:
        report = backoffice.copy_collection(source, connector, on_progress=progress)
    click.echo(
        f"{collection}: {report.copied} documents copied to {type(connector).__name__} "
        f"({report.target_total} in the target, {progress.rate():.0f} documents/s)"
    )


# --- check-integrity ----------------------------------------------------------------------


@backo_cli.command("check-integrity")
@_examples_option
@_backoffice_option
@click.pass_context
def check_integrity_command(ctx: click.Context, examples: int) -> None:
    """Check that every reference points at an existing object that points back.

    Prints how many problems of each kind, with examples; exits 1 if there is any.
    """
    backoffice = _backoffice(ctx)
    with _store_errors(str(backoffice.name)):
        problems = backoffice.check_integrity()
    _echo(integrity_lines(str(backoffice.name), problems, examples))
    ctx.exit(PROBLEMS_FOUND if problems else 0)


# --- openapi ------------------------------------------------------------------------------


@backo_cli.command("openapi")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write it to this file.")
@click.option("--indent", default=2, show_default=True, help="JSON indentation.")
@_backoffice_option
@click.pass_context
def openapi_command(ctx: click.Context, output: str | None, indent: int) -> None:
    """Print (or write) the OpenAPI 3 document of the backoffice's routes."""
    document = _backoffice(ctx).get_openapi()
    text = json.dumps(document, indent=indent, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8") as file:
        file.write(text)
    click.echo(f"{output}: OpenAPI {document.get('openapi', '')}, {len(document.get('paths', {}))} paths")


# --- routes -------------------------------------------------------------------------------


@backo_cli.command("routes")
@_backoffice_option
@click.pass_context
def routes_command(ctx: click.Context) -> None:
    """List the backoffice's routes on this application: method, URL rule, endpoint."""
    backoffice = _backoffice(ctx)
    blueprints = {blueprint_name(str(backoffice.name), str(name)) for name in backoffice.collections}
    prefixes = [current_app.blueprints[name].url_prefix for name in blueprints if name in current_app.blueprints]
    bases = {prefix.rpartition("/")[0] for prefix in prefixes if prefix}
    own = {f"{base}/{tail}" for base in bases for tail in ("_meta", "openapi")}
    rows = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] in blueprints or rule.rule in own:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                rows.append((method, rule.rule, rule.endpoint))
    if not rows:
        raise click.ClickException(f'the routes of "{backoffice.name}" are not on this application (build_routes?)')
    rows.sort(key=lambda row: (row[1], row[0]))
    width = max(len(row[1]) for row in rows)
    for method, path, endpoint in rows:
        click.echo(f"{method:<7} {path:<{width}}  {endpoint}")
