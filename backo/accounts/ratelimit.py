"""Login rate limiting: failed attempts counted per account and per client address, then a lockout.

``max_failures`` failures within ``window`` seconds lock the account (or the address)
for ``lockout`` seconds: every attempt then answers 429 with ``Retry-After``, without
the password being checked (so a locked account cannot be probed). A successful login
clears its account's counter, not its address's. Counters live in a state collection,
so every process of the application shares them; a login that does not exist is counted
like one that does (what is answered does not tell them apart).
"""

import time
from dataclasses import dataclass

from .errors import TooManyAttemptsError
from .records import StateStore


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures lock what, and for how long (seconds)."""

    #: failures of one account, within ``window``, that lock it
    max_failures_per_account: int = 5
    #: failures from one client address, within ``window``, that lock it (all accounts)
    max_failures_per_address: int = 20
    #: the counting window
    window: int = 15 * 60
    #: how long a lockout lasts
    lockout: int = 15 * 60


def account_subject(login: str) -> str:
    """The counter of the account ``login`` (case-insensitive)."""
    return f"account:{login.casefold()}"


def address_subject(address: str) -> str:
    """The counter of the client address."""
    return f"address:{address}"


class LoginRateLimiter:
    """Counts failed logins and refuses attempts while locked out."""

    def __init__(self, store: StateStore, policy: LoginPolicy) -> None:
        self.store = store
        self.policy = policy

    def _subjects(self, login: str, address: str | None) -> list[tuple[str, int, str]]:
        subjects = [(account_subject(login), self.policy.max_failures_per_account, "this account")]
        if address:
            subjects.append((address_subject(address), self.policy.max_failures_per_address, "this address"))
        return subjects

    def check(self, login: str, address: str | None) -> None:
        """Refuse the attempt if the account or the address is locked out.

        :raises TooManyAttemptsError: locked; ``retry_after`` says for how long.
        """
        now = time.time()
        for subject, _limit, what in self._subjects(login, address):
            entry = self.store.find_one("subject", subject)
            locked_until = float(entry.get("locked_until") or 0) if entry else 0.0
            if locked_until > now:
                raise TooManyAttemptsError(
                    "Too many failed login attempts from {0}: try again in {1} seconds",
                    what,
                    int(locked_until - now) + 1,
                    retry_after=int(locked_until - now) + 1,
                )

    def failed(self, login: str, address: str | None) -> None:
        """Count one failure of the account and of the address; lock what reaches its limit."""
        now = time.time()
        with self.store.lock.exclusive():
            for subject, limit, _what in self._subjects(login, address):
                entry = self.store.find_one("subject", subject)
                if entry is None:
                    entry = {"subject": subject, "failures": 0, "window_start": now, "locked_until": 0.0}
                    entry["_id"] = self.store.insert(entry)
                if now - float(entry.get("window_start") or 0) > self.policy.window:
                    entry.update(failures=0, window_start=now)
                entry["failures"] = int(entry.get("failures") or 0) + 1
                if entry["failures"] >= limit:
                    entry.update(failures=0, window_start=now, locked_until=now + self.policy.lockout)
                self.store.replace(entry)

    def succeeded(self, login: str) -> None:
        """Forget the account's failures (a right password ends its count)."""
        self.unlock(login)

    def unlock(self, login: str | None = None, address: str | None = None) -> None:
        """Clear the counter (and lockout) of an account and/or an address."""
        subjects = ([account_subject(login)] if login else []) + ([address_subject(address)] if address else [])
        with self.store.lock.exclusive():
            for subject in subjects:
                for entry in self.store.find("subject", subject):
                    self.store.remove(entry)
