"""The demo county: staff accounts for every role, created through the real services.

Passwords are generated once and kept in ``var/demo-logins.json`` so that re-running the demo
prints the same logins; nothing here is a fixed default password.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from minzheng.accounts import services as account_services
from minzheng.accounts.models import User
from minzheng.accounts.roles import Role
from minzheng.geo.models import Region


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    region_code: str


DEMO_ACCOUNTS = (
    DemoAccount("xian_admin", "王建国", Role.COUNTY_ADMIN, "340521"),
    DemoAccount("xian_jingban", "李秀英", Role.PROGRAMME_OFFICER, "340521"),
    DemoAccount("tangnan", "陈志强", Role.TOWN_OFFICER, "340521104"),
    DemoAccount("shiqiao", "赵丽华", Role.TOWN_OFFICER, "340521103"),
    DemoAccount("taoyuan", "孙永明", Role.VILLAGE_CADRE, "340521104201"),
    DemoAccount("jigou", "周晓梅", Role.INSTITUTION_OPERATOR, "340521103"),
    DemoAccount("rexian", "吴海燕", Role.HOTLINE_OPERATOR, "340521"),
    DemoAccount("shenji", "郑国平", Role.AUDITOR, "340521"),
    DemoAccount("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "340521"),
    DemoAccount("secadmin", "安全管理员", Role.SECURITY_ADMIN, "340521"),
    DemoAccount("auditadmin", "审计管理员", Role.AUDIT_ADMIN, "340521"),
)


def _logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.json"


@transaction.atomic
def ensure_demo_accounts() -> list[dict[str, str]]:
    path = _logins_file()
    known: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    out = []
    for acc in DEMO_ACCOUNTS:
        entry = known.get(acc.username)
        user = User.objects.filter(username=acc.username).first()
        if user is None or entry is None:
            if user is not None:  # file lost: give the account a fresh password
                password = account_services.generate_password()
                user.set_password(password)
                user.save(update_fields=["password"])
            else:
                user, password = account_services.user_create(
                    actor=None,
                    username=acc.username,
                    full_name=acc.full_name,
                    region=Region.objects.get(code=acc.region_code),
                    must_change_password=False,
                )
                account_services.user_set_roles(actor=None, user=user, roles={acc.role})
            entry = {
                "username": acc.username,
                "password": password,
                "role": Role(acc.role).label,
                "region": Region.objects.get(code=acc.region_code).name,
            }
            if acc.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
                device = account_services.totp_device_create(actor=None, user=user)
                entry["totp_secret"] = base64.b32encode(bytes.fromhex(device.key)).decode()
            known[acc.username] = entry
        elif (
            acc.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
            and not TOTPDevice.objects.filter(user=user).exists()
        ):
            device = account_services.totp_device_create(actor=None, user=user)
            entry["totp_secret"] = base64.b32encode(bytes.fromhex(device.key)).decode()
        out.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, ensure_ascii=False, indent=1))
    path.chmod(0o600)
    return out
