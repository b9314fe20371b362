"""The admin UI on the quickstart (``make run``), driven in headless Chromium.

Users live at addresses (``users.addr`` is a required Ref, ``addrs.users`` the RefsList
that refuses the deletion of an inhabited address, MUST_BE_EMPTY).
"""

from typing import Any

import pytest
import requests
from playwright.sync_api import expect

ADMIN = "/myApp/_admin/"


def rest(base: str, method: str, path: str, body: Any = None) -> Any:
    """One call to the quickstart's REST API (what the UI shows is checked against it)."""
    response = requests.request(method, f"{base}/myApp{path}", json=body, timeout=10)
    assert response.ok, response.text
    return response.json()


def address(base: str, name: str) -> str:
    return rest(base, "POST", "/addrs", {"name": name, "address": f"{name} street"})["_id"]


@pytest.mark.timeout(30)
def test_the_home_page_lists_the_collections_with_the_users_rights(page: Any, quickstart_url: str) -> None:
    page.goto(quickstart_url + ADMIN)
    expect(page.get_by_role("heading", name="myApp back office")).to_be_visible()
    nav = page.get_by_role("navigation", name="Collections")
    expect(nav.get_by_role("link", name="users")).to_be_visible()
    expect(nav.get_by_role("link", name="addrs")).to_be_visible()
    expect(page.locator("main")).to_contain_text("users — you may read, create, modify, delete")


@pytest.mark.timeout(30)
def test_create_a_user_picking_the_address_from_the_other_collection(page: Any, quickstart_url: str) -> None:
    address(quickstart_url, "work")
    home = address(quickstart_url, "home")
    page.goto(quickstart_url + ADMIN + "#/c/users/new")
    page.get_by_label("name", exact=True).fill("John")
    page.get_by_label("surname").fill("Rambo")
    page.get_by_label("Search addrs for addr").fill("hom")  # the picker searches the addrs collection
    picker = page.get_by_label("addr (required)")
    expect(picker.locator("option")).to_have_count(2)  # "— none —" and home only
    picker.select_option(label=f"home ({home})")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#notice")).to_have_text("Created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("users: John")
    user_id = page.locator("dl.record dd").first.inner_text()
    assert rest(quickstart_url, "GET", f"/users/{user_id}")["addr"] == home
    assert rest(quickstart_url, "GET", f"/addrs/{home}")["users"] == [user_id]  # kept in sync by backo


@pytest.mark.timeout(30)
def test_an_api_error_is_shown_next_to_its_field_and_at_the_top(page: Any, quickstart_url: str) -> None:
    page.goto(quickstart_url + ADMIN + "#/c/users/new")
    page.get_by_label("name", exact=True).fill("Nobody")
    page.get_by_role("button", name="Create").click()  # addr is required
    field = page.locator('.field[data-path="$.addr"]')
    expect(field.locator(".field-error")).to_have_text('Cannot be empty "None"')
    expect(page.locator(".form-errors")).to_contain_text("Not saved. $.addr: Cannot be empty")
    expect(page.get_by_label("addr (required)")).to_have_attribute("aria-invalid", "true")
    assert "Traceback" not in page.locator("main").inner_text()
    assert rest(quickstart_url, "GET", "/users")["total"] == 0


@pytest.mark.timeout(30)
def test_list_pages_and_filters(page: Any, quickstart_url: str) -> None:
    home = address(quickstart_url, "home")
    for number in range(12):
        rest(quickstart_url, "POST", "/users", {"name": f"user-{number:02d}", "addr": home})
    page.goto(quickstart_url + ADMIN + "#/c/users")
    expect(page.locator("caption")).to_have_text("users: 12 items")
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Items 1–10 of 12")
    expect(page.locator("tbody tr")).to_have_count(10)
    pager.get_by_role("button", name="Next page").click()
    expect(pager).to_contain_text("Items 11–12 of 12")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(pager.get_by_role("button", name="Next page")).to_be_disabled()
    page.get_by_label("name (contains)", exact=True).fill("USER-1")  # contains, case-insensitive
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("caption")).to_have_text("users: 2 items")
    expect(page.locator("tbody")).to_contain_text("user-10")
    expect(page.locator("tbody")).to_contain_text("user-11")
    page.get_by_role("button", name="Clear").click()
    expect(page.locator("caption")).to_have_text("users: 12 items")


@pytest.mark.timeout(30)
def test_edit_a_user(page: Any, quickstart_url: str) -> None:
    home = address(quickstart_url, "home")
    user = rest(quickstart_url, "POST", "/users", {"name": "John", "addr": home})
    page.goto(quickstart_url + ADMIN + "#/c/users")
    page.get_by_role("link", name="John").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("users: John")
    page.get_by_label("surname", exact=True).fill("Rambo")
    page.get_by_label("male").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#notice")).to_have_text("Saved.")
    stored = rest(quickstart_url, "GET", f"/users/{user['_id']}")
    assert (stored["surname"], stored["male"], stored["addr"]) == ("Rambo", False, home)


@pytest.mark.timeout(30)
def test_deleting_an_inhabited_address_is_refused_and_shown(page: Any, quickstart_url: str) -> None:
    home = address(quickstart_url, "home")
    rest(quickstart_url, "POST", "/users", {"name": "John", "addr": home})
    empty = address(quickstart_url, "empty")
    page.goto(quickstart_url + ADMIN + f"#/c/addrs/i/{home}")
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("#delete-consequences")).to_have_text("Refused while users lists users items (1 now).")
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#delete-error")).to_have_text('Not deleted. Refused: Collection "users" not empty')
    assert rest(quickstart_url, "GET", f"/addrs/{home}")["users"]  # still there

    page.goto(quickstart_url + ADMIN + f"#/c/addrs/i/{empty}")
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("#delete-consequences")).to_have_text("Refused while users lists users items (0 now).")
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#notice")).to_have_text("Deleted.")
    expect(page.locator("caption")).to_have_text("addrs: 1 item")
