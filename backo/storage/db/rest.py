"""The base of database connectors that talk to a REST API: :class:`DBRestfullConnector`.

Each operation is one HTTP request sent by :meth:`DBRestfullConnector._request`, inside
:func:`_rest_errors`, which turns every ``requests`` error into
:class:`~backo.error.NotFoundError` (HTTP 404) or :class:`~backo.error.DBError` (anything
else) with ``raise ... from exc``.

Differences from backo 0.2.1, all deliberate:

* ``delete_by_id`` returns True, as documented (0.2.1 returned None).
* ``restriction`` is refused with DBError, as on the other stores that cannot enforce it
  (0.2.1 silently ignored it).
* A user name or password in the base URI is URL-quoted (0.2.1 broke on ``@`` or ``:``).
* ``get_by_id`` raises DBError when the API answers something that is not an object.
* :meth:`DBRestfullConnector.close` closes the HTTP session.
"""

import contextlib
from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from backo.error import DBError, NotFoundError
from backo.extras import missing
from backo.locks import write_lock_released
from backo.log import DB_RESTFULL, get_logger
from backo.options import parse_options

from .base import DBConnector
from .query import MatchFilter

try:  # the [rest] extra; without it, stand-ins that raise MissingExtraError once used (backo.extras)
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
except ImportError as _error:  # (mypy checks the names as requests')
    requests = HTTPAdapter = Retry = missing("requests", "rest", "DBRestfullConnector and DBRedirect", _error)  # type: ignore[misc]

_log = get_logger(DB_RESTFULL)

#: Seconds to wait for the API, per request.
REQUEST_TIMEOUT = 30

_CONNECTOR_OPTIONS: dict[str, Any] = {
    "host": {"type": str | None, "default": "localhost"},
    "port": int | None,
    "tls": {"type": bool, "default": False},
    "validate_cert": {"type": bool, "default": True},
    "prefix": {"type": str, "default": "api/v1"},
    "username": str | None,
    "password": str | None,
    "auth_token": str | None,
    "restriction": object,
}

#: The endpoint options every operation accepts as keyword arguments (non-strict).
#: ``method`` and ``data`` are accepted for compatibility and ignored.
ENDPOINT_OPTIONS: dict[str, Any] = {
    "endpoint": str | None,
    "method": object,
    "url_parameters": list | None,
    "query_options": dict | None,
    "data": object,
}

_CREATED = frozenset({200, 201, 202})
_DELETED = frozenset({200, 202, 204})
_READ = frozenset({200})


@dataclass(frozen=True)
class EndpointCall:
    """Where one operation sends its request: endpoint, path parameters, query string."""

    #: The endpoint, relative to the connector's base URI ("" for the base URI itself).
    endpoint: str
    #: Appended to the endpoint, each URL-quoted, as ``/p1/p2``.
    url_parameters: list[Any]
    #: The query string, or None.
    query_options: dict[str, Any] | None

    @classmethod
    def from_options(cls, kwargs: dict[str, Any], default_parameters: list[Any]) -> "EndpointCall":
        """Parse the endpoint options of one call; no ``url_parameters``: the defaults."""
        options = parse_options(dict(kwargs), ENDPOINT_OPTIONS, strict=False)
        return cls(
            endpoint=options["endpoint"] or "",
            url_parameters=list(options["url_parameters"] or default_parameters),
            query_options=options["query_options"],
        )


@contextlib.contextmanager
def _rest_errors(endpoint: str, not_found: tuple[Any, ...]) -> Iterator[None]:
    """Turn the ``requests`` error raised inside into NotFoundError (404) or DBError.

    ``not_found`` holds the NotFoundError message format and its arguments.
    """
    try:
        yield
    except requests.HTTPError as exc:
        response = getattr(exc, "response", None)
        status = None if response is None else response.status_code
        _log.debug("%s: HTTP %s %s", endpoint, status, "" if response is None else response.text[:500])
        if status == 404:
            raise NotFoundError(*not_found) from exc
        raise DBError('Endpoint "{0}" error', endpoint) from exc
    except requests.RequestException as exc:
        _log.debug("%s: %r", endpoint, exc)
        raise DBError('Endpoint "{0}" error', endpoint) from exc


