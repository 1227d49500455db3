from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy


class LoginForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=gettext_lazy("动态口令"),
        required=False,
        max_length=8,
        help_text=gettext_lazy("管理员账号须填写手机令牌上的6位动态口令"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("原密码"), strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=gettext_lazy("新密码"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=gettext_lazy(
            "至少8位，包含大写字母、小写字母、数字、特殊字符中的三类，不能与最近5次密码相同"
        ),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("再次输入新密码"), strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", gettext("两次输入的新密码不一致"))
        return data
