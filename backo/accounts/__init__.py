"""Accounts: users, roles and permissions as backo collections, with logins and signed tokens.

Five lines give an application its accounts::

    bo = Backoffice("shop")
    accounts = install_accounts(bo, store=lambda name: DBYmlConnector(path=f"data/{name}"))
    app.config["BACKO_JWT_KEY"] = os.environ["JWT_KEY"]           # 32 bytes or more
    bo.build_routes(app, "api", jwt_auth=accounts.jwt_auth)       # current_user from the token
    accounts.build_routes(app, "api")                             # /api/shop/_accounts/login ...

Then ``current_user.has_permission("books.delete")`` works in every rights callable.
See ``docs/accounts.md``.

Layers: this package is domain code. It imports backo's core, storage and façade
(``backo.collection``), never Flask: the routes and the ``jwt_auth`` hook live in
:mod:`backo.http.accounts_routes`, reached only through :mod:`.facade`;
:mod:`.passwords` is the only module importing werkzeug (``werkzeug.security``), and
pyjwt is imported when the first token is made (:mod:`.jwt_support`).

Modules, one job each: :mod:`.install` (the collections and their rights), :mod:`.models`,
:mod:`.rights`, :mod:`.names`, :mod:`.options`, :mod:`.service` (login, sessions,
administration), :mod:`.recovery` (password reset, email verification), :mod:`.tokens`
and :mod:`.settings` (JWTs and their configuration keys), :mod:`.passwords`,
:mod:`.ratelimit`, :mod:`.revocation`, :mod:`.onetime`, :mod:`.records` (the flows'
state), :mod:`.principal`, :mod:`.errors`.

.. versionadded:: 0.3.0
"""

from .errors import AccountForbiddenError as AccountForbiddenError
from .errors import AccountsError as AccountsError
from .errors import AuthenticationError as AuthenticationError
from .errors import InvalidRequestError as InvalidRequestError
from .errors import KeyConfigurationError as KeyConfigurationError
from .errors import NotConfiguredError as NotConfiguredError
from .errors import SendingError as SendingError
from .errors import TooManyAttemptsError as TooManyAttemptsError
from .facade import Accounts as Accounts
from .install import install_accounts as install_accounts
from .names import AccountNames as AccountNames
from .options import AccountsOptions as AccountsOptions
from .passwords import PasswordHasher as PasswordHasher
from .principal import Principal as Principal
from .ratelimit import LoginPolicy as LoginPolicy
from .recovery import send_email_verification as send_email_verification
from .rights import SYSTEM_USER as SYSTEM_USER
from .rights import permission_name as permission_name
from .rights import rights_by_permission as rights_by_permission
from .rights import system as system

__all__ = [
    "SYSTEM_USER",
    "AccountForbiddenError",
    "AccountNames",
    "Accounts",
    "AccountsError",
    "AccountsOptions",
    "AuthenticationError",
    "InvalidRequestError",
    "KeyConfigurationError",
    "LoginPolicy",
    "NotConfiguredError",
    "PasswordHasher",
    "Principal",
    "SendingError",
    "TooManyAttemptsError",
    "install_accounts",
    "permission_name",
    "rights_by_permission",
    "send_email_verification",
    "system",
]
