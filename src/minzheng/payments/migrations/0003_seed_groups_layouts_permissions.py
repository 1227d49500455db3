"""Exclusion groups and bank layouts from data/, and the payments permissions for the roles
that carry them by default (accounts.roles.DEFAULT_ROLE_PERMISSIONS)."""

import csv
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
GRANTS = {
    "county_admin": ["payments.view", "payments.prepare", "payments.approve", "payments.export"],
    "programme_officer": ["payments.view", "payments.prepare", "payments.export"],
    "town_officer": ["payments.view"],
    "auditor": ["payments.view"],
}


def forwards(apps, schema_editor):
    ProgrammeGroup = apps.get_model("payments", "ProgrammeGroup")
    BankLayout = apps.get_model("payments", "BankLayout")
    RolePermission = apps.get_model("accounts", "RolePermission")
    with (DATA / "exclusion_groups.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ProgrammeGroup.objects.update_or_create(
                programme=row["programme"],
                defaults={
                    "group_code": row["group_code"],
                    "precedence": int(row["precedence"]),
                    "note": row["note"],
                },
            )
    for layout in json.loads((DATA / "bank_layouts.json").read_text(encoding="utf-8")):
        code = layout.pop("code")
        BankLayout.objects.update_or_create(code=code, defaults=layout)
    for role, perms in GRANTS.items():
        for perm in perms:
            RolePermission.objects.get_or_create(role=role, perm=perm)


def backwards(apps, schema_editor):
    RolePermission = apps.get_model("accounts", "RolePermission")
    RolePermission.objects.filter(perm__startswith="payments.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_append_only_triggers"),
        ("accounts", "0003_payments_permission_choices"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
