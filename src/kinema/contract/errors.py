"""Kling business error codes with their HTTP statuses (spec §8), and the exception that carries them."""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    """Error codes of the official table; the HTTP status of each is in :data:`HTTP_STATUS`."""

    OK = 0
    AUTH_FAILED = 1000
    AUTH_EMPTY = 1001
    AUTH_INVALID = 1002
    TOKEN_NOT_YET_VALID = 1003
    TOKEN_EXPIRED = 1004
    ACCOUNT_ABNORMAL = 1100
    ARREARS = 1101
    RESOURCE_PACK_DEPLETED = 1102
    NO_PERMISSION = 1103
    BAD_REQUEST = 1200
    INVALID_PARAM = 1201
    BAD_METHOD = 1202
    NOT_FOUND = 1203
    POLICY = 1300
    CONTENT_SAFETY = 1301
    RATE_LIMIT = 1302
    CONCURRENCY_LIMIT = 1303
    IP_NOT_ALLOWED = 1304
    INTERNAL = 5000
    UNAVAILABLE = 5001
    TIMEOUT = 5002


HTTP_STATUS: dict[Code, int] = {
    Code.OK: 200,
    Code.AUTH_FAILED: 401,
    Code.AUTH_EMPTY: 401,
    Code.AUTH_INVALID: 401,
    Code.TOKEN_NOT_YET_VALID: 401,
    Code.TOKEN_EXPIRED: 401,
    Code.ACCOUNT_ABNORMAL: 429,
    Code.ARREARS: 429,
    Code.RESOURCE_PACK_DEPLETED: 429,
    Code.NO_PERMISSION: 403,
    Code.BAD_REQUEST: 400,
    Code.INVALID_PARAM: 400,
    Code.BAD_METHOD: 404,
    Code.NOT_FOUND: 404,
    Code.POLICY: 400,
    Code.CONTENT_SAFETY: 400,
    Code.RATE_LIMIT: 429,
    Code.CONCURRENCY_LIMIT: 429,
    Code.IP_NOT_ALLOWED: 429,
    Code.INTERNAL: 500,
    Code.UNAVAILABLE: 503,
    Code.TIMEOUT: 504,
}


class KlingError(Exception):
    """A rejection with a Kling code. ``message`` must name the field and the rule when it is about input."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]


def invalid(field: str, rule: str) -> KlingError:
    """The usual 1201: ``"<field>: <rule>"``."""
    return KlingError(Code.INVALID_PARAM, f"{field}: {rule}")
