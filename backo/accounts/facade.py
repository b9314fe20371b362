"""``Accounts``: the accounts service plus what it needs from the HTTP edge (the façade).

The flows (:class:`~backo.accounts.service.AccountService`) know no web framework; this
class adds the Flask side, found in :mod:`backo.http.accounts_routes`, the way
:class:`backo.Backoffice` adds its routes to the domain backoffice.
"""

from collections.abc import Callable
from typing import Any

from .service import AccountService


class Accounts(AccountService):
    """The accounts of a backoffice, as :func:`~backo.accounts.install_accounts` returns them.

    Example::

        accounts = install_accounts(bo, store=lambda name: DBMemoryConnector())
        app.config["BACKO_JWT_KEY"] = "a long random secret, 32 bytes or more"
        bo.build_routes(app, jwt_auth=accounts.jwt_auth)
        accounts.build_routes(app)                 # POST /<bo>/_accounts/login ...
    """

    @property
    def jwt_auth(self) -> Callable[[], Any]:
        """The hook for ``build_routes(..., jwt_auth=)``: the bearer token's user becomes
        ``current_user`` (with its permissions); no token: the anonymous user; a bad token: 401."""
        from backo.http.accounts_routes import make_jwt_auth

        return make_jwt_auth(self, anonymous=True)

    @property
    def jwt_required(self) -> Callable[[], Any]:
        """Like :attr:`jwt_auth`, but a request without a token is refused too (401)."""
        from backo.http.accounts_routes import make_jwt_auth

        return make_jwt_auth(self, anonymous=False)

    def build_routes(self, flask_app: Any, prefix: str = "") -> None:
        """Add the accounts routes under ``/<prefix>/<backoffice>/_accounts/`` (see :doc:`accounts`)."""
        from backo.http.accounts_routes import register

        register(self, flask_app, prefix)
