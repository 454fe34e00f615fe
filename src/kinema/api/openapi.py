"""OpenAPI generated from code: request bodies come from the contract models (which are parsed by hand so
that every rejection gets the Kling envelope), so their schemas are attached here and their ``$defs`` are
merged into ``components.schemas``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

_DEFS: dict[str, Any] = {}
REF = "#/components/schemas/{model}"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "request_id"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "request_id": {"type": "string"},
    },
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": desc, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status, desc in (
        (400, "Invalid request (1200 malformed, 1201 a rule)"),
        (401, "Authentication (1000-1004)"),
        (404, "Not found (1203)"),
        (429, "Rate (1302) or concurrency (1303) limit"),
    )
}


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, by_alias=True)
    _DEFS.update(schema.pop("$defs", {}))
    _DEFS[model.__name__] = schema
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that includes the contract models' schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_DEFS)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
