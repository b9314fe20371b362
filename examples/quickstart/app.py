"""The README quickstart, runnable: ``python -m examples.quickstart.app`` (or ``make run``).

Backoffice "myApp" with two collections stored as YAML files under ``./data``: "users",
each living at one address (``addr``), and "addrs", which list their users; an address
cannot be deleted while someone lives there. Served on http://127.0.0.1:$PORT (5000 by
default), with the web back office at http://127.0.0.1:$PORT/myApp/_admin/ ::

    curl -X POST http://127.0.0.1:5000/myApp/addrs -H 'Content-Type: application/json' \\
         -d '{"name": "home", "address": "1 main street"}'
    curl -X POST http://127.0.0.1:5000/myApp/users -H 'Content-Type: application/json' \\
         -d '{"name": "John", "surname": "Rambo", "addr": "<the address _id>"}'
    curl 'http://127.0.0.1:5000/myApp/users?name.$re=Jo&_page=10'

There is no authentication here: every request acts as the anonymous user (see the
README's "Authentication" section for a ``jwt_auth`` hook that decodes a token). The
backoffice enforces the rights of its actions and selections (``enforce_rights=True``),
which backo 0.2.1 leaves unevaluated unless asked.
"""

import os
from pathlib import Path

from flask import Flask

from backo import (
    Backoffice,
    Bool,
    Collection,
    DBYmlConnector,
    DeleteStrategy,
    Item,
    Ref,
    RefsList,
    String,
    current_user,
)
from backo.current_user import ANONYMOUS_DATA

#: Where the YAML files go when the app is run from the command line.
DEFAULT_DATA_DIR = Path("data")
DEFAULT_PORT = 5000


def create_backoffice(data_dir: Path) -> Backoffice:
    """The quickstart's backoffice, storing its collections under ``data_dir`` (folders created)."""
    users_dir, addrs_dir = data_dir / "users", data_dir / "addrs"
    users_dir.mkdir(parents=True, exist_ok=True)
    addrs_dir.mkdir(parents=True, exist_ok=True)

    # enforce_rights: the can_see / can_execute / can_read rights of the actions and
    # selections registered here are evaluated (backo 0.2.1 leaves them off by default,
    # and build_routes warns about the ones it serves unenforced). See docs/authentication.rst.
    my_backoffice = Backoffice("myApp", enforce_rights=True)
    users = Collection(
        "users",
        Item(
            {
                "name": String(),
                "surname": String(),
                "addr": Ref(coll="addrs", field="$.users", required=True),
                "male": Bool(default=True),
            }
        ),
        DBYmlConnector(path=str(users_dir)),
    )
    my_backoffice.add_collection(users)
    addrs = Collection(
        "addrs",
        Item(
            {
                "name": String(),
                "address": String(),
                "users": RefsList(coll="users", field="$.addr", ods=DeleteStrategy.MUST_BE_EMPTY),
            }
        ),
        DBYmlConnector(path=str(addrs_dir)),
    )
    my_backoffice.register_collection(addrs)
    return my_backoffice


def act_as_anonymous() -> None:
    """``jwt_auth`` hook of this example: no authentication, every request is anonymous.

    A real application decodes a token here and calls ``current_user.set(...)`` with the
    user it names (or returns a 401 response).
    """
    current_user.set(dict(ANONYMOUS_DATA))


def create_app(data_dir: Path = DEFAULT_DATA_DIR) -> Flask:
    """The Flask application serving the quickstart backoffice under ``/myApp`` (admin UI at ``/myApp/_admin/``)."""
    flask_app = Flask(__name__)
    # admin=True: the web back office at /myApp/_admin/ (docs/admin.md)
    create_backoffice(Path(data_dir)).build_routes(flask_app, "", act_as_anonymous, admin=True)
    return flask_app


def main() -> None:
    """Serve the quickstart on 127.0.0.1, port ``$PORT`` (default 5000)."""
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    create_app().run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
