from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.payments import ledger_sql

    ledger_sql.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from minzheng.payments import ledger_sql

    ledger_sql.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_payroll_ledger_accounts")]
    operations = [migrations.RunPython(forwards, backwards)]
