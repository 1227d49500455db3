from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from minzheng.accounts.roles import Perm
from minzheng.reports.registry import registry
from minzheng.web.decorators import perm_required
from minzheng.web.http import AuthedRequest

from . import selectors
from .forms import DashboardPeriodForm

#: Programmes whose current recipients have a list (a report metric with a drill-down).
RECIPIENT_LISTS = {
    "dibao": "assistance.dibao_households",
    "tekun": "assistance.tekun_persons",
}


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
    form = DashboardPeriodForm(request.GET or None)
    period = form.chosen_period(timezone.localdate())
    assist = selectors.assistance_dashboard(user, period)
    return render(
        request,
        "web/home.html",
        {
            "fig": selectors.dashboard_figures(user),
            "form": form,
            "assist": assist,
            "links": _drilldowns(user, period, assist),
            "disbursed_change": selectors.change_pct(
                assist.get("disbursed_fen", 0), assist.get("disbursed_before_fen", 0)
            ),
            "recipients_change": selectors.change_pct(
                assist.get("recipients", 0), assist.get("recipients_before", 0)
            ),
        },
    )


def _drilldowns(user: Any, period: selectors.Period, assist: dict[str, Any]) -> dict[str, Any]:
    """Where each figure leads: the payments statistics and their ledger entries, and the
    report's enrollment lists; only the lists the user may open."""
    region = user.region_id or ""
    may_pay = user.has_perm_code(Perm.PAYMENTS_VIEW)
    may_report = user.has_perm_code(Perm.REPORTS_VIEW)
    months = {"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}", "region": region}
    as_of = {"from": period.start.isoformat(), "to": period.as_of.isoformat(), "region": region}
    rows = []
    for p in assist.get("programmes", []):
        key = RECIPIENT_LISTS.get(p.programme)
        rows.append(
            {
                "figure": p,
                "recipients_url": (
                    f"{reverse('reports:drilldown', args=[key])}?{urlencode(as_of)}"
                    if may_report and key and key in registry
                    else ""
                ),
                "money_url": (
                    f"{reverse('payments:stats_entries')}?"
                    + urlencode({**months, "by": "programme", "cell_programme": p.programme})
                    if may_pay and p.disbursed_fen
                    else ""
                ),
            }
        )
    money = f"{reverse('payments:stats')}?{urlencode({**months, 'by': 'month'})}"
    return {"money": money if may_pay else "", "rows": rows}


@perm_required(Perm.TASKS_VIEW)
def jobs(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.jobs_for_user(request.user), 20).get_page(request.GET.get("page"))
    template = "web/_jobs_table.html" if request.htmx else "web/jobs.html"
    return render(request, template, {"page": page})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
