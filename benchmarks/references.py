"""Reference scenarios, on the library: a book's creation updates its author's RefsList, and
deleting an author deletes its books (``DeleteStrategy.DELETE_REFERENCED_ITEMS``).

The library holds ``Settings.authors`` authors sharing N books (N / authors each), plus
*victims*: authors of ``Settings.cascade_books`` books each, deleted by the cascade
scenario. Giving victims a fixed number of books makes the cost per deleted item
comparable across N; a regular author's family grows with N. Books created by
:func:`ref_create` stay in the library.
"""

from backo import NotFoundError

from .context import Bench, Library, Plan, cascade_calls, once
from .floors import meta_stamp


def _ref_create_plan(bench: Bench, library: Library) -> Plan:
    """Create books of random authors: backo's ``books.create`` against the floor's four storage calls."""
    authors = library.ids.authors
    count = bench.settings.ops
    picks = bench.rng.choices(range(len(authors)), k=2 * (count + 1))
    books = library.backoffice.books

    def backo(i: int) -> None:
        books.create({"title": f"new book {i}", "author": authors[picks[i]]})

    def floor(i: int) -> None:
        author_id = authors[picks[count + 1 + i]]
        book_id = library.books_floor.insert({"title": f"new book {i}", "author": author_id, "_meta": meta_stamp()})
        author = library.authors_floor.get(author_id)
        author["books"] = [*author["books"], book_id]
        author["_meta"] = meta_stamp(author["_meta"])
        library.authors_floor.replace(author_id, author)

    return Plan(
        unit="call",
        count=count,
        backo=once(backo),
        floor=once(floor),
        connectors=library.connectors,
        extra={"authors": len(authors), "books_per_author": bench.size // len(authors)},
    )


def ref_create(bench: Bench) -> Plan:
    """``books.create({..., "author": _id})``, which appends to the author's RefsList; floor: insert, read, write."""
    return _ref_create_plan(bench, bench.library())


def ref_create_many_authors(bench: Bench) -> Plan | None:
    """``ref_create`` in a library of 2,000 authors (smallest N only): target 5 compares the two."""
    settings = bench.settings
    if bench.size != min(settings.sizes):
        return None
    plan = _ref_create_plan(bench, bench.library(settings.authors_scaled))
    plan.note = f"{settings.authors_scaled} authors"
    return plan


def cascade_delete(bench: Bench) -> Plan:
    """``authors.get_by_id(_id).delete()`` deleting its books (cascade); per item deleted; floor: read, delete each."""
    library = bench.library()
    authors = library.backoffice.authors
    deleted_books: list[str] = []

    def backo(i: int) -> int:
        author = authors.get_by_id(library.victims_backo[i])
        books = list(author.books.get_value())
        author.delete()
        if i == 0:
            deleted_books.extend(books)
        return len(books) + 1

    def floor(i: int) -> int:
        _id = library.victims_floor[i]
        author = library.authors_floor.get(_id)
        for book in author["books"]:
            library.books_floor.delete(book)
        library.authors_floor.delete(_id)
        return len(author["books"]) + 1

    def finish() -> str | None:
        left = []
        for book in deleted_books:
            try:
                library.backoffice.books.db_handler.get_by_id(book)
            except NotFoundError:
                continue
            left.append(book)
        return f"the cascade left {len(left)} books" if left else None

    return Plan(
        unit="item",
        count=cascade_calls(bench.settings),
        backo=backo,
        floor=floor,
        connectors=library.connectors,
        finish=finish,
        extra={"books_per_author": bench.settings.cascade_books},
    )
