"""CollectionAddon: what Actions and Selections share — a name, a collection, and rights."""

from typing import Any

from stricto import Permissions


class CollectionAddon:
    """Something registered into a Collection under a name, with rights of its own.

    Rights are bools or callables ``f(right_name, o) -> bool``. ``Selection`` turns them
    off again, as 0.2.1 does, unless enforcement is asked for (see
    :mod:`backo.core.enforcement`).
    """

    def __init__(self, **rights: Any) -> None:
        self._permissions = Permissions(**rights)
        self._permissions.enable()
        #: set by ``Collection.register_action`` / ``register_selection``
        self.backoffice: Any = None
        self.name: str | None = None
        self.collection: Any = None

    def is_allowed_to(self, right_name: str, root: Any = None) -> bool | None:
        """Evaluate ``right_name`` for ``root``: True, False, or None if not a bool."""
        return self._permissions.is_allowed_to(right_name, root)

    def is_strictly_allowed_to(self, right_name: str) -> bool | None:
        """The right if it is a plain bool, None if it is a callable."""
        return self._permissions.is_strictly_allowed_to(right_name)

    def get_rights_schema(self) -> dict:
        """The rights as shown in ``_meta`` (callables as ``"Callable"``)."""
        return self._permissions.get_as_dict_of_strings()
