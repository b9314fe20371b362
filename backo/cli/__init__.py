"""``flask backo``: backo's command line, a Flask CLI command group.

Installed as the ``flask.commands`` entry point ``backo`` (``pyproject.toml``), so every
``flask`` command line of an application has it::

    flask --app myapp backo migrate books myapp.migrations:add_note --apply
    flask --app myapp backo check-integrity
    flask --app myapp backo openapi --output openapi.json
    flask --app myapp backo routes

Above backo.http (it uses ``app.extensions["backo"]``, :mod:`backo.http.app_config`) and
backo.core (migrations, summaries). See docs/cli.md.
"""

from .commands import backo_cli as backo_cli

__all__ = ["backo_cli"]
