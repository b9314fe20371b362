"""The accounts flows over HTTP: login, refresh, logout, change password, reset, email verification."""

import pytest

from backo import current_user

from .conftest import AUTH, BASE, PASSWORDS, Shop, make_shop


def test_login_gives_a_token_pair_and_the_token_user_is_the_current_user(shop: Shop) -> None:
    pair = shop.login("alice")
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900
    assert pair["user"]["login"] == "alice" and "password_hash" not in pair["user"]
    created = shop.call("POST", f"{BASE}/books", pair["access_token"], json={"title": "Dune"})
    assert created.status_code == 200, created.text
    assert created.json["_meta"]["created_by"] == {"_id": shop.ids["alice"], "login": "alice"}
    me = shop.call("GET", f"{AUTH}/me", pair["access_token"]).json
    assert me["permissions"] == ["books.create", "books.modify", "books.read"] and me["superuser"] is False


def test_wrong_password_and_unknown_login_get_the_same_401(shop: Shop) -> None:
    wrong = shop.call("POST", f"{AUTH}/login", json={"login": "alice", "password": "nope-nope"})
    unknown = shop.call("POST", f"{AUTH}/login", json={"login": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json == {"error": "Invalid login or password"}
    assert shop.call("POST", f"{AUTH}/login", json={"login": "alice"}).status_code == 400


def test_refresh_rotates_and_a_replayed_refresh_token_closes_the_session(shop: Shop) -> None:
    first = shop.login("alice")
    second = shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert shop.call("GET", f"{BASE}/books", second.json["access_token"]).status_code == 200
    replay = shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and "already used" in replay.json["error"]
    assert shop.call("GET", f"{BASE}/books", second.json["access_token"]).status_code == 401, "the session is closed"
    assert shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": second.json["refresh_token"]}).status_code == 401


def test_an_access_token_is_no_refresh_token_and_back(shop: Shop) -> None:
    pair = shop.login("alice")
    assert shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": pair["access_token"]}).status_code == 401
    assert shop.call("GET", f"{BASE}/books", pair["refresh_token"]).status_code == 401


def test_logout_revokes_every_token_of_the_session_only(shop: Shop) -> None:
    one, other = shop.login("alice"), shop.login("alice")
    assert shop.call("POST", f"{AUTH}/logout", one["access_token"]).status_code == 200
    assert shop.call("GET", f"{BASE}/books", one["access_token"]).status_code == 401
    assert shop.call("POST", f"{AUTH}/refresh", json={"refresh_token": one["refresh_token"]}).status_code == 401
    assert shop.call("GET", f"{BASE}/books", other["access_token"]).status_code == 200, "another session stays"
    assert shop.call("POST", f"{AUTH}/logout", json={"refresh_token": other["refresh_token"]}).status_code == 200
    assert shop.call("GET", f"{BASE}/books", other["access_token"]).status_code == 401


def test_tokens_and_revocations_are_shared_by_processes_on_the_same_store(shop: Shop, store_factory) -> None:
    if store_factory.kind != "yml":
        pytest.skip("only files are shared between processes")
    other_process = make_shop(store_factory, users=False)  # the same folders, new connectors and objects
    kept, dropped = shop.login("alice"), shop.login("alice")
    assert shop.call("POST", f"{AUTH}/logout", dropped["access_token"]).status_code == 200
    assert other_process.call("GET", f"{BASE}/books", kept["access_token"]).status_code == 200
    assert other_process.call("GET", f"{BASE}/books", dropped["access_token"]).status_code == 401


def test_change_password_needs_the_old_one_and_ends_the_other_sessions(shop: Shop) -> None:
    pair = shop.login("alice")
    token = pair["access_token"]
    body = {"old_password": "wrong-password", "new_password": "a-new-password-1"}
    assert shop.call("POST", f"{AUTH}/password", token, json=body).status_code == 401
    short = {"old_password": PASSWORDS["alice"], "new_password": "short"}
    assert shop.call("POST", f"{AUTH}/password", token, json=short).status_code == 400
    changed = shop.call(
        "POST", f"{AUTH}/password", token, json={"old_password": PASSWORDS["alice"], "new_password": "a-new-password-1"}
    )
    assert changed.status_code == 200
    assert shop.call("GET", f"{BASE}/books", token).status_code == 401, "the old session ended"
    assert shop.call("GET", f"{BASE}/books", changed.json["access_token"]).status_code == 200
    assert (
        shop.call("POST", f"{AUTH}/login", json={"login": "alice", "password": PASSWORDS["alice"]}).status_code == 401
    )
    shop.login("alice", "a-new-password-1")


def test_password_reset_is_single_use_and_answers_the_same_for_unknown_accounts(shop: Shop) -> None:
    old_session = shop.token("bob")
    unknown = shop.call("POST", f"{AUTH}/password-reset", json={"login": "nobody"})
    known = shop.call("POST", f"{AUTH}/password-reset", json={"email": "bob@example.org"})
    assert unknown.status_code == known.status_code == 202 and unknown.json == known.json
    assert [(kind, user["login"]) for kind, user, _ in shop.sent] == [("reset", "bob")]
    assert "password_hash" not in shop.sent[0][1]
    token = shop.last_sent("reset")
    confirm = f"{AUTH}/password-reset/confirm"
    assert shop.call("POST", confirm, json={"token": token, "password": "short"}).status_code == 400
    assert shop.call("POST", confirm, json={"token": "forged", "password": "brand-new-pass"}).status_code == 401
    assert shop.call("POST", confirm, json={"token": token, "password": "brand-new-pass"}).status_code == 200
    assert shop.call("POST", confirm, json={"token": token, "password": "another-pass-1"}).status_code == 401
    assert shop.call("GET", f"{BASE}/books", old_session).status_code == 401, "sessions end with a reset"
    shop.login("bob", "brand-new-pass")


def test_a_new_reset_token_replaces_the_pending_one_and_tokens_expire(shop: Shop, monkeypatch) -> None:
    shop.call("POST", f"{AUTH}/password-reset", json={"login": "bob"})
    first = shop.last_sent("reset")
    shop.call("POST", f"{AUTH}/password-reset", json={"login": "bob"})
    second = shop.last_sent("reset")
    confirm = f"{AUTH}/password-reset/confirm"
    assert shop.call("POST", confirm, json={"token": first, "password": "brand-new-pass"}).status_code == 401
    import backo.accounts.onetime as onetime

    later = onetime.time.time() + 7200
    monkeypatch.setattr(onetime.time, "time", lambda: later)
    expired = shop.call("POST", confirm, json={"token": second, "password": "brand-new-pass"})
    assert expired.status_code == 401 and "expired" in expired.json["error"]


def test_email_verification_flow_and_a_changed_email_is_unverified_again(shop: Shop) -> None:
    token = shop.token("bob")
    assert shop.call("POST", f"{AUTH}/verify-email", token).status_code == 202
    verification = shop.last_sent("verify")
    done = shop.call("POST", f"{AUTH}/verify-email/confirm", json={"token": verification})
    assert done.status_code == 200 and done.json["user"]["email_verified"] is True
    assert shop.call("POST", f"{AUTH}/verify-email/confirm", json={"token": verification}).status_code == 401
    root = shop.token("root")
    bob_url = f"{BASE}/users/{shop.ids['bob']}"
    assert shop.call("GET", bob_url, root).json["email_verified"] is True
    changed = shop.call("PUT", bob_url, root, json={"email": "bob@elsewhere.org"})
    assert changed.status_code == 200 and changed.json["email_verified"] is False


def test_login_can_require_a_verified_email_and_refuses_disabled_accounts(store_factory, served) -> None:
    strict = make_shop(store_factory, require_verified_email=True)
    refused = strict.call("POST", f"{AUTH}/login", json={"login": "bob", "password": PASSWORDS["bob"]})
    assert refused.status_code == 403 and "not verified" in refused.json["error"]
    strict.accounts.mark_email_verified(strict.ids["bob"])
    strict.accounts.mark_email_verified(strict.ids["root"])
    token = strict.token("bob")
    root = strict.token("root")
    assert strict.call("PUT", f"{BASE}/users/{strict.ids['bob']}", root, json={"active": False}).status_code == 200
    assert strict.call("GET", f"{AUTH}/me", token).status_code == 401, "a disabled account's tokens stop"
    disabled = strict.call("POST", f"{AUTH}/login", json={"login": "bob", "password": PASSWORDS["bob"]})
    assert disabled.status_code == 403 and disabled.json == {"error": "This account is disabled"}


def test_flows_without_a_hook_answer_501(store_factory, served) -> None:
    shop = make_shop(store_factory, send_password_reset=None)
    assert shop.call("POST", f"{AUTH}/password-reset", json={"login": "bob"}).status_code == 501


def test_without_a_token_the_request_runs_as_anonymous(shop: Shop) -> None:
    assert shop.call("POST", f"{BASE}/books", json={"title": "x"}).status_code == 403
    assert current_user.standalone is False
