"""Running a module's trigger DDL on the database at hand: ``audit_sql``, ``ledger_sql`` and
``line_refs_sql`` each keep their statements per vendor and install or drop them here."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def run_for_vendor(
    connection: BaseDatabaseWrapper, *, sqlite: list[str], postgresql: list[str]
) -> None:
    """Execute the statements for ``connection``'s vendor, in order (none for another)."""
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
