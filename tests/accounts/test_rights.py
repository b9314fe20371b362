"""Rights: a user without a permission gets 403 from every route it protects; superusers pass everywhere."""

import pytest

from .conftest import AUTH, BASE, Shop

USERS = f"{BASE}/users"


@pytest.fixture
def book(shop: Shop) -> str:
    created = shop.call("POST", f"{BASE}/books", shop.token("root"), json={"title": "Dune"})
    assert created.status_code == 200
    return created.json["_id"]


def item_routes(collection: str, _id: str) -> list[tuple[str, str, dict | list | None]]:
    """Every route of a collection that reads or writes one of its Items."""
    return [
        ("POST", f"{BASE}/{collection}", {"title": "x", "name": "x", "login": "x"}),
        ("GET", f"{BASE}/{collection}/{_id}", None),
        ("PUT", f"{BASE}/{collection}/{_id}", {}),
        ("PATCH", f"{BASE}/{collection}/{_id}", [{"op": "replace", "path": "$.title", "value": "y"}]),
        ("DELETE", f"{BASE}/{collection}/{_id}", None),
    ]


def test_without_the_permission_every_route_of_the_collection_answers_403(shop: Shop, book: str) -> None:
    bob = shop.token("bob")
    for method, path, body in item_routes("books", book):
        assert shop.call(method, path, bob, json=body).status_code == 403, (method, path)
    listed = shop.call("GET", f"{BASE}/books", bob)
    assert listed.status_code == 200 and listed.json["result"] == [], "the list shows nothing (backo's rule)"


def test_a_role_grants_its_permissions_and_nothing_more(shop: Shop, book: str) -> None:
    alice = shop.token("alice")
    assert shop.call("GET", f"{BASE}/books/{book}", alice).status_code == 200
    assert shop.call("PUT", f"{BASE}/books/{book}", alice, json={"title": "Dune II"}).status_code == 200
    assert shop.call("DELETE", f"{BASE}/books/{book}", alice).status_code == 403
    assert [b["title"] for b in shop.call("GET", f"{BASE}/books", alice).json["result"]] == ["Dune II"]


def test_permissions_follow_the_stored_roles_on_the_next_request(shop: Shop, book: str) -> None:
    alice, root = shop.token("alice"), shop.token("root")
    role = shop.call("GET", f"{BASE}/roles", root).json["result"][0]
    grown = shop.call(
        "PUT", f"{BASE}/roles/{role['_id']}", root, json={"permissions": [*role["permissions"], "books.delete"]}
    )
    assert grown.status_code == 200
    assert shop.call("DELETE", f"{BASE}/books/{book}", alice).status_code == 200
    assert shop.call("PUT", f"{USERS}/{shop.ids['alice']}", root, json={"roles": []}).status_code == 200
    assert shop.call("GET", f"{BASE}/books", alice).json["result"] == []


def test_a_superuser_passes_every_right(shop: Shop, book: str) -> None:
    root = shop.token("root")
    for method, path, body in item_routes("books", book)[1:]:
        assert shop.call(method, path, root, json=body).status_code == 200, (method, path)
    for collection in ("users", "roles", "permissions", "revoked_tokens", "account_tokens", "login_attempts"):
        assert shop.call("GET", f"{BASE}/{collection}", root).status_code == 200, collection


