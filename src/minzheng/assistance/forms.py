"""Forms of the assistance pages: they parse input; the services decide."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django import forms
from django.utils.translation import gettext_lazy as _

from .inputs import LABELS
from .models import ApplicationCase, Channel, Investigation, Programme
from .workflow import WORKFLOW_PROGRAMMES
from .workflow_selectors import SORTS, STEP_LABELS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


def _date(
    label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = ""
) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _text(
    label: StrOrPromise, *, required: bool = True, rows: int = 3, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": rows}),
    )


def _check(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.BooleanField:
    return forms.BooleanField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def _select(label: StrOrPromise, choices: Any, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def yuan_to_fen(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return int((value * 100).to_integral_value())


class YuanField(forms.DecimalField):
    def __init__(self, label: StrOrPromise, **kw: Any):
        kw.setdefault("required", False)
        super().__init__(
            label=label,
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0"),
            widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            **kw,
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data]
        return [one(data, initial)] if data else []


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- application --------------------------------------------------------------------------------

INCIDENT_KINDS = list(LABELS["incident_kind"].items())
INCIDENT_CAUSES = list(LABELS["incident_cause"].items())


class ApplicationForm(forms.Form):
    """The application, household chosen by search; the registry gives the rest."""

    household = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": _("请先查找并选择家庭")}
    )
    applicant = forms.UUIDField(widget=forms.HiddenInput, required=False)
    programme = _select(
        _("救助项目"), [("", _("请选择"))] + [(p.value, p.label) for p in WORKFLOW_PROGRAMMES]
    )
    submitted_on = _date(_("申请日期"), help_text=_("不填为今天"))
    channel = _select(_("申请方式"), [("", _("请选择")), *list(Channel.choices)])
    power_of_attorney = _check(_("已提交申请人签署的委托书"), _("委托他人代为申请时必须提交"))
    commitment_signed_on = _date(
        _("承诺书签署日期"), required=False, help_text=_("家庭经济状况真实性承诺书（第9条）")
    )
    authorisation_signed_on = _date(
        _("授权核对签署日期"),
        required=False,
        help_text=_("申请人及家庭成员签署的经济状况核对授权书"),
    )
    near_relative = _check(
        _("申请人家庭成员是经办人员或村（居）委会成员的近亲属（单独登记备案）"),
        _("备案后县级须入户核查方可确认（第11、20条）"),
    )
    near_relative_note = forms.CharField(
        label=_("近亲属备案说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    single_person = _check(_("单独提出申请（单人保，第8条）"))
    care_mode = _select(
        _("特困供养方式"), [("", "—"), *list(LABELS["care_mode"].items())], required=False
    )
    orphan_care_mode = _select(
        _("孤儿养育方式"), [("", "—"), *list(LABELS["orphan_care_mode"].items())], required=False
    )
    incident_kind = _select(_("临时救助类型"), [("", "—"), *INCIDENT_KINDS], required=False)
    incident_cause = _select(_("事由"), [("", "—"), *INCIDENT_CAUSES], required=False)
    incident_date = _date(_("事件发生日期"))
    incident_need = YuanField(
        _("困难缺口（元）"), help_text=_("扣除保险、其他救助后仍无法负担的部分")
    )
    incident_description = forms.CharField(
        label=_("事件说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def choices_payload(self) -> dict[str, Any]:
        """The engine's ``choices`` and ``incident`` from the cleaned data."""
        d = self.cleaned_data
        out: dict[str, Any] = {}
        for key in ("single_person", "care_mode", "orphan_care_mode"):
            if d.get(key):
                out[key] = d[key]
        if d.get("programme") == Programme.TEMPORARY and d.get("incident_kind"):
            incident: dict[str, Any] = {
                "kind": d["incident_kind"],
                "cause": d.get("incident_cause") or "other",
                "need_fen": yuan_to_fen(d.get("incident_need")) or 0,
                "description": d.get("incident_description") or "",
            }
            day = d.get("incident_date") or d.get("submitted_on")
            if day is not None:
                incident["date"] = day.isoformat()
            out["incident"] = incident
        return out


# --- steps --------------------------------------------------------------------------------------


class AcceptForm(VersionForm):
    accepted_on = _date(_("受理日期"), help_text=_("不填为今天"))
    delegated = _check(_("本县已将审核确认权限委托乡镇（办理时限20个工作日）"))


class InvestigationStartForm(VersionForm):
    started_on = _date(_("调查开始日期"), help_text=_("应在受理后3个工作日内"))


