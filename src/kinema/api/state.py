"""What one API process holds: runtime handles, authenticator, IP allow-lists, rate limiter, limits."""

from __future__ import annotations

from dataclasses import dataclass

from kinema.api.auth import Authenticator
from kinema.api.iprules import IpRules
from kinema.api.ratelimit import RateLimiter
from kinema.contract.limits import Limits
from kinema.runtime import Runtime


@dataclass
class AppState:
    rt: Runtime
    auth: Authenticator
    rate: RateLimiter
    limits: Limits
    max_body_bytes: int
    ip_rules: IpRules
