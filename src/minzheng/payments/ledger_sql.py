"""Database triggers that keep the ledger append-only and payroll lines frozen (used by a
migration and by the test suite's table flush), on SQLite and PostgreSQL like
``core.audit_sql``.

- ``payments_ledgerentry``: UPDATE and DELETE are always refused (PostgreSQL: TRUNCATE too).
  A correction is a new, reversing entry.
- ``payments_paymentline``: DELETE is refused; an UPDATE may move the status, set the account
  used at export and release the held month (set it to NULL), but never change what was
  frozen at generation (run, kind, enrollment, payee, programme, group, month, amount, region)
  nor claim a month again.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from minzheng.core.trigger_sql import run_for_vendor

LEDGER = "payments_ledgerentry"
LINES = "payments_paymentline"
FROZEN = (
    "run_id",
    "kind",
    "enrollment_id",
    "payee_id",
    "programme",
    "programme_group",
    "month",
    "amount_fen",
    "region_id",
    "county_code",
    "source_exception_id",
    "back_pay_id",
)

_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS payments_ledger_no_update BEFORE UPDATE ON {LEDGER}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS payments_ledger_no_delete BEFORE DELETE ON {LEDGER}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS payments_line_no_delete BEFORE DELETE ON {LINES}
        BEGIN SELECT RAISE(ABORT, 'payment lines are never deleted'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS payments_line_frozen BEFORE UPDATE ON {LINES}
        WHEN {_SQLITE_CHANGED}
          OR (NEW.held_month IS NOT NULL AND NEW.held_month IS NOT OLD.held_month)
        BEGIN SELECT RAISE(ABORT, 'payment lines are frozen at generation'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS payments_ledger_no_update",
    "DROP TRIGGER IF EXISTS payments_ledger_no_delete",
    "DROP TRIGGER IF EXISTS payments_line_no_delete",
    "DROP TRIGGER IF EXISTS payments_line_frozen",
]

PG_INSTALL = [
    """CREATE OR REPLACE FUNCTION minzheng_ledger_guard() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'ledger entries are append-only (%)', TG_OP;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION minzheng_payment_line_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'payment lines are never deleted';
      END IF;
      IF {_PG_CHANGED}
         OR (NEW.held_month IS NOT NULL AND NEW.held_month IS DISTINCT FROM OLD.held_month) THEN
        RAISE EXCEPTION 'payment lines are frozen at generation';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS payments_ledger_rows ON {LEDGER}",
    f"""CREATE TRIGGER payments_ledger_rows BEFORE UPDATE OR DELETE ON {LEDGER}
        FOR EACH ROW EXECUTE FUNCTION minzheng_ledger_guard()""",
    f"DROP TRIGGER IF EXISTS payments_ledger_truncate ON {LEDGER}",
    f"""CREATE TRIGGER payments_ledger_truncate BEFORE TRUNCATE ON {LEDGER}
        FOR EACH STATEMENT EXECUTE FUNCTION minzheng_ledger_guard()""",
    f"DROP TRIGGER IF EXISTS payments_line_rows ON {LINES}",
    f"""CREATE TRIGGER payments_line_rows BEFORE UPDATE OR DELETE ON {LINES}
        FOR EACH ROW EXECUTE FUNCTION minzheng_payment_line_guard()""",
    f"DROP TRIGGER IF EXISTS payments_line_truncate ON {LINES}",
    f"""CREATE TRIGGER payments_line_truncate BEFORE TRUNCATE ON {LINES}
        FOR EACH STATEMENT EXECUTE FUNCTION minzheng_payment_line_guard()""",
]
PG_DROP = [
    f"DROP TRIGGER IF EXISTS payments_ledger_rows ON {LEDGER}",
    f"DROP TRIGGER IF EXISTS payments_ledger_truncate ON {LEDGER}",
    f"DROP TRIGGER IF EXISTS payments_line_rows ON {LINES}",
    f"DROP TRIGGER IF EXISTS payments_line_truncate ON {LINES}",
]


def install(connection: BaseDatabaseWrapper) -> None:
    run_for_vendor(connection, sqlite=SQLITE_INSTALL, postgresql=PG_INSTALL)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Only for the test suite's table flush."""
    run_for_vendor(connection, sqlite=SQLITE_DROP, postgresql=PG_DROP)