class InvestigationForm(VersionForm):
    kind = _select(
        _("调查方式"), [(k, v) for k, v in Investigation.Kind.choices if k != "county_visit"]
    )
    visited_on = _date(_("调查日期"))
    investigator_1 = forms.CharField(
        label=_("调查人员一"),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    investigator_2 = forms.CharField(
        label=_("调查人员二"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    investigator_3 = forms.CharField(
        label=_("调查人员三"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    findings = _text(_("调查情况"))
    household_signed = _check(_("调查人员和在场家庭成员已在入户调查表上签字"))
    attachments = MultipleFileField(label=_("附件（签字的调查表、照片：PDF/JPG/PNG，可多选）"))

    def investigators(self) -> list[str]:
        d = self.cleaned_data
        return [d.get(f"investigator_{i}") or "" for i in (1, 2, 3)]


class CountyVisitForm(InvestigationForm):
    kind = forms.ChoiceField(
        choices=[("county_visit", _("县级入户核查"))],
        widget=forms.HiddenInput,
        initial="county_visit",
    )


class TownReviewForm(VersionForm):
    opinion = _select(_("初审意见"), [("", _("请选择")), *list(ApplicationCase.Opinion.choices)])
    text = _text(_("初审意见说明"))
    reviewed_on = _date(_("初审日期"))
    publicity_from = _date(_("公示开始日期"), help_text=_("公示7天；不填为初审当日"))
    democratic_review = _check(_("已组织民主评议"))
    democratic_review_note = _text(_("民主评议情况"), required=False, rows=2)


class ObjectionForm(VersionForm):
    raised_on = _date(_("提出日期"))
    raised_by = forms.CharField(
        label=_("异议人（可匿名）"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    text = _text(_("异议内容"))


class PublicityCloseForm(VersionForm):
    on = _date(_("报送日期"), help_text=_("公示期满后方可报送"))


class ApproveForm(VersionForm):
    decided_on = _date(_("确认日期"))
    amount = YuanField(_("核定金额（元）"), help_text=_("不填则按核算金额"))
    note = _text(_("审核确认意见"), required=False, rows=2)
    case_by_case_note = forms.CharField(
        label=_("一事一议决定（临时救助超过上限时）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class RefuseForm(VersionForm):
    decided_on = _date(_("决定日期"))
    reasons = _text(_("不予确认理由"), help_text=_("将写入不予确认通知书"))


class ExtendForm(VersionForm):
    reason = forms.CharField(
        label=_("延长理由"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class WithdrawForm(VersionForm):
    reason = forms.CharField(
        label=_("撤回或终止原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class FirstAidForm(VersionForm):
    on = _date(_("救助日期"))
    amount = YuanField(_("先行救助金额（元）"), help_text=_("不填则按核算金额，不超过乡镇审批额度"))


class RecordsCompleteForm(VersionForm):
    note = forms.CharField(
        label=_("补齐的材料和签字"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class DeliveredForm(forms.Form):
    delivered_on = _date(_("送达日期"))


STEP_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm,
    "investigation_start": InvestigationStartForm,
    "investigation": InvestigationForm,
    "county_visit": CountyVisitForm,
    "town_review": TownReviewForm,
    "objection": ObjectionForm,
    "publicity_close": PublicityCloseForm,
    "approve": ApproveForm,
    "refuse": RefuseForm,
    "extend": ExtendForm,
    "withdraw": WithdrawForm,
    "first_aid": FirstAidForm,
    "records_complete": RecordsCompleteForm,
}


class InboxFilterForm(forms.Form):
    step = _select(_("环节"), [("", _("全部")), *list(STEP_LABELS.items())], required=False)
    programme = _select(
        _("救助项目"),
        [("", _("全部"))] + [(p.value, p.label) for p in WORKFLOW_PROGRAMMES],
        required=False,
    )
    due = _select(
        _("期限"),
        [("", _("全部")), ("soon", _("即将到期")), ("overdue", _("已逾期"))],
        required=False,
    )
    sort = _select(
        _("排序"),
        [
            ("due", _("按期限")),
            ("-submitted", _("申请日期（新→旧）")),
            ("submitted", _("申请日期（旧→新）")),
            ("applicant", _("申请人")),
        ],
        required=False,
    )
    q = forms.CharField(label=_("申请人或地址"), required=False, max_length=50)

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"sort": "due"}
        d = self.cleaned_data
        return {
            "step": d["step"] or "",
            "programme": d["programme"] or "",
            "due": d["due"] or "",
            "q": (d["q"] or "").strip(),
            "sort": d["sort"] if d["sort"] in SORTS else "due",
        }


# --- parameters ---------------------------------------------------------------------------------


class ParameterChangeForm(forms.Form):
    """A new value from a date. Money keys (``*_fen``) are typed in 元; lists and bands as
    JSON; yes/no as a choice."""

    value = forms.CharField(
        label=_("新取值"), max_length=2000, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    effective_from = forms.DateField(label=_("起始日期"), widget=DateInput())
    basis = forms.CharField(
        label=_("调整依据（文件名称、文号）"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, key: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key = key
        if key.endswith("_fen"):
            self.fields["value"].label = _("新取值（元）")
        elif key in BOOL_KEYS:
            self.fields["value"] = _select(_("新取值"), [("true", _("是")), ("false", _("否"))])

    def parsed_value(self) -> Any:
        raw = self.cleaned_data["value"].strip()
        if self.key.endswith("_fen"):
            try:
                return int((Decimal(raw.replace(",", "")) * 100).to_integral_value())
            except InvalidOperation:
                raise forms.ValidationError(_("请填写金额（元），如 850 或 850.00")) from None
        if self.key in BOOL_KEYS:
            return raw == "true"
        if raw.startswith(("[", "{")) or raw in ("null", "true", "false"):
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                raise forms.ValidationError(
                    _('列表请按 JSON 格式填写，如 ["dibao", "poverty_alleviated"]')
                ) from None
        return raw


def _bool_keys() -> frozenset[str]:
    from .parameters import Parameters

    return frozenset(k for k, f in Parameters.model_fields.items() if f.annotation is bool)


BOOL_KEYS = _bool_keys()
