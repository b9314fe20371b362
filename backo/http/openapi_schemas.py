"""OpenAPI schemas: the fixed ones every backo document carries, and those of stricto models.

``json-patch`` describes PATCH bodies, ``backo-meta`` the answers of ``POST {c}/_meta``,
``backo-filter`` the bodies of ``POST {c}/_selections/<name>`` (BEHAVIOR.md 16.4); the
functions at the end turn a stricto ``Dict`` (an Item, an Action) into component schemas
and request bodies (16.2).
"""

from typing import Any

from stricto import Dict, GenericType

_PATCH_PATH: dict[str, Any] = {"type": "string", "description": "A stricto selector, e.g. $.name or $.tags[0]"}

#: A JSON-patch document: a list of operations.
JSON_PATCH_SCHEMA: dict[str, Any] = {
    "title": "json-patch",
    "type": "array",
    "items": {
        "oneOf": [
            {
                "type": "object",
                "required": ["op", "path", "value"],
                "properties": {
                    "op": {"type": "string", "enum": ["add", "replace", "test"]},
                    "path": _PATCH_PATH,
                    "value": {"type": ["string", "null"]},
                },
            },
            {
                "type": "object",
                "required": ["op", "path"],
                "properties": {"op": {"type": "string", "enum": ["remove"]}, "path": _PATCH_PATH},
            },
            {
                "type": "object",
                "required": ["op", "from", "path"],
                "properties": {
                    "op": {"type": "string", "enum": ["move", "copy"]},
                    "from": _PATCH_PATH,
                    "path": _PATCH_PATH,
                },
            },
        ]
    },
}

#: One node of a model's meta description (``GET /_meta``, ``POST {c}/_meta``).
BACKO_META_SCHEMA: dict[str, Any] = {
    "title": "backo-meta",
    "type": "object",
    "properties": {
        "types": {"type": "array", "items": {"type": "string"}},
        "type_short": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "required": {"type": "boolean"},
        "in": {"type": ["array", "null"]},
        "contraints": {"type": "array"},
        "default": {},
        "transform": {"type": ["string", "null"]},
        "exists": {"type": "boolean"},
        "rights": {
            "type": "object",
            "properties": {"read": {"type": "boolean"}, "modify": {"type": "boolean"}},
        },
        "sub_scheme": {"type": "object"},
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


# --- schemas of stricto models ----------------------------------------------------------

#: stricto class name -> OpenAPI type, the first class found in a field's MRO wins
#: (File before Dict: a File is a Dict; Datetime before anything it derives from).
TYPE_BY_CLASS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("String", {"type": "string"}),
    ("Int", {"type": "integer"}),
    ("Float", {"type": "number"}),
    ("Bool", {"type": "boolean"}),
    ("List", {"type": "array"}),
    ("File", {"type": "string", "contentEncoding": "base64"}),
    ("Datetime", {"type": "string", "format": "date-time"}),
    ("Dict", {"type": "object"}),
)


def _class_names(field: GenericType) -> list[str]:
    """The names of the classes of ``field``, most derived first (no stricto import needed for File)."""
    return [cls.__name__ for cls in type(field).__mro__]


def type_schema(field: GenericType) -> dict[str, Any]:
    """The OpenAPI type of a stricto field (``{"type": "string"}`` when nothing matches)."""
    names = _class_names(field)
    for class_name, schema in TYPE_BY_CLASS:
        if class_name in names:
            return dict(schema)
    return {"type": "string"}


def is_file(field: GenericType) -> bool:
    """Tell whether ``field`` is a File (or BlobFile) field."""
    return "File" in _class_names(field)


def model_fields(model: Dict) -> list[tuple[str, GenericType]]:
    """``(key, field)`` of every field of a Dict, in schema order, readable or not."""
    return [(key, model.__dict__[key]) for key in model._keys]


def _required(model: Dict) -> list[str]:
    return [key for key, field in model_fields(model) if field._not_none is True]


def object_schema(model: Dict, name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """The schema ``name`` of a Dict; nested Dicts are added to ``schemas`` as ``{name}_{key}``."""
    properties: dict[str, Any] = {}
    for key, field in model_fields(model):
        prop = {"title": key, **type_schema(field)}
        if field._description:
            prop["description"] = str(field._description)
        if prop["type"] == "object":
            nested = f"{name}_{key}"
            schemas[nested] = object_schema(field, nested, schemas)
            prop["$ref"] = f"#/components/schemas/{nested}"
        properties[key] = prop
    return {"title": name, "type": "object", "required": _required(model), "properties": properties}


def _writable(model: Dict) -> list[tuple[str, GenericType]]:
    """Fields a client may send: not ``_id``, not refused by a literal ``modify=False``."""
    return [
        (key, field)
        for key, field in model_fields(model)
        if key != "_id" and field._permissions.is_strictly_allowed_to("modify") is not False
    ]


def request_body(model: Dict) -> dict[str, Any]:
    """A request body from a Dict: JSON, or multipart with a ``_json`` part and file parts."""
    writable = _writable(model)
    required = [key for key in _required(model) if key in dict(writable)]
    json_properties = {key: {"title": key, **type_schema(field)} for key, field in writable}
    files = {key: {"type": "string", "format": "binary"} for key, field in writable if is_file(field)}
    in_json = {
        key: prop for key, prop in json_properties.items() if key not in files and prop.get("format") != "date-time"
    }
    multipart = {
        "type": "object",
        "required": ["_json"],
        "properties": {"_json": {"type": "object", "properties": in_json}, **files},
    }
    return {
        "content": {
            "application/json": {"schema": {"type": "object", "required": required, "properties": json_properties}},
            "multipart/form-data": {"schema": multipart, "encoding": {"_json": {"contentType": "application/json"}}},
        }
    }
