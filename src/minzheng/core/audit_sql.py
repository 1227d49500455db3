"""Database triggers that keep the audit table append-only (used by a migration and tests).

UPDATE is always refused. DELETE is refused for rows younger than the legal retention floor of
six calendar months (网络安全法 第二十一条), so only an archiving job may prune older rows.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from minzheng.core.trigger_sql import run_for_vendor

TABLE = "core_auditevent"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_recent_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.occurred_at > datetime('now', '-6 months')
        BEGIN SELECT RAISE(ABORT, 'audit events are kept at least 6 months'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_recent_delete",
]

PG_INSTALL = [
    """CREATE OR REPLACE FUNCTION minzheng_audit_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit events are append-only';
      ELSIF TG_OP = 'DELETE' AND OLD.occurred_at > now() - interval '6 months' THEN
        RAISE EXCEPTION 'audit events are kept at least 6 months';
      ELSIF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit events cannot be truncated';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS audit_guard_rows ON {TABLE}",
    f"""CREATE TRIGGER audit_guard_rows BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION minzheng_audit_guard()""",
    f"DROP TRIGGER IF EXISTS audit_guard_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_guard_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION minzheng_audit_guard()""",
]
PG_DROP = [
    f"DROP TRIGGER IF EXISTS audit_guard_rows ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_guard_truncate ON {TABLE}",
]


def install(connection: BaseDatabaseWrapper) -> None:
    run_for_vendor(connection, sqlite=SQLITE_INSTALL, postgresql=PG_INSTALL)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Only for the test suite's table flush and for the archiving job."""
    run_for_vendor(connection, sqlite=SQLITE_DROP, postgresql=PG_DROP)
