"""The current request's actor and address, for services that write audit records."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    path: str = ""
    channel: str = "web"  # web | api | cli | task


current_request: ContextVar[RequestInfo] = ContextVar("current_request", default=RequestInfo(channel="cli"))
