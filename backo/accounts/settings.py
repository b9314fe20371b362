"""The token settings, read from the application's configuration keys.

The keys (``app.config[...]`` in Flask, any mapping here):

=============================  ==========================================================
``BACKO_JWT_KEY``              required: the HMAC secret (HS256: 32 bytes or more, HS384: 48, HS512: 64), or the
                               private key in PEM (RS*, ES*, PS*, EdDSA) that signs tokens
``BACKO_JWT_PUBLIC_KEY``       the public key in PEM that checks them (asymmetric algorithms;
                               required for those)
``BACKO_JWT_ALGORITHM``        ``"HS256"`` (default), ``"HS384"``, ``"HS512"``, ``"RS256"``...
``BACKO_JWT_ACCESS_TTL``       seconds an access token lives (default 900: 15 minutes)
``BACKO_JWT_REFRESH_TTL``      seconds a refresh token lives (default 1209600: 14 days)
``BACKO_JWT_ISSUER``           the ``iss`` claim made and required (default ``backo/<backoffice>``)
``BACKO_JWT_LEEWAY``           seconds of clock skew tolerated on ``exp``/``iat`` (default 0)
=============================  ==========================================================

This module knows no web framework: :func:`token_settings` takes the mapping.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import KeyConfigurationError

KEY = "BACKO_JWT_KEY"
PUBLIC_KEY = "BACKO_JWT_PUBLIC_KEY"
ALGORITHM = "BACKO_JWT_ALGORITHM"
ACCESS_TTL = "BACKO_JWT_ACCESS_TTL"
REFRESH_TTL = "BACKO_JWT_REFRESH_TTL"
ISSUER = "BACKO_JWT_ISSUER"
LEEWAY = "BACKO_JWT_LEEWAY"

DEFAULT_ALGORITHM = "HS256"
DEFAULT_ACCESS_TTL = 15 * 60
DEFAULT_REFRESH_TTL = 14 * 24 * 3600

#: The algorithms accepted: HMAC ones take one secret, the others a key pair. "none" never.
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")

#: The shortest HMAC secret accepted for each algorithm (RFC 7518 3.2: at least the hash size).
MIN_HMAC_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


@dataclass(frozen=True)
class TokenSettings:
    """How tokens are signed, checked and how long they live."""

    algorithm: str
    signing_key: Any
    verifying_key: Any
    access_ttl: int
    refresh_ttl: int
    issuer: str
    leeway: int = 0


def _seconds(config: Mapping[str, Any], key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise KeyConfigurationError("{0} must be a positive number of seconds, not {1!r}", key, value)
    return value


def token_settings(config: Mapping[str, Any], default_issuer: str) -> TokenSettings:
    """The settings the mapping ``config`` (an application's configuration) gives.

    :raises KeyConfigurationError: no key, a key too short, an unknown algorithm, a bad lifetime.
    """
    algorithm = config.get(ALGORITHM, DEFAULT_ALGORITHM)
    key = config.get(KEY)
    if not key:
        raise KeyConfigurationError("Accounts: set app.config[{0!r}] (the key that signs the tokens)", KEY)
    if algorithm in HMAC_ALGORITHMS:
        secret = key.encode() if isinstance(key, str) else key
        if len(secret) < MIN_HMAC_KEY_BYTES[algorithm]:
            raise KeyConfigurationError(
                "Accounts: app.config[{0!r}] must hold at least {1} bytes for {2}",
                KEY,
                MIN_HMAC_KEY_BYTES[algorithm],
                algorithm,
            )
        verifying = key
    elif algorithm in ASYMMETRIC_ALGORITHMS:
        verifying = config.get(PUBLIC_KEY)
        if not verifying:
            raise KeyConfigurationError(
                "Accounts: {0} needs app.config[{1!r}] (the public key, PEM)", algorithm, PUBLIC_KEY
            )
    else:
        accepted = ", ".join(HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS)
        raise KeyConfigurationError(
            "Accounts: app.config[{0!r}] = {1!r} is not one of {2}", ALGORITHM, algorithm, accepted
        )
    leeway = config.get(LEEWAY, 0)
    if isinstance(leeway, bool) or not isinstance(leeway, int) or leeway < 0:
        raise KeyConfigurationError("{0} must be a number of seconds (0 or more), not {1!r}", LEEWAY, leeway)
    return TokenSettings(
        algorithm=algorithm,
        signing_key=key,
        verifying_key=verifying,
        access_ttl=_seconds(config, ACCESS_TTL, DEFAULT_ACCESS_TTL),
        refresh_ttl=_seconds(config, REFRESH_TTL, DEFAULT_REFRESH_TTL),
        issuer=str(config.get(ISSUER) or default_issuer),
        leeway=leeway,
    )
