"""The web back office: a generic admin UI drawn from ``_meta``, served by backo itself.

Turned on with ``backoffice.build_routes(flask_app, admin=True)``; nothing here is
imported otherwise, so applications that do not ask for it pay nothing. It serves, at
``{prefix}/{name}/_admin/``:

* one Jinja page (``templates/backo_admin/index.html``): the shell of the UI, with the
  REST base URL and whether the application authenticates (``jwt_auth``);
* its static files (``static/``): ``admin.js`` (one hand-written vanilla JavaScript file,
  no framework, no build step) and ``admin.css``.

The page holds no data: the script reads ``_meta?_rights=evaluated`` and talks only to the
application's own REST routes with ``fetch()`` (lists, items, ``_check``, actions,
selections, file downloads), so it has exactly the rights the API gives the user. See
docs/admin.md.

Modules::

    blueprint.py   register_admin(): the Flask blueprint of the page and its static files
"""

from .blueprint import register_admin

__all__ = ["register_admin"]
