from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.accounts.roles import DEFAULT_ROLE_PERMISSIONS

    RolePermission = apps.get_model("accounts", "RolePermission")
    for role, perms in DEFAULT_ROLE_PERMISSIONS.items():
        for perm in perms:
            RolePermission.objects.get_or_create(role=str(role), perm=str(perm))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
