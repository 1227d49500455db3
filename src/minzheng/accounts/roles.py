"""Roles and what each may do. The defaults live here as data; the security administrator
edits the role → permission table in the UI (``RolePermission``), seeded from these defaults.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Role(models.TextChoices):
    # Labels stay Chinese (stored in audit records and exports); they are msgids, translated
    # only where shown to the user (User.role_labels).
    COUNTY_ADMIN = "county_admin", gettext_noop("县局业务管理员")
    PROGRAMME_OFFICER = "programme_officer", gettext_noop("县局业务经办人")
    TOWN_OFFICER = "town_officer", gettext_noop("乡镇民政干部")
    VILLAGE_CADRE = "village_cadre", gettext_noop("村（社区）干部")
    INSTITUTION_OPERATOR = "institution_operator", gettext_noop("机构经办人")
    HOTLINE_OPERATOR = "hotline_operator", gettext_noop("热线接线员")
    AUDITOR = "auditor", gettext_noop("业务审计员（只读）")
    SYSTEM_ADMIN = "system_admin", gettext_noop("系统管理员")
    SECURITY_ADMIN = "security_admin", gettext_noop("安全管理员")
    AUDIT_ADMIN = "audit_admin", gettext_noop("审计管理员")


#: 三员: mutually exclusive with each other and with every business role.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
BUSINESS_ROLES = frozenset(set(Role) - ADMIN_ROLES)


class Perm(models.TextChoices):
    DASHBOARD_VIEW = "dashboard.view", "查看工作台"
    REGISTRY_VIEW = "registry.view", "查看救助对象档案"
    REGISTRY_EDIT = "registry.edit", "编辑救助对象档案"
    REGISTRY_IMPORT = "registry.import", "批量导入档案"
    PII_REVEAL = "pii.reveal", "查看完整身份证号和电话"
    EXPORT = "data.export", "导出数据"
    REPORTS_VIEW = "reports.view", "查看统计报表"
    TASKS_VIEW = "tasks.view", "查看后台任务"
    USERS_MANAGE = "users.manage", "管理用户账号（系统管理员）"
    SYSTEM_CONFIG = "system.config", "系统配置与备份（系统管理员）"
    ROLES_MANAGE = "roles.manage", "分配角色与权限（安全管理员）"
    SECURITY_POLICY = "security.policy", "安全策略与账号解锁（安全管理员）"
    AUDIT_VIEW = "audit.view", "查看与导出审计日志（审计管理员）"
    ASSISTANCE_VIEW = "assistance.view", "查看社会救助申请"
    ASSISTANCE_APPLY = "assistance.apply", "提交社会救助申请（含代为申请）"
    ASSISTANCE_REVIEW = "assistance.review", "受理、调查、初审与公示（乡镇）"
    ASSISTANCE_APPROVE = "assistance.approve", "审核确认社会救助申请（县级）"
    ASSISTANCE_PARAMETERS = "assistance.parameters", "维护社会救助参数"
    PAYMENTS_VIEW = "payments.view", "查看资金发放"
    PAYMENTS_PREPARE = "payments.prepare", "生成与复核发放批次、处理发放异常"
    PAYMENTS_APPROVE = "payments.approve", "审批发放批次"
    PAYMENTS_EXPORT = "payments.export", "导出银行代发文件（含完整身份证号和账号）"


_BUSINESS_READ = {Perm.DASHBOARD_VIEW, Perm.REGISTRY_VIEW, Perm.REPORTS_VIEW, Perm.TASKS_VIEW}
_BUSINESS_WRITE = _BUSINESS_READ | {Perm.REGISTRY_EDIT, Perm.EXPORT}
#: Payroll (minzheng.payments): the county prepares and approves; approver ≠ preparer is
#: enforced by the service, not by the roles. Granted by payments migration 0003 as well.
_PAYMENTS_ALL = {
    Perm.PAYMENTS_VIEW,
    Perm.PAYMENTS_PREPARE,
    Perm.PAYMENTS_APPROVE,
    Perm.PAYMENTS_EXPORT,
}
_PAYMENTS_OFFICER = {Perm.PAYMENTS_VIEW, Perm.PAYMENTS_PREPARE, Perm.PAYMENTS_EXPORT}

#: Social assistance (社会救助) workflow: the village cadre applies on a household's behalf; the
#: town officer accepts, investigates, reviews and publishes; the county approves; the county
#: administrator keeps the parameters. Granted by accounts migration 0003_workflow_*.
ASSISTANCE_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        {Perm.ASSISTANCE_VIEW, Perm.ASSISTANCE_APPROVE, Perm.ASSISTANCE_PARAMETERS}
    ),
    Role.PROGRAMME_OFFICER: frozenset({Perm.ASSISTANCE_VIEW, Perm.ASSISTANCE_APPROVE}),
    Role.TOWN_OFFICER: frozenset(
        {Perm.ASSISTANCE_VIEW, Perm.ASSISTANCE_APPLY, Perm.ASSISTANCE_REVIEW}
    ),
    Role.VILLAGE_CADRE: frozenset({Perm.ASSISTANCE_VIEW, Perm.ASSISTANCE_APPLY}),
    Role.AUDITOR: frozenset({Perm.ASSISTANCE_VIEW}),
}

DEFAULT_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        _BUSINESS_WRITE
        | _PAYMENTS_ALL
        | {Perm.REGISTRY_IMPORT, Perm.PII_REVEAL}
        | ASSISTANCE_ROLE_PERMISSIONS[Role.COUNTY_ADMIN]
    ),
    Role.PROGRAMME_OFFICER: frozenset(
        _BUSINESS_WRITE
        | _PAYMENTS_OFFICER
        | {Perm.REGISTRY_IMPORT, Perm.PII_REVEAL}
        | ASSISTANCE_ROLE_PERMISSIONS[Role.PROGRAMME_OFFICER]
    ),
    Role.TOWN_OFFICER: frozenset(
        _BUSINESS_WRITE
        | {Perm.PAYMENTS_VIEW, Perm.REGISTRY_IMPORT, Perm.PII_REVEAL}
        | ASSISTANCE_ROLE_PERMISSIONS[Role.TOWN_OFFICER]
    ),
    Role.VILLAGE_CADRE: frozenset(
        _BUSINESS_WRITE | ASSISTANCE_ROLE_PERMISSIONS[Role.VILLAGE_CADRE]
    ),
    Role.INSTITUTION_OPERATOR: frozenset(
        {Perm.DASHBOARD_VIEW, Perm.REGISTRY_VIEW, Perm.TASKS_VIEW}
    ),
    Role.HOTLINE_OPERATOR: frozenset({Perm.DASHBOARD_VIEW, Perm.REGISTRY_VIEW}),
    Role.AUDITOR: frozenset(
        _BUSINESS_READ
        | {Perm.EXPORT, Perm.PAYMENTS_VIEW}
        | ASSISTANCE_ROLE_PERMISSIONS[Role.AUDITOR]
    ),
    Role.SYSTEM_ADMIN: frozenset({Perm.USERS_MANAGE, Perm.SYSTEM_CONFIG, Perm.TASKS_VIEW}),
    Role.SECURITY_ADMIN: frozenset({Perm.ROLES_MANAGE, Perm.SECURITY_POLICY}),
    Role.AUDIT_ADMIN: frozenset({Perm.AUDIT_VIEW}),
}

#: Permissions that never go to a business role, and business permissions that never go to
#: an administrator role: the security administrator cannot break 三权分立 by editing.
ADMIN_ONLY_PERMS = frozenset(
    {
        Perm.USERS_MANAGE,
        Perm.SYSTEM_CONFIG,
        Perm.ROLES_MANAGE,
        Perm.SECURITY_POLICY,
        Perm.AUDIT_VIEW,
    }
)
ADMIN_ROLE_OWN_PERMS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({Perm.USERS_MANAGE, Perm.SYSTEM_CONFIG, Perm.TASKS_VIEW}),
    Role.SECURITY_ADMIN: frozenset({Perm.ROLES_MANAGE, Perm.SECURITY_POLICY}),
    Role.AUDIT_ADMIN: frozenset({Perm.AUDIT_VIEW}),
}


def role_conflict(roles: set[str]) -> str | None:
    """Why a set of roles may not be held by one account, or None."""
    admin = roles & ADMIN_ROLES
    if len(admin) > 1:
        names = "、".join(Role(r).label for r in sorted(admin))
        return f"三员角色互斥：{names}不能由同一账号兼任"
    if admin and roles & BUSINESS_ROLES:
        return f"{Role(next(iter(admin))).label}不能同时担任业务角色"
    return None
