from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from minzheng.accounts import services
from minzheng.accounts.models import User
from minzheng.accounts.roles import Role
from minzheng.geo.models import Region


class Command(BaseCommand):
    help = (
        "Install-time creation of the three administrators (系统管理员, 安全管理员, 审计管理员). "
        "Each gets a random password, to be changed at first log-in, and a TOTP second factor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="340521", help="the county code the bureau runs")
        parser.add_argument("--prefix", default="", help="prefix for the three user names")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"区划代码 {options['region']} 不存在")
        p = options["prefix"]
        for username, name, role in (
            (f"{p}sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
            (f"{p}secadmin", "安全管理员", Role.SECURITY_ADMIN),
            (f"{p}auditadmin", "审计管理员", Role.AUDIT_ADMIN),
        ):
            if User.objects.filter(username__iexact=username).exists():
                raise CommandError(f"账号 {username} 已存在；如需重置请由系统管理员在界面操作")
            user, password = services.user_create(
                actor=None, username=username, full_name=name, region=region
            )
            services.user_set_roles(actor=None, user=user, roles={role})
            device = services.totp_device_create(actor=None, user=user)
            self.stdout.write(f"{name}: 用户名 {username}  初始密码 {password}  (首次登录须修改)")
            self.stdout.write(f"    动态口令密钥（添加到手机令牌）: {device.config_url}")
