"""OpenAPI schemas: the fixed ones every backo document carries, and those of stricto models.

``json-patch`` describes PATCH bodies, ``backo-meta`` the answers of ``POST {c}/_meta``,
``backo-filter`` the bodies of ``POST {c}/_selections/<name>`` (BEHAVIOR.md 16.4). The
functions below turn a stricto ``Dict`` (an Item, an Action) into JSON Schema, in two
flavours, because what a client sends and what it reads back differ:

* answers (:func:`object_schema`): one component per Dict (``users``, ``users_addr``,
  ``users__meta``...), every field, optional fields nullable, ``required`` the fields
  declared required that every answer holds (a field hidden by a callable read right or
  ``exists`` is not listed). ``_view`` answers may leave out any field: their schema is
  the ``-view`` twin of the component (``users-view``), the same without ``required``;
* requests (:func:`request_body`): inline, writable fields only (no ``_id``, no field
  whose ``modify`` right is literally False, no computed field), unknown keys refused
  (``additionalProperties: false``, as the server answers 400); on create (and actions)
  ``required`` lists the required fields without a default, on PUT nothing is required.
"""

import datetime
import json
import math
from typing import Any

from stricto import Dict, GenericType

_PATCH_PATH = {"type": "string", "pattern": "^\\$", "description": "A stricto selector: $.name, $.tags[0]"}
_PATCH_VALUE = {"type": ["string", "null"], "description": "Decoded by stricto into the field's type"}


def _patch_operation(ops: list[str], value: bool) -> dict[str, Any]:
    properties = {
        "op": {"type": "string", "enum": ops},
        "path": _PATCH_PATH,
        **({"value": _PATCH_VALUE} if value else {}),
    }
    return {"type": "object", "required": ["op", "path"], "properties": properties, "additionalProperties": False}


#: A JSON-patch document: the operations the PATCH route performs (values are strings).
JSON_PATCH_SCHEMA: dict[str, Any] = {
    "title": "json-patch",
    "type": "array",
    "items": {"oneOf": [_patch_operation(["add", "replace", "test"], True), _patch_operation(["remove"], False)]},
}

_META = {"$ref": "#/components/schemas/backo-meta"}
_RIGHT_VALUE: dict[str, Any] = {"type": ["boolean", "string", "null"], "description": "true, false, or Callable"}
_NULLABLE = {"description": "string", "required": "boolean", "union": "array", "in": "array", "transform": "string"}

#: One node of a model's meta description (``GET /_meta``, ``POST {c}/_meta``): stricto's
#: keys, plus those 0.2.1's document listed (``type_short``, ``in``, ``contraints``).
BACKO_META_SCHEMA: dict[str, Any] = {
    "title": "backo-meta",
    "type": "object",
    "properties": {
        "types": {"type": "array", "items": {"type": "string"}},
        "type_short": {"type": "string"},
        **{key: {"type": [kind, "null"]} for key, kind in _NULLABLE.items()},
        "constraints": {"type": "array"},
        "contraints": {"type": "array"},
        "default": {},
        "auto_set": {},
        "exists": _RIGHT_VALUE,
        "rights": {"type": "object", "additionalProperties": _RIGHT_VALUE},
        "path": {"type": "string"},
        "sub_scheme": {"anyOf": [{"type": "object", "additionalProperties": _META}, {"type": "array", "items": _META}]},
        "sub_type": {"anyOf": [_META, {"type": "array"}]},
    },
}

#: The body of a POST selection: field paths to values or ``["$op", value]`` pairs.
BACKO_FILTER_SCHEMA: dict[str, Any] = {
    "title": "backo-filter",
    "description": "Filter for Backo selection.",
    "type": "object",
    "properties": {},
}

#: The fixed schemas by component name.
FIXED_SCHEMAS: dict[str, dict[str, Any]] = {
    "json-patch": JSON_PATCH_SCHEMA,
    "backo-meta": BACKO_META_SCHEMA,
    "backo-filter": BACKO_FILTER_SCHEMA,
}

#: A File field as answers show it: its metadata (the content is downloaded apart).
_FILE_KEYS = (("filename", "string"), ("file_id", "string"), ("content_type", "string"), ("size", "integer"))
BACKO_FILE_SCHEMA: dict[str, Any] = {
    "title": "backo-file",
    "type": "object",
    "properties": {key: {"type": [kind, "null"]} for key, kind in (*_FILE_KEYS, ("modified", "boolean"))},
    "additionalProperties": False,
}
BACKO_FILE = "backo-file"


