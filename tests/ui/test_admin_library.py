"""The admin UI on a richer model (tests/ui/library.py): files, an action, rights, jwt_auth.

A librarian and a reader sign in with their token (sent as ``Authorization: Bearer``).
"""

import os
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from .library import LIBRARIAN_TOKEN, READER_TOKEN

ADMIN = "/library/_admin/"
COVER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "_static" / "admin"


def rest(base: str, method: str, path: str, body: Any = None, token: str = LIBRARIAN_TOKEN) -> Any:
    response = requests.request(
        method, f"{base}/library{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.ok, response.text
    return response.json()


def a_book(base: str, title: str = "Dune") -> tuple[str, str]:
    """An author and one of their books (ids), made through the API."""
    author = rest(base, "POST", "/authors", {"name": "Frank Herbert", "born": 1920})["_id"]
    book = rest(base, "POST", "/books", {"title": title, "author": author, "price": 9.5, "shelf_note": "B12"})
    return author, book["_id"]


def sign_in(page: Any, base: str, token: str, where: str = "") -> None:
    page.goto(base + ADMIN + where)
    expect(page.locator("#view")).not_to_have_attribute("aria-busy", "true")
    if not page.locator("#auth-box").evaluate("box => box.open"):  # opened by itself on a 401
        page.locator("#auth-box summary").click()
    page.get_by_label("Token sent as Authorization: Bearer").fill(token)
    page.get_by_role("button", name="Use token").click()
    expect(page.locator("#token-state")).to_have_text("(set)")


@pytest.mark.timeout(30)
def test_without_a_token_the_admin_asks_for_one(page: Any, library_url: str) -> None:
    page.goto(library_url + ADMIN)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Not signed in: Token is missing or invalid")
    expect(page.get_by_label("Token sent as Authorization: Bearer")).to_be_focused()
    page.get_by_label("Token sent as Authorization: Bearer").fill(READER_TOKEN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="library back office")).to_be_visible()


@pytest.mark.timeout(40)
def test_a_librarian_creates_a_book_with_a_cover_and_downloads_it(page: Any, library_url: str, tmp_path: Path) -> None:
    rest(library_url, "POST", "/authors", {"name": "Ursula K. Le Guin", "born": 1929})
    sign_in(page, library_url, LIBRARIAN_TOKEN, "#/c/books/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New books item")
    expect(page.locator('.field[data-path="$.title"] .hint')).to_have_text("The title, as printed on the cover")
    page.get_by_label("title (required)").fill("The Dispossessed")
    page.get_by_label("Search authors for author").fill("ursula")
    page.get_by_label("author (required)").select_option(index=1)
    page.get_by_label("format").select_option("ebook")
    page.get_by_label("pages").fill("387")
    page.get_by_label("published").fill("1974-05-01T10:00:00")
    page.get_by_label("tags").fill("utopia\nscience fiction")
    page.get_by_label("isbn").fill("978-0-06-051275-4")
    cover = tmp_path / "cover.png"
    cover.write_bytes(COVER)
    page.get_by_label("cover").set_input_files(str(cover))
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#notice")).to_have_text("Created.")
    book_id = page.locator("dl.record dd").first.inner_text()
    stored = rest(library_url, "GET", f"/books/{book_id}")
    assert (stored["format"], stored["pages"], stored["tags"]) == ("ebook", 387, ["utopia", "science fiction"])
    assert stored["details"]["isbn"] == "978-0-06-051275-4" and stored["published"].startswith("1974-05-01T10:00:00")
    assert stored["cover"]["filename"] == "cover.png" and stored["cover"]["size"] == len(COVER)
    expect(page.locator(".file-info")).to_contain_text(f"cover.png — {len(COVER)} bytes")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download cover.png").click()
    download = downloading.value
    assert download.suggested_filename == "cover.png"
    assert Path(download.path()).read_bytes() == COVER


@pytest.mark.timeout(30)
def test_check_errors_are_shown_live_while_typing(page: Any, library_url: str) -> None:
    rest(library_url, "POST", "/authors", {"name": "Frank Herbert"})
    sign_in(page, library_url, LIBRARIAN_TOKEN, "#/c/books/new")
    pages, title = page.get_by_label("pages"), page.get_by_label("title (required)")
    title_error = page.locator('.field[data-path="$.title"] .field-error')
    pages_error = page.locator('.field[data-path="$.pages"] .field-error')
    pages.fill("0")  # _check reports the first error of the whole form: the empty title
    expect(title_error).to_have_text('Cannot be empty "None"')
    title.fill("Dune")
    expect(title_error).to_have_text("")
    expect(page.locator('.field[data-path="$.author"] .field-error')).to_have_text('Cannot be empty "None"')
    page.get_by_label("author (required)").select_option(index=1)
    expect(pages_error).to_contain_text("Must be above Minimal")  # then pages, below its minimum
    expect(pages).to_have_attribute("aria-invalid", "true")
    pages.fill("12")
    expect(pages_error).to_have_text("")
    expect(pages).not_to_have_attribute("aria-invalid", "true")
    assert rest(library_url, "GET", "/books")["total"] == 0  # nothing was submitted


