from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.registry.codes import load_codes

    load_codes(apps.get_model("registry", "CodeItem"))


def backwards(apps, schema_editor):
    apps.get_model("registry", "CodeItem").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
