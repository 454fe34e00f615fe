"""The HTTP layer's entry points to the contract: a create body or page parameters in, a model or a Kling
error out.

:func:`parse_request` turns every failure into a :class:`KlingError` — 1200 for a body that is not a JSON
object, 1203 (HTTP 404) for a ``model_name`` the endpoint does not serve, 1201 with ``"<field path>: <rule>"``
for everything else — so no pydantic text and no 500 ever reaches a client.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kinema.contract.context import validation_context
from kinema.contract.errors import Code, KlingError, invalid
from kinema.contract.limits import Limits
from kinema.contract.model_names import UNKNOWN_MODEL
from kinema.contract.voices import VOICE_PAGE_SIZE_MAX

ModelT = TypeVar("ModelT", bound=BaseModel)

_TYPE_RULES: dict[str, str] = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be a boolean",
    "bool_parsing": "must be a boolean",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be an array",
    "string_unicode": "must be a valid string",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def error_from_validation(exc: ValidationError) -> KlingError:
    """Map the first pydantic error to ``"<field path>: <rule>"`` (code 1201); never pydantic's own text.

    An unknown model outranks every other failure: the request names a resource that does not exist, so
    it is 1203 (HTTP 404) whatever else is wrong with it, as upstream checks the model first."""
    errors = exc.errors(include_url=False, include_input=False)
    err = next((e for e in errors if e["type"] == UNKNOWN_MODEL), errors[0])
    loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == UNKNOWN_MODEL:
        return KlingError(Code.NOT_FOUND, f"{_path(loc)}: {ctx.get('rule', 'no such model')}")
    if kind == "kinema_rule":
        sub = str(ctx.get("sub", ""))
        if sub:
            loc = (*loc, *sub.split("."))
        text = str(ctx.get("rule", "invalid value"))
    elif kind in _TYPE_RULES:
        text = _TYPE_RULES[kind]
    elif kind == "value_error":
        text = str(ctx.get("error", "invalid value"))
    else:
        text = f"invalid value ({kind})"
    return invalid(_path(loc), text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_request(model_cls: type[ModelT], raw: bytes | str, limits: Limits) -> ModelT:
    """Parse and validate one create body. 1200 for malformed JSON / non-object, 1201 for any rule."""
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise KlingError(Code.BAD_REQUEST, "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise KlingError(Code.BAD_REQUEST, "request body must be a JSON object")
    try:
        return model_cls.model_validate(body, context=validation_context(limits))
    except ValidationError as exc:
        raise error_from_validation(exc) from None


def parse_page(page_num: str | None, page_size: str | None, limits: Limits) -> tuple[int, int]:
    """``pageNum``/``pageSize`` query parameters: defaults 1 and ``page_size_default``; 1201 when bad."""

    def one(name: str, value: str | None, default: int, maximum: int) -> int:
        if value is None or not value.strip():
            return default
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", text) or not 1 <= int(text) <= maximum:
            raise invalid(name, f"must be an integer from 1 to {maximum}, got {value!r}")
        return int(text)

    return (
        one("pageNum", page_num, 1, limits.page_num_max),
        one("pageSize", page_size, limits.page_size_default, limits.page_size_max),
    )


def parse_voice_page(page_num: str | None, page_size: str | None, limits: Limits) -> tuple[int, int]:
    """``pageNum``/``pageSize`` of a voice list: as a task list's, but ``pageSize`` goes up to 1000."""
    return parse_page(page_num, page_size, limits.model_copy(update={"page_size_max": VOICE_PAGE_SIZE_MAX}))
