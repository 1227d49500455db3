from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from minzheng.accounts.roles import ADMIN_ONLY_PERMS, ADMIN_ROLES, Perm, Role
from minzheng.core.idnumber import IdNumberError, normalize_phone
from minzheng.core.models import AuditEvent
from minzheng.geo.models import Region

from .selectors import USER_SORTS, AuditFilter

ANY = [("", _("全部"))]


class BootstrapMixin:
    """Bootstrap classes on every widget, ``is-invalid`` on fields with errors."""

    control_css = "form-control"
    select_css = "form-select"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            select = isinstance(widget, forms.Select)
            widget.attrs["class"] = self.select_css if select else self.control_css

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        if field in self.fields:  # type: ignore[attr-defined]
            attrs = self.fields[field].widget.attrs  # type: ignore[attr-defined]
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = attrs.get("class", "") + " is-invalid"


class FilterMixin(BootstrapMixin):
    control_css = "form-control form-control-sm"
    select_css = "form-select form-select-sm"


class UserFilterForm(FilterMixin, forms.Form):
    q = forms.CharField(
        label=_("姓名或用户名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("输入姓名或用户名")}),
    )
    region = forms.ChoiceField(label=_("所属区域"), required=False)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=ANY + list(Role.choices))
    active = forms.ChoiceField(
        label=_("状态"), required=False, choices=[*ANY, ("1", _("启用")), ("0", _("停用"))]
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(k, k) for k in USER_SORTS] + [(f"-{k}", k) for k in USER_SORTS],
    )

    def __init__(self, *args: Any, regions: Sequence[tuple[str, StrOrPromise]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [*ANY, *regions]

    def params(self) -> dict[str, str]:
        """Cleaned filters for the selector; an invalid field counts as not set."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "region_code": data.get("region") or "",
            "role": data.get("role") or "",
            "active": data.get("active") or "",
            "sort": data.get("sort") or "username",
        }


class UserCreateForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_.\-]{3,150}$", _("用户名为3位以上的字母、数字、下划线、点或短横线")
            )
        ],
        help_text=_("登录用，创建后不能修改，也不能再分配给别人（停用账号的用户名同样不能复用）"),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    region = forms.ChoiceField(label=_("所属区域"), help_text=_("只能选择您管理范围内的区域"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    account_expires_on = forms.DateField(
        label=_("账号有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("临时人员、借调人员请填写；到期后不能登录"),
    )

    def __init__(self, *args: Any, regions: Sequence[tuple[str, StrOrPromise]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("请选择")), *regions]

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return ""
        try:
            return normalize_phone(phone)
        except IdNumberError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_region(self) -> Region:
        region = Region.objects.filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("请选择所属区域"))
        return region


class DeactivateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("停用原因"), max_length=200)


class RoleAssignForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("系统管理员、安全管理员、审计管理员三者互斥，且不能兼任业务角色"),
    )


#: The matrix edits business roles only; 三员 permissions are fixed by 三权分立.
MATRIX_ROLES = [r for r in Role if r not in ADMIN_ROLES]
MATRIX_PERMS = [p for p in Perm if p not in ADMIN_ONLY_PERMS]


def matrix_from_post(data: Any) -> dict[str, set[str]]:
    """``perm__<role>`` check boxes → {role: {perm, …}} for every business role."""
    return {role.value: set(data.getlist(f"perm__{role.value}")) for role in MATRIX_ROLES}


class AuditFilterForm(FilterMixin, forms.Form):
    user = forms.CharField(label=_("用户"), required=False, max_length=150)
    start = forms.DateTimeField(
        label=_("起始时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end = forms.DateTimeField(
        label=_("截止时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    action = forms.ChoiceField(label=_("操作类型"), required=False)
    ip = forms.CharField(
        label=_("来源IP"),
        required=False,
        max_length=45,
        widget=forms.TextInput(attrs={"placeholder": _("可填前缀")}),
    )
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=ANY + list(AuditEvent.Outcome.choices)
    )
    region = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(
        self,
        *args: Any,
        actions: Sequence[tuple[str, StrOrPromise]],
        regions: Sequence[tuple[str, StrOrPromise]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [*ANY, *actions]
        cast(forms.ChoiceField, self.fields["region"]).choices = [*ANY, *regions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止时间不能早于起始时间"))
        return data

    def to_filter(self) -> AuditFilter:
        """The filter to apply; call after ``is_valid()``. Invalid fields are dropped."""
        data = getattr(self, "cleaned_data", {})
        return AuditFilter(
            user=(data.get("user") or "").strip(),
            start=data.get("start"),
            end=data.get("end"),
            action=data.get("action") or "",
            ip=(data.get("ip") or "").strip(),
            outcome=data.get("outcome") or "",
            region=data.get("region") or "",
        )
