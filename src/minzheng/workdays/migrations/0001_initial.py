from django.db import migrations, models


def load(apps, schema_editor):
    from minzheng.workdays.services import load_official

    load_official(apps.get_model("workdays", "CalendarDay"))


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                ("kind", models.CharField(choices=[("holiday", "放假"), ("workday", "调休上班")], max_length=8, verbose_name="类型")),
                ("name", models.CharField(max_length=40, verbose_name="名称")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "节假日与调休", "verbose_name_plural": "节假日与调休", "ordering": ["date"]},
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
