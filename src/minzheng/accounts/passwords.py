"""Password rules of 等保 level 3 (IA-2, IA-3), enforced on the server for every path."""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

WEAK_PASSWORDS = frozenset(
    {
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "admin123",
        "admin@123",
        "Admin@123",
        "Admin123!",
        "Passw0rd!",
        "P@ssw0rd",
        "P@ssword1",
        "Password1!",
        "Aa123456!",
        "Abc@1234",
        "Abc123456!",
        "Qwer1234!",
        "Qq123456!",
        "1qaz@WSX",
        "1qaz!QAZ",
        "Zaq12wsx!",
        "Root@123",
        "Minzheng@123",
        "Mz123456!",
        "Welcome1!",
        "Aa@123456",
        "Admin@1234",
        "Test@1234",
    }
)
_LOWER_WEAK = frozenset(p.lower() for p in WEAK_PASSWORDS)


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, special characters."""

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum(
            [
                any(c in string.ascii_uppercase for c in password),
                any(c in string.ascii_lowercase for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < 3:
            raise ValidationError(
                gettext("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类"),
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return gettext("至少包含大写字母、小写字母、数字、特殊字符中的三类。")


class UsernameValidator:
    """The password may not contain the user name, forwards or backwards."""

    def validate(self, password: str, user: Any = None) -> None:
        name = (getattr(user, "username", "") or "").lower()
        if len(name) >= 3 and (name in password.lower() or name[::-1] in password.lower()):
            raise ValidationError(gettext("密码不能包含用户名或其倒序"), code="password_username")

    def get_help_text(self) -> str:
        return gettext("不能包含用户名或其倒序。")


class WeakPasswordListValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if password.lower() in _LOWER_WEAK:
            raise ValidationError(gettext("该密码属于常见弱口令，请换一个"), code="password_weak")

    def get_help_text(self) -> str:
        return gettext("不能使用常见弱口令。")


class HistoryValidator:
    """Refuse the current password and the last five (IA-3)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        if user.password and check_password(password, user.password):
            raise ValidationError(gettext("新密码不能与当前密码相同"), code="password_reused")
        recent = user.password_history.all()[: settings.PASSWORD_HISTORY_COUNT]
        if any(check_password(password, h.password) for h in recent):
            raise ValidationError(
                gettext("新密码不能与最近%(count)s次使用过的密码相同"),
                code="password_reused",
                params={"count": settings.PASSWORD_HISTORY_COUNT},
            )

    def get_help_text(self) -> str:
        return gettext("不能与最近%(count)s次使用过的密码相同。") % {
            "count": settings.PASSWORD_HISTORY_COUNT
        }
