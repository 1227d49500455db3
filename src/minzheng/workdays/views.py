from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.core.exceptions import DomainError
from minzheng.web.decorators import perm_required
from minzheng.web.http import AuthedRequest

from . import selectors, services
from .models import CalendarDay


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=40)


def _year(request: AuthedRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@perm_required(Perm.SYSTEM_CONFIG)
def calendar(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_day_set(
                actor=request.user,
                day=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, gettext("已保存"))
            return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "days": selectors.days_of_year(year),
            "form": form,
            "missing": selectors.years_without_arrangement(timezone.localdate()),
        },
    )


@require_POST
@perm_required(Perm.SYSTEM_CONFIG)
def clear(request: AuthedRequest, day: str) -> HttpResponse:
    try:
        d = date.fromisoformat(day)
        services.calendar_day_clear(actor=request.user, day=d)
    except ValueError:
        messages.error(request, gettext("日期格式不正确"))
        return redirect("workdays:calendar")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已删除 %(day)s 的安排") % {"day": d.isoformat()})
    return redirect(f"/workdays/?year={d.year}")
