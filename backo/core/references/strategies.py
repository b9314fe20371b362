"""What a RefsList does when its owner is deleted, and whether it lists its referrers."""

from enum import Enum


class DeleteStrategy(Enum):
    """On delete of an Item holding a RefsList.

    * ``MUST_BE_EMPTY``: refuse while the list (or, with NOT_FILL, the reverse select)
      is not empty;
    * ``DELETE_REFERENCED_ITEMS``: delete the referenced Items too (cascade);
    * ``UNLINK_REFERENCED_ITEMS``: keep them, clearing their reverse field.
    """

    MUST_BE_EMPTY = 1
    DELETE_REFERENCED_ITEMS = 2
    UNLINK_REFERENCED_ITEMS = 3

    def __repr__(self) -> str:
        return self.name


class FillStrategy(Enum):
    """Whether a RefsList is filled by the Refs pointing at its owner.

    * ``FILL``: yes, the list tells who points here;
    * ``NOT_FILL``: no (too many referrers); they are found with a select when needed.
    """

    FILL = 1
    NOT_FILL = 2

    def __repr__(self) -> str:
        return self.name
