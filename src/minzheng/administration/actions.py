"""Chinese names of the audited action codes, for the audit screens and the export.

Codes not listed here are shown as they are, so a new action never disappears from the list.
"""

from __future__ import annotations

from minzheng.accounts.roles import Role

ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.kickout": "挤下线（并发会话）",
    "password.change": "修改密码",
    "password.reset": "重置密码",
    "user.create": "创建账号",
    "user.deactivate": "停用账号",
    "user.activate": "启用账号",
    "user.dormant": "长期未登录自动停用",
    "user.roles": "分配角色",
    "user.unlock": "解除登录锁定",
    "user.totp": "签发动态口令",
    "role.permissions": "修改角色权限",
    "api.token.create": "创建接口令牌",
    "api.token.revoke": "吊销接口令牌",
    "pii.reveal": "查看完整个人信息",
    "audit.export": "导出审计日志",
    "audit.verify": "校验审计链",
}

#: Names of the fields that appear in ``changes`` of account and role records.
FIELD_LABELS: dict[str, str] = {
    "username": "用户名",
    "full_name": "姓名",
    "region": "所属区域",
    "phone": "手机号",
    "account_expires_on": "账号有效期至",
    "is_active": "启用",
    "deactivated_reason": "停用原因",
    "must_change_password": "下次登录须改密码",
    "roles": "角色",
    "perms": "权限",
    "locked": "登录锁定",
    "totp_device": "动态口令",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def roles_label(codes: str) -> str:
    """``actor_roles`` as stored in an audit record ("a,b") → Chinese role names."""
    labels = dict(Role.choices)
    return "、".join(labels.get(c, c) for c in codes.split(",") if c)
