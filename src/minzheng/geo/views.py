from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from minzheng.accounts.roles import Perm
from minzheng.web.decorators import perm_required
from minzheng.web.http import AuthedRequest

from . import selectors


@perm_required(Perm.REGISTRY_VIEW)
def picker_options(request: AuthedRequest) -> HttpResponse:
    """``<option>`` elements for a cascading region picker (htmx), scoped to the user."""
    parent = request.GET.get("parent") or request.GET.get("town") or None
    regions = selectors.region_choices_for_user(request.user, parent_code=parent)
    return render(
        request,
        "geo/_options.html",
        {
            "regions": regions,
            "selected": request.GET.get("selected", ""),
            "blank": request.GET.get("blank") or gettext("全部"),
        },
    )
