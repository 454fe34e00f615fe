"""The SDK's exceptions: one class per family of Kling error codes, chosen in one place (:func:`error_for`).

Kling numbers its codes by family (spec §8): 1000–1004 authentication, 1100–1103 account, 1200–1203 the
request, 1300–1304 policy (1302 rate, 1303 concurrency), 5000–5002 the server. A caller catches the family
it can act on (``except RateLimitError: back off``) instead of comparing numbers; ``code`` still holds the
exact one. The families are read from :class:`kinema.contract.errors.Code`, the server's own table.

Hierarchy::

    KlingApiError (alias ApiError, the SDK's one exception before)
    ├── AuthenticationError        1000–1004
    ├── AccountError               1100–1103
    ├── InvalidRequestError        1200–1203 (also before sending: a value the request model rejects)
    │   └── NotFoundError          1203
    ├── PolicyError                1300–1304
    │   └── RateLimitError         1302
    │       └── ConcurrencyLimitError  1303
    ├── ServerError                5000–5002
    └── UnexpectedReplyError       a reply that is not the contract's (code -1)
"""

from __future__ import annotations

from kinema.contract.errors import HTTP_STATUS, Code

#: ``code`` of an exception no Kling code describes: the reply was not an envelope, or not the contract's.
NO_CODE = -1


class KlingApiError(Exception):
    """A Kling error: ``code``, ``message`` (names the field and the rule for input errors), ``request_id``
    (of the reply; ``""`` when the SDK refused the request before sending it) and ``http_status`` (of the
    reply; for a request refused before sending, the status the server would have answered)."""

    def __init__(self, code: int, message: str, request_id: str = "", http_status: int = 0) -> None:
        rid = f"request {request_id}" if request_id else "not sent"
        super().__init__(f"[{code}] {message} ({rid}, HTTP {http_status})")
        self.code, self.message, self.request_id, self.http_status = code, message, request_id, http_status

    @property
    def status(self) -> int:
        """The HTTP status, by the name ``ApiError`` gave it."""
        return self.http_status


#: The SDK's single exception before the families existed; ``except ApiError`` still catches every one.
ApiError = KlingApiError


class AuthenticationError(KlingApiError):
    """1000–1004: the key or token is missing, unknown, revoked, malformed, not yet valid or expired."""


class AccountError(KlingApiError):
    """1100–1103: the account is abnormal, in arrears, out of resources, or lacks the permission."""


class InvalidRequestError(KlingApiError):
    """1200–1203: the request is malformed, a parameter breaks a rule (1201, ``"<field>: <rule>"``), the
    method is not allowed, or the resource does not exist."""


class NotFoundError(InvalidRequestError):
    """1203: no such task (by ``task_id`` or ``external_task_id``) or resource for this account."""


class PolicyError(KlingApiError):
    """1300–1304: refused by policy (content safety, rate, concurrency, …)."""


class RateLimitError(PolicyError):
    """1302: too many requests for this account; try again later."""


class ConcurrencyLimitError(RateLimitError):
    """1303: too many of this account's tasks are not finished yet; wait for one to finish."""


class ServerError(KlingApiError):
    """5000–5002 (internal error, unavailable, timeout), or a 5xx reply that is not a Kling envelope."""


class UnexpectedReplyError(KlingApiError):
    """A reply the contract does not describe: not a Kling envelope, or data that does not validate."""


#: The family of each code, by its thousands-and-hundreds (``1201 // 100 == 12``), from the server's table.
_FAMILIES: dict[int, type[KlingApiError]] = {
    Code.AUTH_FAILED // 100: AuthenticationError,
    Code.ACCOUNT_ABNORMAL // 100: AccountError,
    Code.BAD_REQUEST // 100: InvalidRequestError,
    Code.POLICY // 100: PolicyError,
    Code.INTERNAL // 100: ServerError,
}

#: Codes with a narrower class than their family's.
_SPECIFIC: dict[int, type[KlingApiError]] = {
    Code.NOT_FOUND: NotFoundError,
    Code.RATE_LIMIT: RateLimitError,
    Code.CONCURRENCY_LIMIT: ConcurrencyLimitError,
}

#: For a reply without a Kling code (a proxy's page, a crashed server): the family its HTTP status means.
_BY_HTTP_STATUS: dict[int, type[KlingApiError]] = {
    HTTP_STATUS[Code.AUTH_FAILED]: AuthenticationError,
    HTTP_STATUS[Code.NO_PERMISSION]: AccountError,
    HTTP_STATUS[Code.NOT_FOUND]: NotFoundError,
    HTTP_STATUS[Code.RATE_LIMIT]: RateLimitError,
}


def error_for(code: int, message: str, request_id: str = "", http_status: int = 0) -> KlingApiError:
    """The exception for a Kling error reply (or, with ``code`` :data:`NO_CODE`, for a reply without one)."""
    if code == NO_CODE:
        cls = ServerError if http_status >= 500 else _BY_HTTP_STATUS.get(http_status, UnexpectedReplyError)
    else:
        cls = _SPECIFIC.get(code) or _FAMILIES.get(code // 100, KlingApiError)
    return cls(code, message, request_id, http_status)
