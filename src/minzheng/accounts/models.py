from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from minzheng.core.fields import BlindIndexField, PhoneField

from .roles import ADMIN_ROLES, Perm, Role


class User(AbstractUser):
    """A staff account. Acts within one region subtree. Never deleted: departed staff are
    deactivated so that audit records keep pointing at a real account (IA-1, AC-3)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    region = models.ForeignKey(
        "geo.Region", verbose_name="所属区域", on_delete=models.PROTECT, null=True, blank=True
    )
    phone = PhoneField("手机号", null=True, blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", null=True, blank=True, db_index=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    account_expires_on = models.DateField("账号有效期至", null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    deactivated_reason = models.CharField(max_length=200, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="username_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(self.role_assignments.values_list("role", flat=True))

    @cached_property
    def permission_codes(self) -> frozenset[str]:
        return frozenset(
            RolePermission.objects.filter(role__in=self.role_codes).values_list("perm", flat=True)
        )

    def has_perm_code(self, perm: str) -> bool:
        return self.is_active and perm in self.permission_codes

    @property
    def is_admin_role(self) -> bool:
        return bool(self.role_codes & ADMIN_ROLES)

    @property
    def role_labels(self) -> str:
        return "、".join(Role(r).label for r in sorted(self.role_codes))

    def password_expired(self, max_age_days: int) -> bool:
        if self.password_changed_at is None:
            return True
        return (timezone.now() - self.password_changed_at).days >= max_age_days


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_role_once")]


class RolePermission(models.Model):
    """Which permissions a role carries; edited only by the security administrator."""

    role = models.CharField(max_length=32, choices=Role.choices)
    perm = models.CharField(max_length=32, choices=Perm.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "perm"], name="role_perm_once")]


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, to refuse re-use of the last five."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SM3 hash is stored; revoked at log-out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
