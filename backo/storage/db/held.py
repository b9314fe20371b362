"""The listing methods shared by stores that hold their documents in this process."""

import abc
from typing import Any

from .base import DBConnector
from .listing import apply_query, query_page
from .query import MatchFilter, clone


class HeldDocumentsConnector(DBConnector):
    """A store whose documents are Python dicts of this process (in memory, or a parse cache).

    It answers ``select``, ``select_page`` and ``select_for_reading`` from
    :meth:`_ordered`, every stored document in the order asked, shared, not copied: the
    copies it hands out are made here, for the documents that leave the store only.
    """

    @abc.abstractmethod
    def _ordered(self, sort_object: dict[str, int] | None) -> list[dict[str, Any]]:
        """Every stored document (the store's own objects) in the order of ``sort_object``."""

    def select(
        self,
        select_filter: MatchFilter,
        projection: dict[str, Any] | None = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        sort_object: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """See :meth:`DBConnector.select`: the page is filtered, sorted and projected, then copied."""
        ordered = self._ordered(sort_object)
        page = apply_query(ordered, select_filter, projection, page_size, num_of_element_to_skip, None)
        return [clone(document) for document in page]

    def select_page(
        self,
        select_filter: MatchFilter,
        page_size: int,
        num_of_element_to_skip: int,
        sort_object: dict[str, int] | None,
        *,
        count: bool = True,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """See :meth:`DBConnector.select_page`: only the page is copied (the total costs
        nothing more here, so it is given even with ``count=False``)."""
        page, total = query_page(self._ordered(sort_object), select_filter, page_size, num_of_element_to_skip, None)
        return [clone(document) for document in page], total

    def answers_exactly(self, select_filter: MatchFilter) -> bool:
        """True: every filter is evaluated here with :func:`~backo.storage.db.query.matches`
        itself, on the stored documents (see :meth:`DBConnector.answers_exactly`).

        A selection handing its filter down then scans the documents in Python still, but
        builds no Item and copies only the page.
        """
        return True

    def select_for_reading(
        self, select_filter: MatchFilter, sort_object: dict[str, int] | None
    ) -> list[dict[str, Any]]:
        """See :meth:`DBConnector.select_for_reading`: the stored documents themselves."""
        return query_page(self._ordered(sort_object), select_filter, 0, 0, None)[0]
