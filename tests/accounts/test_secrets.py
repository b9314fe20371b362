"""No password or hash in any answer (items, lists, selections, ``_meta``, errors) nor in any log record."""

import pytest

from .conftest import AUTH, BASE, PASSWORDS, Shop

USERS = f"{BASE}/users"


def _stored_hashes(shop: Shop) -> list[str]:
    documents = shop.accounts.users.db_handler.select(None)
    hashes = [document["password_hash"] for document in documents if document.get("password_hash")]
    assert len(hashes) == 3
    assert all(value.startswith("scrypt:") for value in hashes)
    return hashes


def _every_route_once(shop: Shop) -> list[str]:
    """Drive every route that shows users, and the accounts flows; returns the secrets used."""
    root, bob = shop.token("root"), shop.token("bob")
    bob_id = shop.ids["bob"]
    calls = [
        ("GET", USERS, root, None),
        ("GET", f"{USERS}/{bob_id}", root, None),
        ("GET", f"{USERS}/{bob_id}", bob, None),
        ("GET", f"{USERS}/_selections/_all", root, None),
        ("POST", f"{USERS}/_selections/_all", root, {"login": "bob"}),
        ("GET", f"{USERS}?login=bob", root, None),
        ("GET", f"{BASE}/_meta", None, None),
        ("GET", f"{BASE}/openapi", None, None),
        ("POST", f"{USERS}/_meta", root, {"login": "bob"}),
        ("POST", f"{USERS}/_check", root, {"path": "$.password_hash", "item": {}}),
        ("PUT", f"{USERS}/{bob_id}", root, {"email": "bob@new.org"}),
        ("PATCH", f"{USERS}/{bob_id}", root, [{"op": "replace", "path": "$.active", "value": True}]),
        ("POST", USERS, root, {"login": "dave", "email": "dave@example.org"}),
        ("POST", USERS, root, {"login": "alice"}),  # an error
        ("PUT", f"{USERS}/{bob_id}", root, {"password_hash": "x"}),  # an error
        ("POST", f"{AUTH}/login", None, {"login": "bob", "password": "not-bob-password"}),
        ("POST", f"{AUTH}/login", None, {"login": PASSWORDS["alice"], "password": PASSWORDS["alice"]}),
        ("POST", f"{AUTH}/password", bob, {"old_password": "guessed-password", "new_password": "bob-new-password"}),
        ("POST", f"{AUTH}/password", bob, {"old_password": PASSWORDS["bob"], "new_password": "bob-new-password"}),
        ("POST", f"{AUTH}/password-reset", None, {"login": "alice"}),
        ("POST", f"{AUTH}/users/{bob_id}/password", root, {"password": "set-by-the-admin"}),
        ("POST", f"{AUTH}/users/{bob_id}/password", root, {"password": "short"}),
        ("POST", f"{AUTH}/verify-email", shop.token("alice"), None),
    ]
    for method, path, token, body in calls:
        shop.call(method, path, token, json=body)
    reset = shop.last_sent("reset")
    shop.call("POST", f"{AUTH}/password-reset/confirm", json={"token": reset, "password": "alice-new-password"})
    shop.call("POST", f"{AUTH}/verify-email/confirm", json={"token": shop.last_sent("verify")})
    pair = shop.login("alice", "alice-new-password")
    refreshed = shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": pair["refresh_token"]})
    shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": pair["refresh_token"]})  # replayed: an error
    shop.call("POST", f"{AUTH}/logout", refreshed.json["access_token"])
    return [
        *PASSWORDS.values(),
        "bob-new-password",
        "set-by-the-admin",
        "alice-new-password",
        "not-bob-password",
        "guessed-password",
        reset,
        shop.last_sent("verify"),
        pair["refresh_token"],
    ]


def test_no_answer_and_no_log_record_holds_a_password_a_hash_or_a_one_time_token(
    shop: Shop, log_capture: pytest.LogCaptureFixture
) -> None:
    secrets = _every_route_once(shop)
    records = log_capture.records
    hashes = _stored_hashes(shop)
    logged = [record.getMessage() + " " + repr(record.args) for record in records]
    assert any("logged in" in line for line in logged), "the log was captured"
    answers = [body for body in shop.bodies if "refresh_token" not in body]  # token pairs hold a refresh token
    for secret in [*secrets, *hashes, "scrypt:"]:  # the field names are in the schema (_meta): not their values
        for body in answers:
            assert secret not in body, (secret, body[:200])
        for line in logged:
            assert secret not in line, (secret, line)
    for body in answers:
        if body.startswith('{"login"') or body.startswith('{"result"'):
            assert '"password_hash"' not in body and '"sessions_valid_after"' not in body, body[:200]


def test_the_hash_stays_stored_through_every_write(shop: Shop) -> None:
    root = shop.token("root")
    before = shop.accounts.user_document(shop.ids["bob"])["password_hash"]
    assert shop.call("PUT", f"{USERS}/{shop.ids['bob']}", root, json={"email": "b@b.org"}).status_code == 200
    assert shop.accounts.user_document(shop.ids["bob"])["password_hash"] == before
    shop.login("bob")
