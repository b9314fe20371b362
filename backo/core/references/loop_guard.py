"""LoopPath: the guard that stops reference updates travelling in circles (A -> B -> A)."""

from backo.error import BackoError

#: The most entries a LoopPath accepts before refusing (one logical operation).
DEFAULT_MAX_LOOP = 40

#: The most entries of the guard backo opens for each create, save or delete: large
#: enough for wide cascades; cycles cannot exhaust it since every step is taken once.
OPERATION_MAX_LOOP = 100_000

#: The path recorded for an Item being deleted, so that no reference update re-saves it.
BEING_DELETED = "$"


class LoopPath:
    """The ``(collection, _id, field path)`` steps already taken by one operation.

    Reference synchronisation passes it along (the ``looper`` kwarg) so that an update it
    caused does not come back to update its origin again.
    """

    def __init__(self, max_loop: int = DEFAULT_MAX_LOOP) -> None:
        self.max_loop = max_loop
        #: the steps taken, in order
        self.path: list[tuple[str, str, str]] = []
        self._seen: set[tuple[str, str, str]] = set()

    def is_loop(self, collection_name: str, _id: str, path: str) -> bool:
        """Tell whether this step was already taken."""
        return (collection_name, _id, path) in self._seen

    def append(self, collection_name: str, _id: str, path: str) -> None:
        """Record a step.

        :raises BackoError: when more than ``max_loop`` steps are already recorded.
        """
        if len(self.path) > self.max_loop:
            raise BackoError("Loop max detected for ( {0}, {1}, {2})", collection_name, _id, path)
        step = (collection_name, _id, path)
        self.path.append(step)
        self._seen.add(step)

    def __repr__(self) -> str:
        return f"LoopPath({self.path!r})"
