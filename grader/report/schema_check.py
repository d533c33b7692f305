"""A small JSON Schema checker for the keywords the results.json schema uses.

``jsonschema`` takes about 50 ms to import and build a validator, a tenth of
a whole grading run; the Gradescope schema (``gradescope_schema.json``) needs
only ``type``, ``enum``, ``properties``, ``additionalProperties`` (true or
false), ``required``, ``items``, ``minimum``, ``anyOf`` and local ``$ref``.
A schema using any other keyword is refused, and a test checks that this
checker and ``jsonschema`` agree on every example submission's results and on
broken variants of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["KEYWORDS", "first_error"]

KEYWORDS = frozenset({
    "$schema", "$id", "$defs", "title", "description", "type", "enum", "properties", "additionalProperties",
    "required", "items", "minimum", "anyOf", "$ref",
})
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "number": (int, float), "integer": (int,),
    "boolean": (bool,), "null": (type(None),),
}


def _is(value: Any, kind: str) -> bool:
    if kind in ("number", "integer") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind])


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def first_error(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None,
                path: tuple[str | int, ...] = ()) -> tuple[tuple[str | int, ...], str] | None:
    """The path and message of the first place where ``value`` breaks ``schema``, or None."""
    root = schema if root is None else root
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError(f"unsupported schema keyword(s): {', '.join(sorted(unknown))}")
    if "$ref" in schema:
        found = first_error(value, _resolve(root, schema["$ref"]), root, path)
        if found:
            return found
    kinds = schema.get("type")
    if kinds is not None:
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(value, k) for k in wanted):
            return path, f"{value!r:.60} is not of type {' or '.join(wanted)}"
    if "enum" in schema and not any(value == e and type(value) is type(e) for e in schema["enum"]):
        return path, f"{value!r:.60} is not one of {schema['enum']}"
    if "minimum" in schema and _is(value, "number") and value < schema["minimum"]:
        return path, f"{value!r} is less than the minimum of {schema['minimum']}"
    if isinstance(value, dict):
        found = _object_error(value, schema, root, path)
        if found:
            return found
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found = first_error(item, schema["items"], root, (*path, i))
            if found:
                return found
    if "anyOf" in schema and all(first_error(value, option, root, path) for option in schema["anyOf"]):
        return path, f"{value!r:.60} matches none of the allowed forms"
    return None


def _object_error(value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any],
                  path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str] | None:
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            return path, f"{name!r} is a required property"
    if schema.get("additionalProperties") is False:
        extra = sorted(k for k in value if k not in properties)
        if extra:
            return path, f"additional properties are not allowed ({', '.join(map(repr, extra))} unexpected)"
    for name, sub in properties.items():
        if name in value:
            found = first_error(value[name], sub, root, (*path, name))
            if found:
                return found
    return None
