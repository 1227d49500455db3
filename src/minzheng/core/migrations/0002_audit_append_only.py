from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.core import audit_sql

    audit_sql.install(schema_editor.connection)
    apps.get_model("core", "AuditChainHead").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    from minzheng.core import audit_sql

    audit_sql.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
