"""Forms of the rescue pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minzheng.assistance.dynamic_forms import YuanField

from .models import FollowUpVisit, RescueCase, RescueService


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _text(**kw: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **kw})


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)
    status = forms.ChoiceField(
        required=False, choices=[("", _("全部状态")), *RescueCase.Status.choices]
    )
    identity = forms.ChoiceField(
        required=False, choices=[("", _("全部")), *RescueCase.Identity.choices]
    )
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-received", _("接收日期（新→旧）")),
            ("received", _("接收日期（旧→新）")),
            ("-spent", _("支出（多→少）")),
            ("region", _("按发现地")),
        ],
    )


class CaseForm(forms.Form):
    received_on = forms.DateField(label=_("接收日期"), widget=_date())
    source = forms.ChoiceField(
        label=_("来站方式"),
        choices=[("", _("请选择")), *RescueCase.Source.choices],
        widget=_select(),
    )
    found_place = forms.CharField(
        label=_("发现地点"), max_length=200, widget=_text(placeholder=_("如：姑孰镇汽车站广场"))
    )
    region = forms.ChoiceField(label=_("发现地所属乡镇或村（社区）"), widget=_select())
    id_number = forms.CharField(
        label=_("身份证号码（已查明身份的）"),
        required=False,
        max_length=18,
        widget=_text(),
        help_text=_("填写后按档案查找本人；身份不明的留空，填写体貌特征"),
    )
    stated_name = forms.CharField(
        label=_("自报姓名"), required=False, max_length=50, widget=_text()
    )
    apparent_sex = forms.ChoiceField(
        label=_("性别"),
        required=False,
        choices=[("", _("不详")), ("1", _("男")), ("2", _("女"))],
        widget=_select(),
    )
    apparent_age = forms.IntegerField(
        label=_("年龄（估计）"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    hometown_stated = forms.CharField(
        label=_("自述籍贯"), required=False, max_length=100, widget=_text()
    )
    description = forms.CharField(
        label=_("体貌特征及情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args: Any, regions: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["region"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (
                r.code,
                f"{r.parent.name if r.parent and r.level in ('village', 'community') else ''}{r.name}",
            )
            for r in regions
        ]


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("服务项目"),
        choices=[("", _("请选择")), *RescueService.Kind.choices],
        widget=_select(),
    )
    provided_on = forms.DateField(label=_("服务日期"), widget=_date())
    quantity = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    amount = YuanField(label=_("金额（元）"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200, widget=_text())


class IdentifyForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, widget=_text())


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("离站方式"),
        choices=[("", _("请选择"))] + [c for c in RescueCase.Status.choices if c[0] != "in_care"],
        widget=_select(),
    )
    outcome_on = forms.DateField(label=_("离站日期"), widget=_date())
    destination = forms.CharField(
        label=_("护送或转介去向"),
        required=False,
        max_length=200,
        widget=_text(placeholder=_("如：护送至安徽省六安市金寨县，交其兄接收")),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300, widget=_text())


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("回访日期"), widget=_date())
    method = forms.ChoiceField(
        label=_("回访方式"), choices=FollowUpVisit.Method.choices, widget=_select()
    )
    situation = forms.CharField(
        label=_("回访情况"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    returned_to_street = forms.BooleanField(
        label=_("再次外出流浪"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
