import pytest

from minzheng.accounts import services
from minzheng.accounts.roles import Perm, Role
from minzheng.core.exceptions import DomainError, PermissionDeniedError
from minzheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "roles",
    [
        {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN},
        {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
        {Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN},
        {Role.AUDIT_ADMIN, Role.TOWN_OFFICER},
    ],
)
def test_separated_administrator_roles_cannot_be_combined(officer_a, roles):
    with pytest.raises(DomainError, match="不能"):
        services.user_set_roles(actor=None, user=officer_a, roles=set(roles))
    assert officer_a.role_assignments.get().role == Role.TOWN_OFFICER


def test_only_the_security_administrator_assigns_roles(admins, officer_a, county_admin):
    with pytest.raises(PermissionDeniedError):
        services.user_set_roles(actor=admins["system_admin"], user=officer_a, roles={Role.AUDITOR})
    with pytest.raises(PermissionDeniedError):
        services.user_set_roles(actor=county_admin, user=officer_a, roles={Role.AUDITOR})
    services.user_set_roles(actor=admins["security_admin"], user=officer_a, roles={Role.AUDITOR})
    event = AuditEvent.objects.filter(action="user.roles").latest("seq")
    assert event.changes == {"roles": [["town_officer"], ["auditor"]]}


def test_each_administrator_holds_only_its_own_powers(admins):
    sysadmin, secadmin, auditadmin = (
        admins[r] for r in ("system_admin", "security_admin", "audit_admin")
    )
    assert sysadmin.has_perm_code(Perm.USERS_MANAGE) and not sysadmin.has_perm_code(Perm.AUDIT_VIEW)
    assert secadmin.has_perm_code(Perm.ROLES_MANAGE) and not secadmin.has_perm_code(
        Perm.REGISTRY_VIEW
    )
    assert auditadmin.has_perm_code(Perm.AUDIT_VIEW) and not auditadmin.has_perm_code(
        Perm.USERS_MANAGE
    )


def test_security_admin_cannot_give_admin_powers_to_a_business_role(admins):
    with pytest.raises(DomainError, match="管理员权限"):
        services.role_permissions_set(
            actor=admins["security_admin"],
            role=Role.TOWN_OFFICER,
            perms={Perm.REGISTRY_VIEW, Perm.AUDIT_VIEW},
        )


def test_role_permission_change_is_audited_with_before_and_after(admins, officer_a):
    services.role_permissions_set(
        actor=admins["security_admin"], role=Role.HOTLINE_OPERATOR, perms={Perm.DASHBOARD_VIEW}
    )
    event = AuditEvent.objects.filter(action="role.permissions").latest("seq")
    before, after = event.changes["perms"]
    assert "registry.view" in before and after == ["dashboard.view"]


def test_user_names_are_unique_ignoring_case_and_never_reused(officer_a, admins):
    with pytest.raises(DomainError, match="已被使用"):
        services.user_create(
            actor=None, username="OFFICER_A", full_name="x", region=officer_a.region
        )
    services.user_deactivate(actor=admins["system_admin"], user=officer_a, reason="调离")
    with pytest.raises(DomainError, match="已被使用"):
        services.user_create(
            actor=None, username="officer_a", full_name="x", region=officer_a.region
        )


def test_installer_creates_administrators_with_random_passwords(capsys, db):
    from django.core.management import call_command

    call_command("createadmin", prefix="t_")
    out = capsys.readouterr().out
    assert "t_sysadmin" in out and "otpauth://" in out
    from minzheng.accounts.models import User

    admin = User.objects.get(username="t_sysadmin")
    assert admin.must_change_password
    for weak in ("admin", "admin123", "Admin@123", "123456"):
        assert not admin.check_password(weak)
