"""Three URL namespaces, one per separated administrator: ``sysadmin``, ``secadmin``,
``auditlog``. The audit namespace has no path that changes or deletes a record."""

from django.urls import include, path

from . import views

sysadmin_patterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user"),
    path("users/<uuid:public_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<uuid:public_id>/activate/", views.user_activate, name="user_activate"),
    path(
        "users/<uuid:public_id>/reset-password/",
        views.user_password_reset,
        name="user_password_reset",
    ),
]

secadmin_patterns = [
    path("", views.security_home, name="home"),
    path("users/<uuid:public_id>/roles/", views.user_roles, name="user_roles"),
    path("permissions/", views.permission_matrix, name="permissions"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/unlock/", views.unlock, name="unlock"),
    path("totp/", views.totp_accounts, name="totp"),
    path("totp/<uuid:public_id>/issue/", views.totp_issue, name="totp_issue"),
]

auditlog_patterns = [
    path("", views.audit_list, name="list"),
    path("stats/", views.audit_stats, name="stats"),
    path("export/", views.audit_export, name="export"),
    path("verify/", views.audit_verify, name="verify"),
    path("<int:seq>/", views.audit_detail, name="detail"),
]

urlpatterns = [
    path("system/", include((sysadmin_patterns, "sysadmin"))),
    path("security/", include((secadmin_patterns, "secadmin"))),
    path("audit/", include((auditlog_patterns, "auditlog"))),
]
