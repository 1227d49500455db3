from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """The screens of the three separated administrators (三员, 等保 level 3)."""

    name = "minzheng.administration"
    label = "administration"
    verbose_name = "三员管理"

    def ready(self) -> None:
        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MENU, MenuItem, register

        entries = (
            ("账号管理", MenuItem("用户账号", "sysadmin:users", Perm.USERS_MANAGE)),
            ("安全管理", MenuItem("角色分配", "secadmin:home", Perm.ROLES_MANAGE)),
            ("安全管理", MenuItem("角色权限矩阵", "secadmin:permissions", Perm.ROLES_MANAGE)),
            ("安全管理", MenuItem("锁定账号", "secadmin:lockouts", Perm.SECURITY_POLICY)),
            ("安全管理", MenuItem("管理员动态口令", "secadmin:totp", Perm.SECURITY_POLICY)),
            ("安全审计", MenuItem("审计日志", "auditlog:list", Perm.AUDIT_VIEW)),
            ("安全审计", MenuItem("审计统计", "auditlog:stats", Perm.AUDIT_VIEW)),
        )
        present = {item.url_name for section in MENU for item in section.items}
        for section, item in entries:
            if item.url_name not in present:
                register(section, item)
