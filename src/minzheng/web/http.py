"""Request types for views: after log-in ``request.user`` is our ``User``, and django-htmx
adds ``request.htmx``."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from minzheng.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


class AnyRequest(HttpRequest):
    htmx: HtmxDetails
