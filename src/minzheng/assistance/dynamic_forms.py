"""Forms of the dynamic-management pages: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .dynamic import EndGround
from .models import JobReferral, Programme, ReviewTask

TEXTAREA = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
SMALL = {"class": "form-control form-control-sm"}
SELECT_SMALL = {"class": "form-select form-select-sm"}


class MonthField(forms.DateField):
    """A month picked as ``YYYY-MM``; the value is the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month", "class": "form-control"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("请选择月份，如 2026-07")}

    def to_python(self, value: Any) -> dt.date | None:
        d = super().to_python(value)
        return d.replace(day=1) if d else None


class YuanField(forms.CharField):
    """An amount typed in 元 with up to two decimals; the value is integer fen."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault(
            "widget", forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})
        )
        super().__init__(**kw)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(value or "").strip().replace(",", "").replace("元", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise forms.ValidationError(_("请填写金额（元），如 650.00")) from exc
        if amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise forms.ValidationError(_("金额不能为负数，最多两位小数"))
        return int(amount * 100)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class TaskFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("open", _("待办")),
            ("done", _("已办结")),
            ("cancelled", _("已取消")),
            ("", _("全部")),
        ],
    )
    due = forms.ChoiceField(
        required=False,
        choices=[
            ("all", _("不限期限")),
            ("overdue", _("已逾期")),
            ("30", _("30天内到期")),
            ("90", _("90天内到期")),
        ],
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", _("全部类型")), *ReviewTask.Kind.choices]
    )
    programme = forms.ChoiceField(required=False, choices=[("", _("全部项目")), *Programme.choices])
    village = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("due", _("按期限（近→远）")),
            ("-due", _("按期限（远→近）")),
            ("village", _("按村（社区）")),
            ("kind", _("按任务类型")),
        ],
    )

    def __init__(self, *args: Any, villages: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["village"].choices = [("", _("全部村（社区）"))] + [  # type: ignore[attr-defined]
            (v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages
        ]


class EnrollmentFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)
    programme = forms.ChoiceField(required=False, choices=[("", _("全部项目")), *Programme.choices])
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("全部状态")),
            ("active", _("保障中")),
            ("suspended", _("暂停")),
            ("ended", _("已终止")),
        ],
    )
    village = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, villages: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["village"].choices = [("", _("全部村（社区）"))] + [  # type: ignore[attr-defined]
            (v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages
        ]


class TaskCompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[
            (ReviewTask.Outcome.UNCHANGED, ReviewTask.Outcome.UNCHANGED.label),
            (ReviewTask.Outcome.CHANGED, ReviewTask.Outcome.CHANGED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("办理情况"), widget=TEXTAREA, max_length=300)


class SuspendForm(forms.Form):
    from_month = MonthField(label=_("暂停起始月份"))
    to_month = MonthField(
        label=_("暂停终止月份"), required=False, help_text=_("不填则暂停至恢复发放")
    )
    reason = forms.CharField(label=_("暂停理由"), widget=TEXTAREA, max_length=1000)


class ResumeForm(forms.Form):
    from_month = MonthField(label=_("恢复发放月份"))
    reason = forms.CharField(label=_("恢复理由"), widget=TEXTAREA, max_length=1000)


class AmountForm(forms.Form):
    from_month = MonthField(label=_("调整起始月份"), help_text=_("自作出决定的次月起执行"))
    amount = YuanField(label=_("新月金额（元）"))
    reason = forms.CharField(label=_("调整理由"), widget=TEXTAREA, max_length=1000)


class EndForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("终止情形"),
        choices=[("", _("请选择")), *EndGround.CHOICES],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    end_month = MonthField(
        label=_("最后发放月份"), required=False, help_text=_("不填则发放至本月，次月起停止")
    )
    reason = forms.CharField(label=_("终止理由"), widget=TEXTAREA, max_length=1000)

    def __init__(self, *args: Any, publicity: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if publicity:
            del self.fields["end_month"]


def _month_count(n: int) -> str:
    return gettext("%(n)s个月") % {"n": n}


_months = lazy(_month_count, str)


class JiantuiForm(forms.Form):
    first_month = MonthField(label=_("渐退起始月份"))
    months = forms.TypedChoiceField(
        label=_("渐退月数"),
        coerce=int,
        choices=[(i, _months(i)) for i in range(1, 7)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label=_("渐退理由"), widget=TEXTAREA, max_length=1000)

    def __init__(self, *args: Any, max_months: int = 6, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["months"].choices = [(i, _months(i)) for i in range(1, max_months + 1)]  # type: ignore[attr-defined]


class PersonChoiceMixin(forms.Form):
    person = forms.ChoiceField(
        label=_("家庭成员"), widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, members: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.members = {str(p.public_id): p for p in members}
        self.fields["person"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (k, p.name) for k, p in self.members.items()
        ]

    def clean_person(self) -> Any:
        p = self.members.get(self.cleaned_data["person"])
        if p is None:
            raise forms.ValidationError(_("请选择本户的成员"))
        return p


class ReferralForm(PersonChoiceMixin):
    referred_on = forms.DateField(label=_("介绍日期"), widget=_date_widget())
    job = forms.CharField(
        label=_("介绍的工作"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    response = forms.ChoiceField(
        label=_("本人意见"),
        choices=JobReferral.Response.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ShareStopForm(PersonChoiceMixin):
    from_month = MonthField(label=_("停发起始月份"), required=False, help_text=_("不填则自下月起"))
    reason = forms.CharField(label=_("停发理由"), widget=TEXTAREA, max_length=1000)


class PublicityForm(forms.Form):
    action = forms.ChoiceField(
        label=_("办理"),
        choices=[
            ("close", _("公示期满无异议，终止保障")),
            ("objection", _("公示有异议，转调查核实")),
            ("republish", _("调查核实后重新公示")),
            ("withdraw", _("撤回终止决定")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("说明"), widget=TEXTAREA, max_length=1000, required=False)


class DeathForm(forms.Form):
    died_on = forms.DateField(label=_("死亡日期"), widget=_date_widget())
    version = forms.IntegerField(widget=forms.HiddenInput)