def _base_uri(options: dict[str, Any]) -> str:
    """``{scheme}://{user:password@}{host}{:port}{/prefix}`` from the connector options."""
    scheme = "https" if options["tls"] else "http"
    auth = ""
    if options["username"]:
        auth = quote(options["username"], safe="")
        if options["password"]:
            auth += ":" + quote(options["password"], safe="")
        auth += "@"
    port = "" if options["port"] is None else f":{options['port']}"
    prefix = options["prefix"].strip("/")
    return f"{scheme}://{auth}{options['host'] or 'localhost'}{port}{'/' + prefix if prefix else ''}"


def _body(response: requests.Response) -> Any:
    """The response body: parsed JSON, else the text; None when empty."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:  # requests.JSONDecodeError: not JSON
        return response.text


class DBRestfullConnector(DBConnector):
    """A connector whose documents live behind a REST API (abstract).

    Subclasses implement :meth:`drop` and :meth:`select` (the latter usually by calling
    ``super().select(...)`` with their endpoint) and may override :meth:`_clean_data` to
    reshape what the API returns. The other operations map to one request each:

    =====================  =================================================
    ``create(o)``          ``POST {endpoint}`` with ``o``; the answer's ``_id``
    ``save(_id, o)``       ``PUT {endpoint}/{_id}`` with ``o``
    ``get_by_id(_id)``     ``GET {endpoint}/{_id}``
    ``delete_by_id(_id)``  ``DELETE {endpoint}/{_id}``
    ``select(...)``        ``GET {endpoint}``: a list, or ``{"result": [...]}``
    =====================  =================================================

    Every operation takes the endpoint options as keyword arguments: ``endpoint``,
    ``url_parameters`` (replace ``[_id]``), ``query_options``; ``method`` and ``data``
    are accepted and ignored. Requests carry ``Authorization: Bearer {auth_token}`` when
    a token is set, time out after 30 s, and connection failures are retried 3 times.

    Example::

        class Books(DBRestfullConnector):
            def drop(self, **kwargs): raise DBError("no drop")
            def select(self, select_filter, *args, **kwargs):
                return super().select(select_filter, *args, endpoint="books", **kwargs)

        db = Books(host="api.example.org", tls=True, prefix="v2", auth_token=token)
        db.get_by_id("42", endpoint="books")   # GET https://api.example.org/v2/books/42
    """

    generates_ids_from_items = False  # generate_id never looks at the Item: random ids (the remote keeps its own)

    def __init__(self, **kwargs: Any) -> None:
        options = parse_options(kwargs, _CONNECTOR_OPTIONS, strict=False)
        super().__init__(restriction=options["restriction"])
        self._reject_restriction("rest")
        self.host: str | None = options["host"]
        self.port: int | None = options["port"]
        self.tls: bool = options["tls"]
        self.validate_cert: bool = options["validate_cert"]
        self.prefix: str = options["prefix"]
        self.username: str | None = options["username"]
        self.password: str | None = options["password"]
        self.auth_token: str | None = options["auth_token"]
        #: The base URI every endpoint is relative to.
        self._uri = _base_uri(options)
        self._session = requests.Session()
        self._session.mount(self._uri, HTTPAdapter(max_retries=Retry(connect=3, backoff_factor=0.5)))

    def close(self) -> None:
        """Close the HTTP session (its pooled connections)."""
        self._session.close()

    # -- one request -------------------------------------------------------------------

    def _url(self, call: EndpointCall) -> str:
        url = self._uri
        endpoint = call.endpoint.strip("/")
        if endpoint:
            url += "/" + endpoint
        return url + "".join("/" + quote(str(parameter), safe="") for parameter in call.url_parameters)

    def _request(
        self, method: str, call: EndpointCall, not_found: tuple[Any, ...], data: Any = None
    ) -> tuple[int, Any]:
        """Send one request; return ``(status, body)`` (see :func:`_body`).

        4xx/5xx answers and transport failures raise (see :func:`_rest_errors`), a 404
        as ``NotFoundError(*not_found)``. backo's write lock is released while waiting for
        the answer: the API may be served by this very process, or write into folders this
        process locks (see :mod:`backo.locks`).
        """
        headers = {"Authorization": f"Bearer {self.auth_token}"} if self.auth_token else {}
        verify = self.validate_cert if self.tls else None  # None: requests' default
        _log.debug("%s %s %s %s", method, call.endpoint, call.url_parameters, call.query_options)
        with _rest_errors(call.endpoint, not_found), write_lock_released():
            response = self._session.request(
                method.upper(),
                self._url(call),
                params=call.query_options,
                json=data,
                headers=headers,
                timeout=REQUEST_TIMEOUT,
                verify=verify,
            )
            response.raise_for_status()
        return response.status_code, _body(response)

    def _clean_data(self, data: Any) -> Any:
        """Reshape one object received from the API (a hook for subclasses; identity here)."""
        return data

    # -- the DBConnector contract --------------------------------------------------------

    @abstractmethod
    def drop(self, **kwargs: Any) -> None:
        """Remove everything behind the endpoint, if the API allows it."""

    def create(self, o: dict[str, Any], **kwargs: Any) -> str:
        """``POST`` ``o``; return the ``_id`` of the object the API answers with."""
        call = EndpointCall.from_options(kwargs, [])
        status, body = self._request("POST", call, ('Create endpoint "{0}" not found', call.endpoint), o)
        if status not in _CREATED:
            raise DBError('REST API returned status "{0}" while creating object', status)
        if isinstance(body, dict) and body.get("_id") is not None:
            return str(body["_id"])
        raise DBError("REST API create response does not contain _id")

    def save(self, _id: str, o: dict[str, Any], **kwargs: Any) -> None:
        """``PUT`` ``o`` at ``{endpoint}/{_id}``; NotFoundError if the API answers 404."""
        call = EndpointCall.from_options(kwargs, [_id])
        status, _ = self._request("PUT", call, ('_id "{0}" not found', _id), o)
        if status not in _CREATED:
            raise DBError('REST API returned status "{0}" while saving object "{1}', status, _id)

    def get_by_id(self, _id: str, **kwargs: Any) -> dict[str, Any]:
        """See :meth:`DBConnector.get_by_id`."""
        call = EndpointCall.from_options(kwargs, [_id])
        status, body = self._request("GET", call, ('_id "{0}" not found', _id))
        if status not in _READ:
            raise DBError('REST API returned status "{0}" while getting object "{1}', status, _id)
        if not isinstance(body, dict):
            raise DBError('REST API returned no object for _id "{0}"', _id)
        data: dict[str, Any] = self._clean_data(body)
        return data

    def delete_by_id(self, _id: str, **kwargs: Any) -> bool:
        """``DELETE`` ``{endpoint}/{_id}``; True. NotFoundError if the API answers 404."""
        call = EndpointCall.from_options(kwargs, [_id])
        status, _ = self._request("DELETE", call, ('_id "{0}" not found', _id))
        if status not in _DELETED:
            # 0.2.1's text, "saving" included.
            raise DBError('REST API returned status "{0}" while saving object "{1}', status, _id)
        return True

    @abstractmethod
    def select(
        self,
        select_filter: MatchFilter,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """``GET`` the endpoint and return its list of objects (call it through ``super()``).

        This implementation ignores filter, projection, pagination and sort: what they
        mean depends on the API. The answer may be a list, ``{"result": [...]}`` (backo's
        list format) or empty.
        """
        call = EndpointCall.from_options(kwargs, [])
        status, body = self._request("GET", call, ('Endpoint "{0}" not found', call.endpoint))
        if status not in _READ:
            raise DBError('selection error "{0}"', status)
        if body is None:
            return []
        if isinstance(body, dict) and isinstance(body.get("result"), list):
            body = body["result"]
        if not isinstance(body, list):
            raise DBError('select endpoint "{0}" return non understandable dict', call.endpoint)
        return [self._clean_data(element) for element in body]
