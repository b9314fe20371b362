"""Password hashing: werkzeug's scrypt (``werkzeug.security``), the one place that touches it.

werkzeug ships with Flask, so this needs no new dependency; ``werkzeug.security`` is
plain ``hashlib.scrypt`` with a salt and a self-describing format
(``scrypt:32768:8:1$<salt>$<hash>``), so a hash says how it was made and a change of
parameters is noticed (:meth:`PasswordHasher.needs_rehash`). This module is the only
one of :mod:`backo.accounts` that imports werkzeug.
"""

import functools

from werkzeug.security import check_password_hash, generate_password_hash

#: werkzeug's default scrypt parameters (N=2**15, r=8, p=1): about 0.1 s and 32 MiB per hash.
DEFAULT_METHOD = "scrypt"

#: Longer passwords are refused before hashing (a megabyte password costs as much as a short one, but
#: must still be read and kept in memory).
MAX_PASSWORD_LENGTH = 1024


class PasswordHasher:
    """Hash and check passwords with one werkzeug method (``"scrypt"`` or ``"scrypt:N:r:p"``).

    Example::

        hasher = PasswordHasher()
        stored = hasher.hash("correct horse")
        hasher.verify(stored, "correct horse")   # True
    """

    def __init__(self, method: str = DEFAULT_METHOD) -> None:
        #: the werkzeug method new hashes are made with
        self.method = method
        #: the parameters part of a hash made now (``scrypt:32768:8:1``)
        self.prefix = generate_password_hash("probe", method=method).split("$", 1)[0]

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        return generate_password_hash(password, method=self.method)

    def verify(self, stored: str | None, password: str) -> bool:
        """Tell whether ``password`` matches ``stored``; with no stored hash, spend the same time and say no.

        The time spent does not tell whether the account exists or has a password.
        """
        if not stored:
            check_password_hash(self._dummy_hash(), password)
            return False
        try:
            return check_password_hash(stored, password)
        except ValueError:  # a stored value that is no werkzeug hash: nothing matches it
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Tell whether ``stored`` was made with other parameters than this hasher's."""
        return stored.split("$", 1)[0] != self.prefix

    @functools.cache  # noqa: B019 - one per hasher, hashers live as long as the application
    def _dummy_hash(self) -> str:
        return generate_password_hash("not a password", method=self.method)
