"""Collection: the domain :class:`BaseCollection` plus its documented HTTP-facing methods."""

from typing import Any

from .core.collection import BaseCollection, as_id


class Collection(BaseCollection):
    """A "table": an Item model, a database connector, rights, actions and selections.

    Example::

        books = Collection("books", Item({"title": String()}), DBYmlConnector(path="data/books"),
                           can_delete=lambda right, book: current_user.has_role("ADMIN"))
        bookstore.register_collection(books)
    """

    def get_openapi_routes(self) -> dict[str, Any]:
        """The OpenAPI ``paths`` of this collection's routes."""
        from .http.openapi import collection_paths

        return collection_paths(self)

    def get_openapi_schemas(self) -> dict[str, Any]:
        """The OpenAPI component ``schemas`` of this collection's model."""
        from .http.openapi import collection_schemas

        return collection_schemas(self)

    def do_selection(self, _selection_name: str) -> Any:
        """Serve ``GET .../_selections/<name>`` for the running request (a Flask response)."""
        from .http.views import selection_view

        return selection_view(self, _selection_name, from_body=False)

    def do_post_selection(self, _selection_name: str) -> Any:
        """Serve ``POST .../_selections/<name>`` for the running request (a Flask response)."""
        from .http.views import selection_view

        return selection_view(self, _selection_name, from_body=True)

    @property
    def _openapi(self) -> dict[str, Any]:
        """0.2.1's private name of this collection's OpenAPI ``paths`` (:meth:`get_openapi_routes`):
        empty until the routes are built."""
        return self.get_openapi_routes()

    def action_go(self, _action_name: str | None = None, _id: Any = None, *, action_name: str | None = None) -> Any:
        """Serve ``POST .../_actions/<name>/<_id>`` for the running request (a Flask response).

        ``_action_name`` is 0.2.1's parameter name; ``action_name=`` works too. ``_id`` may
        be an Item's ``_id`` (a stricto String).
        """
        from .http.views import action_view

        name = action_name if _action_name is None else _action_name
        if name is None or _id is None:
            raise TypeError("action_go() needs the action name (_action_name) and the _id")
        return action_view(self, name, as_id(_id))
