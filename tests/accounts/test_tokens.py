"""Tokens: wrong, expired, tampered, unsigned or foreign tokens are 401; keys and algorithms come from app.config."""

import base64
import json
import sys
import time

import jwt
import pytest

from backo.accounts.tokens import ACCESS, issue
from backo.error import MissingExtraError

from .conftest import AUTH, BASE, KEY, Shop, make_shop


def _forged(shop: Shop, **changes) -> str:
    """A token of alice's, re-signed by pyjwt with ``changes`` (claims, key, algorithm)."""
    claims = jwt.decode(shop.token("alice"), KEY, algorithms=["HS256"], issuer="backo/shop")
    key = changes.pop("key", KEY)
    algorithm = changes.pop("algorithm", "HS256")
    return jwt.encode({**claims, **changes}, key, algorithm=algorithm)


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _unsigned(token: str) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    return f"{header}.{token.split('.')[1]}."


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the HS512 forgery, with our key
def test_bad_tokens_are_refused_with_401_everywhere(shop: Shop) -> None:
    good = shop.token("alice")
    bad = {
        "garbage": "not-a-token",
        "tampered": _tampered(good),
        "unsigned": _unsigned(good),
        "expired": _forged(shop, exp=int(time.time()) - 10),
        "foreign key": _forged(shop, key="another-signing-key-of-32-bytes-or-more"),
        "foreign issuer": _forged(shop, iss="backo/other"),
        "other algorithm": _forged(shop, algorithm="HS512"),
        "no session": jwt.encode({"sub": "1", "typ": "access", "exp": int(time.time()) + 60}, KEY, algorithm="HS256"),
    }
    for name, token in bad.items():
        for method, path in (("GET", f"{BASE}/books"), ("POST", f"{BASE}/books"), ("GET", f"{AUTH}/me")):
            answer = shop.call(method, path, token, json={"title": "x"} if method == "POST" else None)
            assert answer.status_code == 401, (name, method, path)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    expired = shop.call("GET", f"{BASE}/books", bad["expired"])
    assert expired.json == {"error": "The token has expired"}
    assert shop.call("GET", f"{BASE}/books", good).status_code == 200


def test_jwt_required_refuses_requests_without_a_token(store_factory, served) -> None:
    shop = make_shop(store_factory)
    guarded = shop.backoffice.collections["books"]
    from flask import Flask

    app = Flask(__name__)
    app.config["BACKO_JWT_KEY"] = KEY
    from backo import Backoffice

    other = Backoffice("guarded")
    other.register_collection(type(guarded)("books", guarded.model, guarded.db_handler))
    other.build_routes(app, "", jwt_auth=shop.accounts.jwt_required)
    client = app.test_client()
    assert client.get("/guarded/books").status_code == 401
    token = shop.token("root")
    assert client.get("/guarded/books", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_rs256_with_a_key_pair(store_factory, served) -> None:
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    from cryptography.hazmat.primitives import serialization

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    shop = make_shop(store_factory)
    shop.app.config.update(BACKO_JWT_ALGORITHM="RS256", BACKO_JWT_KEY=pem, BACKO_JWT_PUBLIC_KEY=public)
    token = shop.token("alice")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert shop.call("GET", f"{BASE}/books", token).status_code == 200
    hs_token = jwt.encode(jwt.decode(token, public, algorithms=["RS256"], issuer="backo/shop"), KEY, algorithm="HS256")
    assert shop.call("GET", f"{BASE}/books", hs_token).status_code == 401, "no algorithm switch"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"BACKO_JWT_KEY": None}, "set app.config['BACKO_JWT_KEY']"),
        ({"BACKO_JWT_KEY": "short"}, "at least 32 bytes"),
        ({"BACKO_JWT_ALGORITHM": "none"}, "is not one of"),
        ({"BACKO_JWT_ALGORITHM": "RS256"}, "BACKO_JWT_PUBLIC_KEY"),
        ({"BACKO_JWT_ACCESS_TTL": -1}, "positive number of seconds"),
    ],
)
def test_a_bad_configuration_is_a_500_naming_the_key(shop: Shop, config: dict, message: str) -> None:
    shop.app.config.update(config)
    answer = shop.call("POST", f"{AUTH}/login", json={"login": "alice", "password": "alice-password-1"})
    assert answer.status_code == 500 and message in answer.json["error"]


def test_lifetimes_and_issuer_come_from_the_configuration(shop: Shop) -> None:
    shop.app.config.update(BACKO_JWT_ACCESS_TTL=60, BACKO_JWT_ISSUER="my-shop")
    pair = shop.login("alice")
    claims = jwt.decode(pair["access_token"], KEY, algorithms=["HS256"], issuer="my-shop")
    assert pair["expires_in"] == 60 and claims["exp"] - claims["iat"] == pytest.approx(60, abs=1)
    assert claims["typ"] == ACCESS and claims["login"] == "alice"


def test_without_pyjwt_the_error_names_the_extra(shop: Shop, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)
    with pytest.raises(MissingExtraError, match=r"backoffice-kit\[accounts\]"):
        issue(None, ACCESS, "1", "alice", "s")  # type: ignore[arg-type]  # the import fails first
    answer = shop.call("POST", f"{AUTH}/login", json={"login": "alice", "password": "alice-password-1"})
    assert answer.status_code == 500 and "backoffice-kit[accounts]" in answer.text
