"""The workflow state of an Item."""

from enum import Enum


class StatusType(Enum):
    """Where an Item stands with respect to the database.

    ``UNSET``: fresh from ``new_item()`` or deleted; ``SAVED``: loaded or written;
    ``UNSAVED``: changed since (reported by stricto's ``"change"`` event).
    """

    UNSET = 1
    SAVED = 2
    UNSAVED = 3

    def __repr__(self) -> str:
        return self.name