# --- stricto fields --------------------------------------------------------------------

#: Kinds of stricto fields, most specific first: the first class name found in a field's
#: MRO wins (Ref before String, RefsList before List, File before Dict, FreeDict/Datetime/
#: Bytes before Extend). Names, so that no backo field class has to be imported here.
KINDS: tuple[str, ...] = tuple(
    "RefsList Ref File Datetime Bytes FreeDict In Tuple List Dict String Int Float Bool".split()
)

#: The plain JSON type of each scalar kind (anything unknown is a string, as in 0.2.1).
_SCALARS: dict[str, dict[str, Any]] = {
    "Ref": {"type": "string"},
    "String": {"type": "string"},
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Bool": {"type": "boolean"},
    "Datetime": {"type": "string", "format": "date-time"},
    "Bytes": {"type": "string", "contentEncoding": "base64"},
    "FreeDict": {"type": "object"},
}


#: Datetimes as backo answers them: ISO 8601, with an offset only when the value has one
#: (stored datetimes are naive, so RFC 3339's ``date-time`` format does not fit answers).
ANSWER_DATETIME: dict[str, Any] = {
    "type": "string",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
    "description": "ISO 8601 date and time (YYYY-MM-DDTHH:MM:SS, offset only if the value has one)",
}


def field_kind(field: GenericType) -> str:
    """The kind of a stricto field (one of :data:`KINDS`, or ``"other"``)."""
    names = {cls.__name__ for cls in type(field).__mro__}
    return next((kind for kind in KINDS if kind in names), "other")


def model_fields(model: Dict) -> list[tuple[str, GenericType]]:
    """``(key, field)`` of every field of a Dict, in schema order, readable or not."""
    return [(key, model.__dict__[key]) for key in model._keys]


def file_paths(model: Dict, prefix: str = "", writable_only: bool = False) -> list[str]:
    """The dotted paths of the File fields of ``model``, through nested Dicts (``f``, ``sub.f``)."""
    paths: list[str] = []
    for key, field in model_fields(model):
        kind = field_kind(field)
        if writable_only and not is_writable(key, field):
            continue
        if kind == "File":
            paths.append(prefix + key)
        elif kind == "Dict":
            paths.extend(file_paths(field, f"{prefix}{key}.", writable_only))
    return paths


def is_required(field: GenericType) -> bool:
    """Tell whether a field cannot be null: declared required (a RefsList's own flag too), or
    bounded by ``min``, ``max`` or ``regexp``, which stricto 0.2 also checks on None (refused)."""
    if field._not_none is True or getattr(field, "_require", False) is True:
        return True
    if field_kind(field) in ("Int", "Float", "List") and (_bound(field, "_min") or _bound(field, "_max")):
        return True
    return field_kind(field) == "String" and any(p is not None for p in getattr(field, "_regexps", []))


def _bound(field: GenericType, name: str) -> bool:
    value = getattr(field, name, None)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _literal_right(field: GenericType, name: str) -> Any:
    """A right as declared: True, False, None (inherited) or a callable."""
    return field._permissions._permissions.get(name)


def always_shown(field: GenericType) -> bool:
    """Tell whether answers always hold ``field`` (no callable or False read right or ``exists``)."""
    return _literal_right(field, "read") in (None, True) and field._exists is True


def is_writable(key: str, field: GenericType) -> bool:
    """Tell whether a client may send ``field``: not ``_id``, not read-only, not computed."""
    return key != "_id" and _literal_right(field, "modify") is not False and field._auto_set is None


