"""Optional dependencies: the distribution's extras, and stand-ins for what is not installed.

``import backo`` needs none of pymongo, requests, python-magic (and its libmagic) or
psycopg: each comes with an extra of the distribution (:data:`EXTRAS`, the
``[project.optional-dependencies]`` of ``pyproject.toml``), and only the feature that uses
it fails without it. A module that needs one imports it as usual, inside ``try``, and on
``ImportError`` binds the names it imported to :func:`missing`::

    try:
        import requests
        from requests.adapters import HTTPAdapter
    except ImportError as error:  # the [rest] extra is not installed
        requests = HTTPAdapter = missing("requests", "rest", "DBRestfullConnector", error)

The stand-in is a class: it can be named in annotations, ``isinstance`` and ``except``
clauses, and its attributes are stand-ins too (``requests.Session``), so the module
imports. *Calling* it (building a client, a session, detecting a type) raises
:class:`~backo.error.MissingExtraError`, whose message names the install line::

    DBRestfullConnector needs requests, which is not installed (No module named 'requests'):
    pip install 'backoffice-kit[rest]'

This module imports nothing from backo but :mod:`backo.error`.
"""

from typing import Any, NoReturn

from backo.error import MissingExtraError

__all__ = ["DISTRIBUTION", "EXTRAS", "install_line", "missing", "missing_extra_error"]

#: The name this code is published and installed under. Not ``backo``: that name belongs to
#: the original project on PyPI, whose later releases are another library (docs/install.md).
DISTRIBUTION = "backoffice-kit"

#: Each extra and the modules it brings, as they are imported (``pyproject.toml`` is the source).
EXTRAS: dict[str, tuple[str, ...]] = {
    "mongo": ("pymongo", "bson"),
    "rest": ("requests",),
    "files": ("magic",),
    "postgres": ("psycopg", "psycopg_pool"),
    # pyjwt is a dependency; the extra adds `cryptography` for the asymmetric algorithms (RS256...)
    "accounts": ("jwt", "cryptography"),
}

#: What an extra needs besides its Python packages.
_SYSTEM_NEEDS: dict[str, str] = {
    "files": " (python-magic also needs the libmagic system library: apt install libmagic1, brew install libmagic)",
}


def install_line(extra: str) -> str:
    """The command that installs ``extra``: ``pip install 'backoffice-kit[mongo]'``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_extra_error(module: str, extra: str, feature: str, cause: BaseException | None = None) -> MissingExtraError:
    """The error saying that ``feature`` needs ``module``, from the extra ``extra``."""
    reason = f" ({cause})" if cause is not None else ""
    return MissingExtraError(
        "{0} needs {1}, which is not installed{2}: {3}{4}",
        feature, module, reason, install_line(extra), _SYSTEM_NEEDS.get(extra, ""),
    )  # fmt: skip


class _StandIn(type):
    """The type of the stand-ins: a class whose calls raise, whose attributes are stand-ins."""

    #: ``missing``'s arguments: each call builds a fresh error from them
    _missing: tuple[str, str, str, BaseException | None]

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):  # introspection (copy, typing...) gets the usual answer
            raise AttributeError(name)
        return _stand_in(f"{cls.__name__}.{name}", cls._missing)

    def __call__(cls, *args: Any, **kwargs: Any) -> NoReturn:
        raise missing_extra_error(*cls._missing)


def _stand_in(name: str, what: tuple[str, str, str, BaseException | None]) -> Any:
    # An Exception subclass, so that ``except stand_in`` (and tuples holding one) stays valid.
    return _StandIn(name, (Exception,), {"_missing": what, "__module__": __name__})


def missing(module: str, extra: str, feature: str, cause: BaseException | None = None) -> Any:
    """A stand-in for ``module`` (or a name imported from it) that could not be imported.

    ``extra`` is the extra that installs it, ``feature`` what needs it (named in the error),
    ``cause`` the ``ImportError`` (its text says why: not installed, or libmagic missing).
    """
    return _stand_in(module, (module, extra, feature, cause))
