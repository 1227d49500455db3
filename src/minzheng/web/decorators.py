from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext

from .http import AuthedRequest


def perm_required(
    perm: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Log-in plus one permission; a refusal renders a 403 page that says why."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_perm_code(perm):
                return render(
                    request, "403.html", {"reason": gettext("您的角色没有此功能的权限")}, status=403
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