def json_safe(value: Any) -> tuple[bool, Any]:
    """``(True, value as JSON)`` if ``value`` can be written in a schema, else ``(False, None)``."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return True, value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return False, None
    try:
        return True, json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return False, None


def _annotations(field: GenericType, schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    """Add a field's description, enum and default to ``schema``; allow null when ``nullable``."""
    if field._description:
        schema["description"] = str(field._description)
    union = field._union
    if isinstance(union, list):
        ok, values = json_safe(union)
        if ok:
            schema["enum"] = values + ([None] if nullable and None not in values else [])
    default = field._default
    if default is not None and not callable(default) and field_kind(field) != "Ref":  # a Ref's is a sentinel
        ok, value = json_safe(default)
        if ok:
            schema["default"] = value
    if nullable:
        schema = _nullable(schema)
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` accepting null too."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _bounds(field: GenericType, kind: str, schema: dict[str, Any]) -> None:
    """stricto ``min``/``max``/``uniq`` as JSON Schema keywords."""
    number = kind in ("Int", "Float")
    for attribute, keywords in (("_min", ("minimum", "minItems")), ("_max", ("maximum", "maxItems"))):
        if _bound(field, attribute):
            schema[keywords[0] if number else keywords[1]] = getattr(field, attribute)
    if kind == "List" and getattr(field, "_uniq", False) is True:
        schema["uniqueItems"] = True


def _string_schema(field: GenericType) -> dict[str, Any]:
    """A String's schema: its regular expressions, anchored at the start as ``re.match`` is."""
    schema: dict[str, Any] = {"type": "string"}
    patterns = [p if isinstance(p, str) else getattr(p, "pattern", None) for p in field._regexps if p is not None]
    patterns = [p for p in patterns if isinstance(p, str)]
    if len(patterns) == 1:
        schema["pattern"] = f"^(?:{patterns[0]})"
    elif patterns:
        schema["allOf"] = [{"pattern": f"^(?:{p})"} for p in patterns]
    return schema


def positional_array(items: list[dict[str, Any]], labels: list[str] | None = None) -> dict[str, Any]:
    """An array of ``len(items)`` values, the i-th following ``items[i]``.

    Written ``items: {anyOf: [...]}`` with the length fixed rather than with 2020-12's
    ``prefixItems``, which tools still read as the old array form of ``items`` and reject.
    """
    unique = [item for n, item in enumerate(items) if item not in items[:n]]
    schema: dict[str, Any] = {"type": "array", "minItems": len(items), "maxItems": len(items)}
    if labels:
        schema["description"] = "Values of " + ", ".join(labels)
    schema["items"] = unique[0] if len(unique) == 1 else {"anyOf": unique} if unique else {}
    return schema


def _reference(field: GenericType) -> dict[str, Any]:
    """A Ref value: the ``_id`` of an Item of the target collection."""
    target = getattr(field, "target_name", None)
    return {"type": "string", "description": f'The _id of an item of "{target}"', "x-backo-collection": target}


class SchemaContext:
    """Where nested component schemas go, and how: for answers or for a request."""

    def __init__(self, schemas: dict[str, Any], request: bool = False, create: bool = False) -> None:
        #: component schemas being filled (answers only; requests are inline)
        self.schemas = schemas
        self.request = request
        #: a create request: required fields are required
        self.create = create

    def field(self, field: GenericType, name: str, partial: bool = False) -> dict[str, Any]:
        """The schema of one field; ``name`` names the components of nested Dicts."""
        kind = field_kind(field)
        if kind == "Dict":
            schema = self.request_object(field) if self.request else self.component(field, name, partial)
        elif kind == "File":
            schema = self.file()
        elif kind == "String":
            schema = _string_schema(field)
        elif kind == "Ref":
            schema = _reference(field)
        elif kind == "Datetime" and not self.request:
            schema = dict(ANSWER_DATETIME)
        elif kind == "RefsList":
            schema = {"type": "array", "items": _reference(field)}
        elif kind == "List":
            schema = {"type": "array", "items": self.field(field._type, name, partial)}
        elif kind == "Tuple":
            schema = positional_array([self.field(sub, f"{name}_{i}", partial) for i, sub in enumerate(field._schema)])
        elif kind == "In":
            schema = {
                "anyOf": [
                    self.field(sub, f"{name}_{i}", partial) for i, sub in enumerate(field._models) if sub is not None
                ]
            }
        else:
            schema = dict(_SCALARS.get(kind, {"type": "string"}))
        if kind == "Float" and self.request:
            schema["description"] = "Write a decimal point (3.0): stricto refuses a JSON integer for a Float"
        _bounds(field, kind, schema)
        if kind == "Dict" and "$ref" in schema:
            schema = {"type": "object", **schema}
        # a nested Dict is never null: stricto refuses None and answers {"key": null...}
        return _annotations(field, schema, nullable=not is_required(field) and kind != "Dict")

    def file(self) -> dict[str, Any]:
        """A File: its metadata in answers; in JSON requests, its content as a string."""
        if self.request:
            return {
                "type": "string",
                "description": 'The file content: text, or "base64:" followed by the base64 of the bytes',
                "examples": ["base64:aGVsbG8="],
            }
        self.schemas[BACKO_FILE] = BACKO_FILE_SCHEMA
        return {"$ref": f"#/components/schemas/{BACKO_FILE}"}

    def component(self, model: Dict, name: str, partial: bool) -> dict[str, Any]:
        """A reference to the component of a nested Dict (built on first use)."""
        partial = partial and has_required(model)
        component = f"{name}-view" if partial else name
        if component not in self.schemas:
            self.schemas[component] = {}  # reserved: a recursive model refers to itself
            self.schemas[component] = self.answer_object(model, name, partial)
        return {"$ref": f"#/components/schemas/{component}"}

    def answer_object(self, model: Dict, name: str, partial: bool) -> dict[str, Any]:
        """The answer schema of a Dict, ``name`` being its full component name."""
        properties: dict[str, Any] = {}
        for key, field in model_fields(model):
            if key == "_id" and model._parent is None:  # an Item's own _id
                properties[key] = {"title": key, "type": "string", "readOnly": True}
                continue
            prop = {"title": key, **self.field(field, f"{name}_{key}", partial)}
            if not is_writable(key, field):
                prop["readOnly"] = True
            properties[key] = prop
        schema: dict[str, Any] = {"title": f"{name}-view" if partial else name, "type": "object"}
        if not partial:
            schema["required"] = [k for k, f in model_fields(model) if is_required(f) and always_shown(f)]
        schema["properties"] = properties
        schema["additionalProperties"] = False
        return schema

    def request_object(self, model: Dict, files_apart: bool = False) -> dict[str, Any]:
        """The inline request schema of a Dict: its writable fields, unknown keys refused."""
        writable = [
            (k, f)
            for k, f in model_fields(model)
            if is_writable(k, f) and not (files_apart and field_kind(f) == "File")
        ]
        schema: dict[str, Any] = {"type": "object"}
        required = [k for k, f in writable if is_required(f) and _needs_value(f)]
        if self.create and required:
            schema["required"] = required
        schema["properties"] = {key: {"title": key, **self.field(field, key)} for key, field in writable}
        schema["additionalProperties"] = False
        return schema


def _needs_value(field: GenericType) -> bool:
    """Tell whether a create must give a value (no default; a Ref's default is a placeholder)."""
    return field._default is None or field_kind(field) == "Ref"


def has_required(model: Dict) -> bool:
    """Tell whether ``model`` or a Dict nested in it lists a required field."""
    for _, field in model_fields(model):
        if is_required(field) and always_shown(field):
            return True
        if field_kind(field) == "Dict" and has_required(field):
            return True
    return False


def object_schema(model: Dict, name: str, schemas: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """The answer schema ``name`` of a Dict; nested Dicts are added to ``schemas`` (``{name}_{key}``).

    With ``partial``, the ``-view`` flavour (nothing required): what ``_view`` answers hold.
    """
    return SchemaContext(schemas).answer_object(model, name, partial)


def view_schema(model: Dict, name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """A reference to the ``_view`` flavour of component ``name`` (the component itself if equal)."""
    return SchemaContext(schemas).component(model, name, partial=True)


def selector_schema(model: Dict, selector: str, name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """The answer schema of what a Selection selector (``$.a.b``) picks in ``model``; ``{}`` if unknown."""
    parts = selector.split(".")
    if not parts or parts[0] != "$":
        return {}
    field: GenericType = model
    for part in parts[1:]:
        if field_kind(field) != "Dict" or part not in field._keys:
            return {}
        name, field = f"{name}_{part}", field.__dict__[part]
    if parts[1:] == ["_id"]:
        return {"type": "string"}
    return _nullable(SchemaContext(schemas).field(field, name, partial=True))


def request_body(model: Dict, create: bool = True) -> dict[str, Any]:
    """A request body from a Dict: JSON, or multipart with a ``_json`` part and one part per file."""
    context = SchemaContext({}, request=True, create=create)
    as_json = context.request_object(model)
    json_part = context.request_object(model, files_apart=True)
    parts: dict[str, Any] = {"_json": json_part}
    binary = {"type": "string", "format": "binary"}
    parts.update({path: binary for path in file_paths(model, writable_only=True)})
    multipart: dict[str, Any] = {"type": "object"}
    if json_part.get("required"):
        multipart["required"] = ["_json"]
    multipart["properties"] = parts
    multipart["additionalProperties"] = False
    return {
        "required": True,
        "content": {
            "application/json": {"schema": as_json},
            "multipart/form-data": {"schema": multipart, "encoding": {"_json": {"contentType": "application/json"}}},
        },
    }
