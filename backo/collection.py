"""Collection: the domain :class:`BaseCollection` plus its documented HTTP-facing methods."""

from typing import Any

from .core.collection import BaseCollection


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

    def action_go(self, action_name: str, _id: str) -> Any:
        """Serve ``POST .../_actions/<name>/<_id>`` for the running request (a Flask response)."""
        from .http.views import action_view

        return action_view(self, action_name, _id)


Collection.__module__ = "backo.collection"
