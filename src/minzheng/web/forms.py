from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minzheng.payments.forms import MonthField

from . import selectors


class DashboardPeriodForm(forms.Form):
    """The dashboard's period: a preset, or a custom range of months."""

    period = forms.ChoiceField(
        label=_("期间"),
        required=False,
        choices=[
            ("ytd", _("本年至今")),
            ("this_year", _("本年")),
            ("last_year", _("上年")),
            ("last12", _("近12个月")),
            ("custom", _("自定义")),
        ],
    )
    start = MonthField(label=_("起始月份"), required=False)
    end = MonthField(label=_("截止月份"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                self.add_error("end", _("自定义期间须填写起始和截止月份"))
            elif start > end:
                self.add_error("end", _("截止月份不能早于起始月份"))
        return data

    def chosen_period(self, today: dt.date) -> selectors.Period:
        """The chosen period; this year to date when the input is missing or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.period_for(
            data.get("period") or "ytd",
            today=today,
            from_month=data.get("start"),
            to_month=data.get("end"),
        )
