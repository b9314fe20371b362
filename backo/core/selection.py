"""Selection: a named, filtered, paginated list of a collection's Items (or of some of their fields)."""

from collections.abc import Callable
from typing import Any

from stricto import SRightError, SSyntaxError, validation_parameters

from backo.error import DBError
from backo.log import SELECT, get_logger
from backo.options import parse_options
from backo.storage.db.query import clone

from .addon import CollectionAddon
from .counts import ESTIMATED, EXACT, count_strategy_of, list_answer
from .counts import NONE as NO_COUNT
from .enforcement import ENFORCE_RIGHTS, backoffice_enforces, declares, evaluate_right
from .filters import merge_filters, resolve_filter
from .prefilter import prefilter
from .regex_filters import compile_for_collection

log = get_logger(SELECT)

SELECTION_OPTIONS: dict[str, Any] = {
    "can_read|read": {"type": bool | Callable, "default": True},
    "filter": dict | tuple | Callable,
    "db_filter": dict | Callable,
    ENFORCE_RIGHTS: {"type": bool, "default": False},
}

#: The sort a selection asks the connector for unless told otherwise.
DEFAULT_SORT = {"_id": 1}


class Selection(CollectionAddon):
    """A preset query on a collection, served at ``/<app>/<coll>/_selections/<name>``.

    Example::

        borrowed = Selection(["$.title", "$.borrow.user.login"], filter={"borrowed": True})
        books.register_selection("borrowed", borrowed)

    ``selectors`` picks fields (``"$._id"`` is put first when missing); None returns whole
    Items. ``filter`` (a match filter, or a callable returning one) always applies;
    ``db_filter`` (a dict, or a callable returning one) is handed to the connector.
    ``can_read`` decides who may run the selection; extra keywords are extra rights. As
    in 0.2.1 the rights are evaluated only once enabled (:meth:`enable_permissions`);
    ``enforce_rights=True`` enables them here, and ``Backoffice(name, enforce_rights=True)``
    enforces those of every selection it serves (see :mod:`backo.core.enforcement`).
    """

    @validation_parameters
    def __init__(self, selectors: list[str] | None = None, **kwargs: Any) -> None:
        options = parse_options(kwargs, SELECTION_OPTIONS, strict=False)
        CollectionAddon.__init__(self, read=options["can_read"], **kwargs)
        if options[ENFORCE_RIGHTS]:
            self.enable_permissions()
        else:
            self.disable_permissions()
        if selectors is not None and "$._id" not in selectors:
            selectors.insert(0, "$._id")
        #: the field selectors of each result row, or None for whole Items
        self.selectors = selectors
        self.filter = options["filter"]
        self.db_filter = options["db_filter"]

    # 0.2.1's private names, read by published code
    @property
    def _selectors(self) -> list[str] | None:
        return self.selectors

    @property
    def _filter(self) -> Any:
        return self.filter

    @property
    def _db_filter(self) -> Any:
        return self.db_filter

    def enable_permissions(self) -> None:
        """Evaluate this selection's rights from now on (``can_read`` then refuses with 403)."""
        self._permissions.enable()

    def disable_permissions(self) -> None:
        """Stop evaluating this selection's rights (the default: every right is True)."""
        self._permissions.disable()

    def rights_enforced(self) -> bool:
        """Tell whether ``can_read`` is evaluated (enabled, or enforced by the backoffice)."""
        return self._permissions.get_permissions_status() is True or backoffice_enforces(self.backoffice)

    def declares_rights(self) -> bool:
        """Tell whether ``can_read`` is something else than ``True``."""
        return declares(self._permissions, ("read",))

    def is_allowed_to(self, right_name: str, root: Any = None) -> bool | None:
        """Evaluate ``right_name`` for ``root``: True while rights are not enforced, else
        True, False, or None if the answer is not a bool."""
        return evaluate_right(self._permissions, right_name, root, backoffice_enforces(self.backoffice))

    def can_read(self) -> bool:
        """Tell whether the current user may run this selection (True while rights are not enforced)."""
        return self.is_allowed_to("read", None) is True

    def get_schema(self) -> dict:
        """The selection as ``_meta`` shows it: rights and selectors."""
        return {"rights": self.get_rights_schema(), "selectors": self.selectors}

    def select(
        self,
        match_filter: Any = None,
        page_size: int = 0,
        num_of_element_to_skip: int = 0,
        db_sort_object: dict = DEFAULT_SORT,
        *,
        for_client: bool = False,
    ) -> dict:
        """Run the selection: ``{"result": [...], "total": n, "_skip": s, "_page": p}``.

        ``total`` counts every matching Item the user may read; ``result`` holds the page
        (``page_size`` 0 means everything). Items are built only for the page: documents
        are matched on their stored values when the model is plain (see
        :mod:`backo.core.plain_model`). When the filter means the same on the stored
        documents and the store says it evaluates it exactly, the store filters, sorts,
        counts and pages in one ``select_page`` call (the pushdown: see
        :meth:`_pushed_filter`); the answer is the same either way. ``total`` follows the
        collection's count strategy (see :mod:`backo.core.counts`). With ``for_client`` the rows of whole Items are
        their JSON-ready dicts (what the routes send), else Items. Regular expressions
        (``$reg``) run on the collection's engine, re2 unless it chose Python's ``re``
        (see :mod:`backo.core.regex_filters`).

        :raises SRightError: the user may not run this selection.
        :raises FilterError: a regular expression of the filter is refused (too long, or
            re2 cannot run it), before any document is read.
        """
        if self.collection is None:
            raise SSyntaxError(
                'The selection "{0}" is not registered into a collection. (miss register_selection ?)', self.name
            )
        if not self.can_read():
            raise SRightError("Execute {0} selection is forbidden", self.name)
        collection = self.collection
        effective_filter = compile_for_collection(merge_filters(self.filter, match_filter), collection)
        db_filter = resolve_filter(self.db_filter) or None
        readable = collection.is_strictly_allowed_to("read") is True
        plain = collection.plain_model() if readable else None
        client_rows = plain if for_client and self.selectors is None else None
        strategy = count_strategy_of(collection)
        if not effective_filter and readable:
            return self._from_store(db_filter, page_size, num_of_element_to_skip, db_sort_object, client_rows, strategy)
        pushed = self._pushed_filter(plain, effective_filter, db_filter, page_size, num_of_element_to_skip)
        if pushed is not None:
            log.debug("selection %s: filter handed to the store", self.name)
            return self._from_store(pushed, page_size, num_of_element_to_skip, db_sort_object, client_rows, strategy)
        documents = collection.db_handler.select_for_reading(db_filter, db_sort_object)
        if not isinstance(documents, list):
            raise DBError('select "{0}" return a database error (not a list)', self.name)
        test = None if plain is None else plain.matcher(effective_filter)
        # without a count, reading stops at the end of the page
        last = num_of_element_to_skip + page_size if strategy == NO_COUNT and page_size > 0 else None
        result, total = [], 0
        for document in prefilter(documents, collection.model, effective_filter):
            if last is not None and total >= last:
                break
            # documents are the store's own: read, never mutated, copied before an Item holds one
            record = None if test is None or plain is None else plain.read(document, validated=False)
            item = None
            if record is not None and test is not None:  # a record is only read when there is a test
                if not test(record):
                    continue
            else:
                item = collection.item_from_document(clone(document), validate=False)
                if collection.is_allowed_to("read", item) is not True or not item.match(effective_filter):
                    continue
            if total >= num_of_element_to_skip and (page_size == 0 or total < num_of_element_to_skip + page_size):
                if client_rows is not None and record is not None:
                    result.append(record)
                else:
                    result.append(self._row(clone(document) if item is None else item, None))
            total += 1
        if strategy == NO_COUNT:
            return list_answer(result, None, num_of_element_to_skip, page_size, NO_COUNT)
        return list_answer(result, total, num_of_element_to_skip, page_size)

    def _pushed_filter(self, plain: Any, effective_filter: Any, db_filter: Any, page_size: int, skip: int) -> Any:
        """The filter to hand to the store's ``select_page`` in place of matching in Python, or None.

        Only when the answer is certain to be the same (see :mod:`backo.core.plain_model.pushdown`):
        the collection's read right is True (``plain`` is only given then), its model is
        plain, the filter means the same on the stored documents as on the Items, the
        store evaluates it exactly (:meth:`DBConnector.answers_exactly`), and the page is
        one the store cuts as this loop does (no negative size or skip). The selection's
        ``db_filter``, which the store evaluates in either case, joins it: ``("$and", [db_filter, filter])``.
        """
        if plain is None or page_size < 0 or skip < 0 or not plain.pushable(effective_filter):
            return None
        merged = effective_filter if db_filter is None else ("$and", [db_filter, effective_filter])
        return merged if self.collection.db_handler.answers_exactly(merged) is True else None

    def _from_store(
        self,
        select_filter: Any,
        page_size: int,
        skip: int,
        sort: dict,
        client_rows: Any,
        strategy: str,
    ) -> dict:
        """The answer of one ``select_page`` call: the store filters, sorts, pages and counts.

        The count follows the collection's strategy (see :mod:`backo.core.counts`): an
        unfiltered ``"estimated"`` list takes the store's estimate when it has one, and
        ``"none"`` asks for no count.
        """
        db_handler = self.collection.db_handler
        counted, estimate = EXACT, None
        if strategy == ESTIMATED and select_filter is None:
            estimate = db_handler.estimated_count()
            if isinstance(estimate, int) and not isinstance(estimate, bool):
                counted = ESTIMATED
        elif strategy == NO_COUNT:
            counted = NO_COUNT
        if counted == EXACT:
            page, total = db_handler.select_page(select_filter, page_size, skip, sort)
        else:
            page, _ = db_handler.select_page(select_filter, page_size, skip, sort, count=False)
            total = estimate if counted == ESTIMATED else None
        result = [self._row(document, client_rows) for document in page]  # the page is a copy already
        return list_answer(result, total, skip, page_size, counted)

    def _row(self, source: Any, client_rows: Any) -> Any:
        """One result from a document the row may keep (or an Item already built from it).

        With ``client_rows`` (a PlainModel) the client's record when it can tell, else
        the Item itself, or the values of the selectors.
        """
        if isinstance(source, dict):
            record = None if client_rows is None else client_rows.read(source, False)
            if record is not None:
                return record
            source = self.collection.item_from_document(source, validate=False)
        return source if self.selectors is None else source.multi_select(self.selectors)
