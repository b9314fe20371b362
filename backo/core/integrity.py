"""Integrity check: does every reference point at an existing Item that points back?

Reads the stored documents (no Items are built, no rights apply) and reports, as text,
every reference whose target is missing or whose reverse field does not name its
owner. Used by tests and by operators after a crash or a manual edit of the store.
"""

from collections.abc import Iterator
from typing import Any

from stricto import Dict

from .references.strategies import FillStrategy
from .references.sync import DEFAULT_ID, is_reference


def reference_fields(field: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every Ref/RefsList of a model with its path (through nested Dicts)."""
    if not isinstance(field, Dict):
        return
    for key in field._keys:
        child = field.__dict__[key]
        child_path = f"{path}.{key}"
        if is_reference(child):
            yield child_path, child
        else:
            yield from reference_fields(child, child_path)


def value_at(document: Any, path: str) -> Any:
    """The value at ``$.a.b`` in a plain document (None if absent)."""
    for key in path.removeprefix("$.").split("."):
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _points_back(target: dict, reverse_field: Any, reverse_path: str, owner_id: str, from_list: bool) -> bool:
    """Tell whether the ``target`` document's reverse field names ``owner_id``.

    A ``NOT_FILL`` list is not filled by the Refs pointing at it, so it is only checked
    when the owner's field is a RefsList (whose additions it mirrors).
    """
    value = value_at(target, reverse_path)
    if reverse_field.reference_kind == "one":
        return value == owner_id
    if not from_list and reverse_field.on_fill is not FillStrategy.FILL:
        return True
    return isinstance(value, list) and owner_id in value


def _check_field(backoffice: Any, owner: str, path: str, field: Any, documents: list[dict]) -> Iterator[str]:
    target_collection = backoffice.collections.get(field.target_name)
    if target_collection is None:
        yield f'{owner}{path}: collection "{field.target_name}" is not registered'
        return
    targets = {str(document["_id"]): document for document in target_collection.db_handler.select(None)}
    reverse_field = None if field.reverse is None else target_collection.model.select(field.reverse)
    for document in documents:
        owner_id = str(document["_id"])
        value = value_at(document, path)
        ids = (value or []) if field.reference_kind == "many" else ([] if value in (None, DEFAULT_ID) else [value])
        for target_id in ids:
            where = f"{owner}/{owner_id} {path} -> {field.target_name}/{target_id}"
            if target_id not in targets:
                yield f"{where}: not found"
            elif is_reference(reverse_field) and not _points_back(
                targets[target_id], reverse_field, field.reverse, owner_id, field.reference_kind == "many"
            ):
                yield f"{where}: {field.reverse} does not point back"


def check_integrity(backoffice: Any) -> list[str]:
    """The problems found in ``backoffice``'s references (an empty list when all is well)."""
    problems: list[str] = []
    for name, collection in backoffice.collections.items():
        fields = list(reference_fields(collection.model))
        if not fields:
            continue
        documents = collection.db_handler.select(None)
        for path, field in fields:
            problems.extend(_check_field(backoffice, name, path, field, documents))
    return problems
