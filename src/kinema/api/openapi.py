"""OpenAPI generated from code.

Request bodies come from the contract models, which are parsed by hand so that every rejection gets the Kling
envelope; their schemas are attached here and their ``$defs`` merged into ``components.schemas``. Replies are
documented with the models of :mod:`kinema.contract.responses` through ``responses=`` only: the routes send
their own ``JSONResponse``, so documenting a reply never changes its bytes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from kinema.contract.errors import HTTP_STATUS, Code
from kinema.contract.responses import ErrorReply

_DEFS: dict[str, Any] = {}
#: Schemas of reply-side models that no route's ``responses=`` names (the callback bodies).
_REPLY_DEFS: dict[str, Any] = {}
REF = "#/components/schemas/{model}"

#: What each error status means, with the codes that use it (from the code table).
_ERROR_MEANING = {
    400: "Invalid request",
    401: "Authentication failed",
    404: "Not found",
    429: "Rate, concurrency or account limit",
    500: "Internal error",
    403: "No permission",
    503: "Service unavailable",
    504: "Server timeout",
}


def _error_response(status: int) -> dict[str, Any]:
    codes = ", ".join(str(int(c)) for c in Code if c and HTTP_STATUS[c] == status)
    return {"model": ErrorReply, "description": f"{_ERROR_MEANING[status]} (code {codes})"}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these HTTP statuses: the error envelope, with the codes each carries."""
    return {status: _error_response(status) for status in statuses}


#: ``openapi_extra`` of a route that never succeeds on this server (creating or deleting a custom voice:
#: kinema cannot clone voices): FastAPI's default "200 Successful Response" is dropped, so the document
#: promises only the errors it really sends. The marker stays in the document to say why there is no 200.
NO_SUCCESS_MARK = "x-kinema-no-success"
NO_SUCCESS: dict[str, Any] = {NO_SUCCESS_MARK: "This server always refuses this request (see the errors)."}

#: The errors any authenticated API route can answer.
ERROR_RESPONSES = error_responses(400, 401, 404, 429, 500)
#: What a create answered inside the request can add when it is forwarded upstream (gateway TTS): the
#: upstream's 1103 relayed, 5001 when it stays busy or unreachable, 5002 when it timed out.
UPSTREAM_SYNC_ERRORS = error_responses(403, 503, 504)


def reply(model: type[BaseModel], description: str | None = None) -> dict[int | str, dict[str, Any]]:
    """``responses=`` documenting the 200 reply with a model of :mod:`kinema.contract.responses`."""
    doc = description or (model.__doc__ or "").strip().splitlines()[0]
    return {200: {"model": model, "description": doc}}


def _signature_header(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": f"{what} Sent only when KINEMA_WEBHOOK_SECRET is set (Standard Webhooks).",
    }


def callbacks_doc(callback_model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting the callback a create with ``callback_url`` leads to: the bare task
    object POSTed on every status change (spec §6), signed when a webhook secret is set. No reply carries
    the callback model, so its schema is added to the components here; the models it shares with the
    replies (``TaskInfo``, the results) keep the replies' schemas."""
    schema = callback_model.model_json_schema(ref_template=REF, mode="serialization")
    for name, definition in schema.pop("$defs", {}).items():
        _REPLY_DEFS.setdefault(name, _without_null_defaults(definition))
    _REPLY_DEFS[callback_model.__name__] = _without_null_defaults(schema)
    post = {
        "summary": "Task status changed",
        "description": "Retried with exponential backoff until the receiver answers 2xx; "
        "delivery attempts are listed at GET …/{task_id}/callbacks.",
        "parameters": [
            _signature_header("webhook-id", "Message id, kept across retries (deduplicate on it)."),
            _signature_header("webhook-timestamp", "Unix seconds of this attempt."),
            _signature_header("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body>."),
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=callback_model.__name__)}}},
        },
        "responses": {"2XX": {"description": "Delivered; anything else is retried"}},
    }
    return {"callbacks": {"taskStatusChanged": {"{$request.body#/callback_url}": {"post": post}}}}


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


def _drop_validation_errors(schema: dict[str, Any]) -> None:
    """FastAPI documents a 422 for every route with parameters, but kinema answers invalid parameters with
    the Kling envelope (1201, HTTP 400), so a 422 never comes back: remove it and its schemas. Likewise the
    default 200 of a route marked :data:`NO_SUCCESS`."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
        if NO_SUCCESS_MARK in operation:
            operation["responses"].pop("200", None)
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)


def _merge_request_schemas(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in _DEFS.items():
        if name in components and components[name] != definition:
            raise RuntimeError(f"OpenAPI schema name {name!r} is used by a request and a reply model")
        components[name] = definition
    for name, definition in _REPLY_DEFS.items():
        components.setdefault(name, definition)  # a model a reply documents already is the same model


def _without_null_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop ``"default": null`` from the properties, as FastAPI does for the reply models: a field the
    server leaves out is optional, not sent as null."""
    properties = {
        name: {k: v for k, v in prop.items() if not (k == "default" and v is None)}
        for name, prop in schema.get("properties", {}).items()
    }
    return {**schema, "properties": properties} if properties else schema


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that includes the contract models' schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        _drop_validation_errors(schema)
        _merge_request_schemas(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
