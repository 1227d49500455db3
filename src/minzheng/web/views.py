from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.roles import Perm
from minzheng.web.decorators import perm_required
from minzheng.web.http import AuthedRequest

from . import selectors


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_code(Perm.DASHBOARD_VIEW):
        # administrators land on their own screens
        for perm, target in (
            (Perm.USERS_MANAGE, "sysadmin:users"),
            (Perm.ROLES_MANAGE, "secadmin:home"),
            (Perm.AUDIT_VIEW, "auditlog:list"),
        ):
            if user.has_perm_code(perm):
                return redirect(target)
        return render(request, "web/no_role.html")
    return render(request, "web/home.html", {"fig": selectors.dashboard_figures(user)})


@perm_required(Perm.TASKS_VIEW)
def jobs(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.jobs_for_user(request.user), 20).get_page(request.GET.get("page"))
    template = "web/_jobs_table.html" if request.htmx else "web/jobs.html"
    return render(request, template, {"page": page})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
