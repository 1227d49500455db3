from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.geo.services import load_regions

    load_regions(apps.get_model("geo", "Region"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
