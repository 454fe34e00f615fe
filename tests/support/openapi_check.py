"""A client-side validator generated from an OpenAPI document: a reply is checked against the schema that the
document gives for its operation, status and content type, the way a generated client would parse it.

Objects are checked *closed* (``additionalProperties: false`` added wherever a schema lists properties and
says nothing else): the published document stays open so clients tolerate new fields, but here a field the
server sends and the document does not describe is an error.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOC_URI = "urn:kinema:openapi"


def closed(schema: Any) -> Any:
    """A copy of ``schema`` in which every object schema with ``properties`` allows no other keys."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {name: closed(value) for name, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A closed validator for a standalone JSON schema (a pydantic model's, with its ``$defs``)."""
    return Draft202012Validator(closed(copy.deepcopy(schema)))


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


class OpenApiDocument:
    """The served document, with a validator per (operation, status, content type)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = closed(copy.deepcopy(document))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)

    def operations(self) -> set[tuple[str, str]]:
        """Every (METHOD, path template) the document lists."""
        return {(method.upper(), path) for path, ops in self.document["paths"].items() for method in ops}

    def response_doc(self, method: str, template: str, status: int) -> dict[str, Any]:
        operation = self.document["paths"][template][method.lower()]
        responses = operation["responses"]
        assert str(status) in responses, f"{method} {template}: status {status} is not documented"
        doc: dict[str, Any] = responses[str(status)]
        return doc

    def schema_validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at this JSON pointer into the document (its ``$ref``s resolve)."""
        return Draft202012Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=self.registry)

    def callback_validator(self, template: str) -> Draft202012Validator:
        """The body a create at ``template`` documents for its callbacks (the only callback it declares)."""
        callbacks = self.document["paths"][template]["post"]["callbacks"]
        (name,) = callbacks
        (expression,) = callbacks[name]
        return self.schema_validator(
            _pointer("paths", template, "post", "callbacks", name, expression, "post")
            + _pointer("requestBody", "content", "application/json", "schema")
        )

    def problems(self, method: str, template: str, response: httpx.Response) -> list[str]:
        """Why this reply does not match the document ([] when it does)."""
        where = f"{method} {template} → {response.status_code}"
        doc = self.response_doc(method, template, response.status_code)
        content: dict[str, Any] = doc.get("content", {})
        if not content:
            if response.content:
                return [f"{where}: documented without a body but sent {len(response.content)} bytes"]
            return []
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype not in content:
            return [f"{where}: content type {ctype!r} is not documented (only {sorted(content)})"]
        if "json" not in ctype:
            return []
        pointer = _pointer(
            "paths",
            template,
            method.lower(),
            "responses",
            str(response.status_code),
            "content",
            ctype,
            "schema",
        )
        errors = self.schema_validator(pointer).iter_errors(response.json())
        return [_describe(where, error) for error in errors]


def _describe(where: str, error: ValidationError) -> str:
    """One line per problem; for "none of anyOf matched", the branch that came closest says why."""
    error = best_match(error.context) if error.context else error
    return f"{where}: {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}"
