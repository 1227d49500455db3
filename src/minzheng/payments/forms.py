from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django import forms
from django.utils.translation import gettext_lazy as _

from minzheng.accounts.scoping import region_prefix
from minzheng.assistance.models import Programme
from minzheng.geo.models import Region

from .models import BankLayout, PayeeAccount, PaymentException, PaymentRun, RecoveryDecision
from .services import PAYABLE

MAX_RETURN_BYTES = 20 * 1024 * 1024


class MonthField(forms.CharField):
    """``<input type="month">``: ``2024-07`` → the first day of the month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(p) for p in str(text).split("-")[:2])
            return dt.date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("请按“年-月”填写月份，如 2024-07")) from exc


def _choices(form: forms.Form, name: str, choices: Sequence[tuple[str, StrOrPromise]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def programme_choices(*, all_label: StrOrPromise | None = None) -> list[tuple[str, StrOrPromise]]:
    out: list[tuple[str, StrOrPromise]] = [
        (p.value, p.label) for p in Programme if p.value in PAYABLE
    ]
    return ([("", all_label)] if all_label is not None else []) + out


def region_choices(user: Any) -> list[tuple[str, str]]:
    """The user's own region and the towns under it (runs are by county or town)."""
    prefix = region_prefix(user)
    if prefix is None:
        return []
    qs = Region.objects.filter(
        code__startswith=prefix,
        level__in=[Region.Level.COUNTY, Region.Level.TOWN, Region.Level.ZONE],
    ).order_by("code")
    return [(r.code, ("　" if r.level != Region.Level.COUNTY else "") + r.name) for r in qs]


class RunFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("项目"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *PaymentRun.Status.choices]
    )
    month = MonthField(label=_("发放月份"), required=False)
    region = forms.ChoiceField(label=_("区域"), required=False)
    sort = forms.CharField(required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "programme", programme_choices(all_label=_("全部项目")))
        _choices(self, "region", [("", _("全部区域")), *region_choices(user)])


class RunCreateForm(forms.Form):
    programme = forms.ChoiceField(label=_("救助项目"), required=False)
    month = MonthField(label=_("发放月份"))
    region = forms.ChoiceField(label=_("区域"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "programme", programme_choices(all_label=_("全部按月发放项目")))
        _choices(self, "region", region_choices(user))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class ExportForm(forms.Form):
    layout = forms.ModelChoiceField(
        label=_("银行文件格式"), queryset=BankLayout.objects.all(), empty_label=None
    )
    fmt = forms.ChoiceField(
        label=_("文件类型"), choices=[("xlsx", "Excel（xlsx）"), ("csv", "CSV")]
    )


class ReturnForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件（xlsx 或 csv）"))
    unlisted_paid = forms.BooleanField(
        label=_("回盘文件只列失败记录（未列出的视为已到账）"), required=False
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_RETURN_BYTES:
            raise forms.ValidationError(_("回盘文件不能超过 20 MB"))
        return f


class ExceptionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *PaymentException.Status.choices],
    )
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("处理说明"), max_length=200)


class AccountForm(forms.Form):
    id_number = forms.CharField(label=_("收款人身份证号"), max_length=18)
    account_type = forms.ChoiceField(label=_("账户类型"), choices=PayeeAccount.Type.choices)
    bank_name = forms.CharField(label=_("开户行"), max_length=100)
    account_number = forms.CharField(label=_("账号"), max_length=40)
    holder_name = forms.CharField(label=_("户名"), max_length=50)


class BackPayForm(forms.Form):
    programme = forms.ChoiceField(label=_("救助项目"))
    from_month = MonthField(label=_("新标准执行起始月份"))
    to_month = MonthField(label=_("补发截止月份（已发放的最后一个月）"))
    region = forms.ChoiceField(label=_("区域"))
    reason = forms.CharField(label=_("调标依据（文件名称、文号）"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "programme", programme_choices())
        _choices(self, "region", region_choices(user))


class RecoveryForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    from_month = MonthField(label=_("不应发放的起始月份"))
    basis = forms.ChoiceField(label=_("原因类别"), choices=RecoveryDecision.Basis.choices)
    reason = forms.CharField(label=_("说明（死亡日期、查处文书等）"), max_length=200)


class StatsForm(forms.Form):
    start = MonthField(label=_("起始月份"))
    end = MonthField(label=_("截止月份"))
    region = forms.ChoiceField(label=_("区域"))
    by = forms.ChoiceField(
        label=_("分组"),
        choices=[("programme", _("按项目")), ("town", _("按乡镇")), ("month", _("按月份"))],
    )
    programme = forms.ChoiceField(label=_("项目"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "region", region_choices(user))
        _choices(self, "programme", programme_choices(all_label=_("全部项目")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止月份不能早于起始月份"))
        return data
