"""pyjwt, imported when a token is first made or read: ``import backo`` does not need it.

pyjwt comes with the ``accounts`` extra; without it, the first token raises
:class:`~backo.error.MissingExtraError` naming the install line.
"""

import importlib
from types import ModuleType

from backo.extras import missing_extra_error

#: The extra that brings pyjwt.
EXTRA = "accounts"


def require_jwt() -> ModuleType:
    """The ``jwt`` module (pyjwt).

    :raises MissingExtraError: pyjwt is not installed (``pip install 'backoffice-kit[accounts]'``).
    """
    try:
        return importlib.import_module("jwt")
    except ImportError as error:
        raise missing_extra_error("pyjwt", EXTRA, "backo.accounts (signed tokens)", error) from error
