from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .menu import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": menu_for(user), "current_region": user.region}