@pytest.mark.timeout(30)
def test_a_librarian_runs_the_borrow_action(page: Any, library_url: str) -> None:
    _, book = a_book(library_url)
    sign_in(page, library_url, LIBRARIAN_TOKEN, f"#/c/books/i/{book}")
    page.get_by_role("button", name="borrow…").click()
    page.get_by_role("button", name="Run borrow").click()  # borrower is required
    expect(page.locator('.action-form .field[data-path="$.borrower"] .field-error')).to_have_text(
        'Cannot be empty "None"'
    )
    page.get_by_label("borrower (required)").fill("Alice")
    page.get_by_role("button", name="Run borrow").click()
    expect(page.locator("#notice")).to_have_text("Action borrow done.")
    expect(page.get_by_label("available")).not_to_be_checked()
    expect(page.get_by_label("borrower", exact=True)).to_have_value("Alice")
    assert rest(library_url, "GET", f"/books/{book}")["available"] is False


@pytest.mark.timeout(30)
def test_a_reader_sees_less_and_is_offered_only_what_is_allowed(page: Any, library_url: str) -> None:
    author, book = a_book(library_url)
    sign_in(page, library_url, READER_TOKEN, "#/c/authors")
    expect(page.locator("caption")).to_have_text("authors: 1 item")
    expect(page.get_by_role("link", name="New authors item")).to_have_count(0)  # can_create: librarians

    page.goto(library_url + ADMIN + f"#/c/books/i/{book}")
    expect(page.get_by_role("heading", level=1)).to_have_text("books: Dune")
    expect(page.get_by_label("price")).to_have_attribute("readonly", "")  # can_modify: librarians
    expect(page.locator('.field[data-path="$.price"] .hint')).to_have_text("read-only")
    expect(page.get_by_label("shelf_note")).to_have_count(0)  # can_read: librarians
    expect(page.locator("main")).not_to_contain_text("B12")
    expect(page.get_by_role("button", name="borrow…")).to_have_count(0)  # can_execute: librarians
    expect(page.get_by_role("button", name="Delete…")).to_have_count(0)  # can_delete: librarians
    page.get_by_label("title (required)").fill("Dune Messiah")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#notice")).to_have_text("Saved.")
    assert rest(library_url, "GET", f"/books/{book}")["price"] == 9.5

    sign_in(page, library_url, LIBRARIAN_TOKEN, f"#/c/books/i/{book}")
    expect(page.get_by_label("shelf_note")).to_have_value("B12")
    expect(page.get_by_role("button", name="Delete…")).to_be_visible()
    page.goto(library_url + ADMIN + f"#/c/authors/i/{author}")
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("#delete-consequences")).to_have_text("Refused while books lists books items (1 now).")


@pytest.mark.timeout(30)
def test_keyboard_only_on_a_narrow_screen(browser: Any, library_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        sign_in(page, library_url, LIBRARIAN_TOKEN, "#/c/authors")
        expect(page.locator("caption")).to_have_text("authors: 0 items")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], "the page scrolls sideways on a narrow screen"
        page.get_by_role("link", name="New authors item").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("New authors item")
        page.keyboard.press("Tab")  # from the focused heading to the first field
        expect(page.get_by_label("name (required)")).to_be_focused()
        page.keyboard.type("Octavia E. Butler")
        page.keyboard.press("Enter")  # submits the form
        expect(page.locator("#notice")).to_have_text("Created.")
    finally:
        context.close()


@pytest.mark.timeout(40)
def test_screenshots_of_the_main_pages(page: Any, library_url: str, tmp_path: Path) -> None:
    """The docs' screenshots; written into docs/_static/admin/ only with BACKO_UPDATE_SCREENSHOTS=1."""
    target = SCREENSHOTS if os.environ.get("BACKO_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    author, book = a_book(library_url)
    rest(library_url, "POST", "/books", {"title": "Children of Dune", "author": author, "pages": 444, "tags": ["sf"]})
    sign_in(page, library_url, LIBRARIAN_TOKEN, "#/c/books")
    expect(page.locator("caption")).to_have_text("books: 2 items")
    shots = {"list.png": None}
    page.screenshot(path=str(target / "list.png"), full_page=True)
    page.goto(library_url + ADMIN + f"#/c/books/i/{book}")
    page.get_by_role("button", name="borrow…").click()
    page.get_by_label("pages").fill("0")  # title is set: the live check names pages
    expect(page.locator('.field[data-path="$.pages"] .field-error')).to_contain_text("Minimal")
    page.screenshot(path=str(target / "detail.png"), full_page=True)
    shots["detail.png"] = None
    page.goto(library_url + ADMIN + "#/c/books/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New books item")
    page.screenshot(path=str(target / "create.png"), full_page=True)
    shots["create.png"] = None
    page.goto(library_url + ADMIN + f"#/c/authors/i/{author}")
    page.get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#delete-error")).to_contain_text("Not deleted.")
    page.screenshot(path=str(target / "delete-refused.png"), full_page=True)
    shots["delete-refused.png"] = None
    for name in shots:
        assert (target / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
