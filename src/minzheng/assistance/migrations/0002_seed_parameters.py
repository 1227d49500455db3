from django.db import migrations


def seed(apps, schema_editor):
    import json
    from datetime import date

    from minzheng.assistance.parameters import DATA_DIR

    ParameterValue = apps.get_model("assistance", "ParameterValue")
    for path in sorted(DATA_DIR.glob("parameters-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for row in data["rows"]:
            ParameterValue.objects.get_or_create(
                county_code=data["county_code"],
                key=row["key"],
                effective_from=date.fromisoformat(row["effective_from"]),
                defaults={
                    "value": row["value"],
                    "effective_to": date.fromisoformat(row["effective_to"]) if row.get("effective_to") else None,
                    "confirmed": False,
                    "basis": row.get("basis", ""),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_enrollments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