def test_the_accounts_collections_answer_403_to_those_without_their_permissions(shop: Shop) -> None:
    bob = shop.token("bob")
    alice_id, bob_id = shop.ids["alice"], shop.ids["bob"]
    refused = [
        ("GET", USERS, None),
        ("GET", f"{USERS}/{alice_id}", None),
        ("POST", USERS, {"login": "mallory"}),
        ("PUT", f"{USERS}/{bob_id}", {"roles": ["librarian"]}),
        ("DELETE", f"{USERS}/{alice_id}", None),
        ("POST", f"{USERS}/_actions/revoke_sessions/{alice_id}", {}),
        ("POST", f"{AUTH}/users/{alice_id}/password", {"password": "taken-over-1"}),
        ("GET", f"{BASE}/roles", None),
        ("POST", f"{BASE}/roles", {"name": "mine", "permissions": ["books.delete"]}),
        ("GET", f"{BASE}/permissions", None),
        ("POST", f"{BASE}/permissions", {"name": "x"}),
        ("GET", f"{BASE}/login_attempts", None),
        ("GET", f"{BASE}/revoked_tokens", None),
    ]
    for method, path, body in refused:
        assert shop.call(method, path, bob, json=body).status_code == 403, (method, path)
    own = shop.call("GET", f"{USERS}/{bob_id}", bob)
    assert own.status_code == 200 and own.json["login"] == "bob", "a user reads its own account"


def test_a_user_manager_cannot_make_a_superuser_nor_touch_one(shop: Shop) -> None:
    shop.accounts.create_role("user-admin", ["users.read", "users.modify"])
    manager = shop.accounts.create_user("carol", "carol-password-1", roles=["user-admin"])._id.get_value()
    carol = shop.login("carol", "carol-password-1")["access_token"]
    assert shop.call("PUT", f"{USERS}/{shop.ids['bob']}", carol, json={"active": False}).status_code == 200
    assert shop.call("PUT", f"{USERS}/{shop.ids['bob']}", carol, json={"active": True}).status_code == 200
    assert shop.call("PUT", f"{USERS}/{manager}", carol, json={"superuser": True}).status_code == 403
    assert shop.call("PUT", f"{USERS}/{shop.ids['root']}", carol, json={"email": "me@evil.org"}).status_code == 403
    assert (
        shop.call(
            "POST", f"{AUTH}/users/{shop.ids['root']}/password", carol, json={"password": "taken-over-1"}
        ).status_code
        == 403
    )
    assert (
        shop.call(
            "POST", f"{AUTH}/users/{shop.ids['bob']}/password", carol, json={"password": "reset-by-admin"}
        ).status_code
        == 200
    )
    shop.login("bob", "reset-by-admin")


def test_nobody_writes_a_hash_or_the_sessions_stamp_over_http(shop: Shop) -> None:
    root = shop.token("root")
    for field, value in (("password_hash", "scrypt:1024:8:1$salt$00"), ("sessions_valid_after", 1.0)):
        assert shop.call("POST", USERS, root, json={"login": "eve", field: value}).status_code == 403, field
        assert shop.call("PUT", f"{USERS}/{shop.ids['bob']}", root, json={field: value}).status_code == 403, field
    shop.login("bob")


def test_superuser_actions_revoke_sessions_and_lift_a_lockout(shop: Shop) -> None:
    root, bob = shop.token("root"), shop.token("bob")
    assert shop.call("POST", f"{USERS}/_actions/revoke_sessions/{shop.ids['bob']}", root, json={}).status_code == 200
    assert shop.call("GET", f"{AUTH}/me", bob).status_code == 401
    for _ in range(5):
        shop.call("POST", f"{AUTH}/login", json={"login": "bob", "password": "wrong-password"})
    assert shop.call("POST", f"{AUTH}/login", json={"login": "bob", "password": "bob-password-1"}).status_code == 429
    for entry in shop.call("GET", f"{BASE}/login_attempts", root).json["result"]:
        if entry["subject"] == "account:bob":
            assert shop.call("DELETE", f"{BASE}/login_attempts/{entry['_id']}", root).status_code == 200
    shop.login("bob")


def test_logins_role_and_permission_names_are_unique(shop: Shop) -> None:
    root = shop.token("root")
    taken = shop.call("POST", USERS, root, json={"login": "alice"})
    assert taken.status_code == 400 and "already taken" in taken.text
    assert shop.call("POST", f"{BASE}/roles", root, json={"name": "librarian"}).status_code == 400
    assert shop.call("PUT", f"{USERS}/{shop.ids['bob']}", root, json={"login": "alice"}).status_code == 400
