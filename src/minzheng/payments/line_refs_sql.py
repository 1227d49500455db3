"""The payment line's references, checked by the database once per statement instead of by a
foreign-key trigger per row (docs/decisions/0006).

A payroll run inserts up to a million lines in a few statements. A foreign key costs
PostgreSQL, for every inserted row and every key (even a NULL one), a queued trigger event
and a ``SELECT … FOR KEY SHARE`` that locks the parent row; on 360,000 lines the five keys of
the line table took as long as the rest of the insert together. The same guarantee here:

- **Child side, PostgreSQL.** One ``AFTER INSERT … FOR EACH STATEMENT`` trigger reads the
  statement's new rows (a transition table) and looks for a reference that has no parent row,
  one anti-join per key; a second trigger does the same for ``UPDATE`` statements, where only
  the account can change (every other reference is frozen by ``payments_line_rows``).
- **Parent side, PostgreSQL.** Deleting (or renumbering) a run, enrollment, account, payment
  exception or back-pay item that a line refers to is refused by a row trigger on that table.
  It first takes ``SHARE`` lock on the line table, which waits for every transaction that is
  writing lines and keeps new writers out until it ends, so a line inserted concurrently is
  either seen (and the delete refused) or inserted afterwards (and its own check fails).
  ``TRUNCATE`` of a parent table is refused while any line exists.
- **SQLite** checks per row, as its foreign keys did (``BEFORE INSERT`` / ``UPDATE OF`` /
  ``DELETE`` triggers); SQLite has no statement-level triggers, and a single writer at a time
  leaves no race to close.

Violations raise SQLSTATE 23503 (``foreign_key_violation``) on PostgreSQL and an ``ABORT`` on
SQLite, both ``IntegrityError`` in Django, with a message that names the missing reference.
The application never deletes any of the parent rows; these triggers are the database's
guarantee, not a path the application takes.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from minzheng.core.trigger_sql import run_for_vendor

LINES = "payments_paymentline"
#: line column -> the table it refers to (by ``id``); the last three are NULL on most lines
REFERENCES: dict[str, str] = {
    "run_id": "payments_paymentrun",
    "enrollment_id": "assistance_enrollment",
    "account_id": "payments_payeeaccount",
    "source_exception_id": "payments_paymentexception",
    "back_pay_id": "payments_backpayitem",
}
#: never NULL on a line
REQUIRED = ("run_id", "enrollment_id")
#: the only reference an UPDATE may change (the others are frozen by ``payments_line_rows``)
MUTABLE = ("account_id",)


def _pg_missing(columns: tuple[str, ...]) -> str:
    """PL/pgSQL: raise when a row of ``new_lines`` refers to a missing parent, one pass over
    the new rows for the keys every line has (an anti-join each), and one for the keys that
    are NULL on most lines (their look-up runs only where the key is set)."""
    always = [c for c in columns if c in REQUIRED]
    sometimes = [c for c in columns if c not in REQUIRED]
    passes = [[c] for c in always] + ([sometimes] if sometimes else [])
    blocks = []
    for group in passes:
        missing = " OR ".join(
            f"(n.{c} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {REFERENCES[c]} p WHERE p.id = n.{c}))"
            for c in group
        )
        blocks.append(
            f"""SELECT n.id INTO line_id FROM new_lines n WHERE {missing} LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
          MESSAGE = format('payment line %s refers to a missing row ({", ".join(group)})',
                           line_id);
      END IF;"""
        )
    return "\n      ".join(blocks)


PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION minzheng_payment_line_refs() RETURNS trigger AS $$
    DECLARE line_id bigint;
    BEGIN
      IF TG_OP = 'INSERT' THEN
      {_pg_missing(tuple(REFERENCES))}
      ELSE
      {_pg_missing(MUTABLE)}
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION minzheng_payment_line_parent() RETURNS trigger AS $$
    DECLARE used boolean;
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM payments_paymentline) THEN
          RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%s is referenced by payment lines', TG_TABLE_NAME);
        END IF;
        RETURN NULL;
      END IF;
      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
      END IF;
      LOCK TABLE payments_paymentline IN SHARE MODE;
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM payments_paymentline WHERE %I = $1)',
                     TG_ARGV[0]) INTO used USING OLD.id;
      IF used THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
          MESSAGE = format('%s %s is referenced by payment lines (%s)',
                           TG_TABLE_NAME, OLD.id, TG_ARGV[0]);
      END IF;
      IF TG_OP = 'DELETE' THEN
        RETURN OLD;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS payments_line_refs_insert ON {LINES}",
    f"""CREATE TRIGGER payments_line_refs_insert AFTER INSERT ON {LINES}
        REFERENCING NEW TABLE AS new_lines
        FOR EACH STATEMENT EXECUTE FUNCTION minzheng_payment_line_refs()""",
    f"DROP TRIGGER IF EXISTS payments_line_refs_update ON {LINES}",
    f"""CREATE TRIGGER payments_line_refs_update AFTER UPDATE ON {LINES}
        REFERENCING NEW TABLE AS new_lines
        FOR EACH STATEMENT EXECUTE FUNCTION minzheng_payment_line_refs()""",
]
for _column, _parent in REFERENCES.items():
    PG_INSTALL += [
        f"DROP TRIGGER IF EXISTS payments_line_parent ON {_parent}",
        f"""CREATE TRIGGER payments_line_parent BEFORE DELETE OR UPDATE OF id ON {_parent}
            FOR EACH ROW EXECUTE FUNCTION minzheng_payment_line_parent('{_column}')""",
        f"DROP TRIGGER IF EXISTS payments_line_parent_truncate ON {_parent}",
        f"""CREATE TRIGGER payments_line_parent_truncate BEFORE TRUNCATE ON {_parent}
            FOR EACH STATEMENT EXECUTE FUNCTION minzheng_payment_line_parent('{_column}')""",
    ]
PG_DROP = [
    f"DROP TRIGGER IF EXISTS payments_line_refs_insert ON {LINES}",
    f"DROP TRIGGER IF EXISTS payments_line_refs_update ON {LINES}",
] + [
    f"DROP TRIGGER IF EXISTS {name} ON {parent}"
    for parent in REFERENCES.values()
    for name in ("payments_line_parent", "payments_line_parent_truncate")
]


def _sqlite_missing(column: str) -> str:
    parent = REFERENCES[column]
    return f"(NEW.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} WHERE id = NEW.{column}))"


SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS payments_line_refs_insert BEFORE INSERT ON {LINES}
        WHEN {" OR ".join(_sqlite_missing(c) for c in REFERENCES)}
        BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a payment line refers to a missing row'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS payments_line_refs_update
        BEFORE UPDATE OF {", ".join(MUTABLE)} ON {LINES}
        WHEN {" OR ".join(_sqlite_missing(c) for c in MUTABLE)}
        BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a payment line refers to a missing row'); END""",
]
for _column, _parent in REFERENCES.items():
    SQLITE_INSTALL += [
        f"""CREATE TRIGGER IF NOT EXISTS payments_line_parent_{_parent} BEFORE DELETE ON {_parent}
            WHEN EXISTS (SELECT 1 FROM {LINES} WHERE {_column} = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {_parent} is referenced by payment lines'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS payments_line_parent_{_parent}_id BEFORE UPDATE OF id ON {_parent}
            WHEN NEW.id IS NOT OLD.id AND EXISTS (SELECT 1 FROM {LINES} WHERE {_column} = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {_parent} is referenced by payment lines'); END""",
    ]
SQLITE_DROP = (
    ["DROP TRIGGER IF EXISTS payments_line_refs_insert"]
    + ["DROP TRIGGER IF EXISTS payments_line_refs_update"]
    + [
        f"DROP TRIGGER IF EXISTS payments_line_parent_{parent}{suffix}"
        for parent in REFERENCES.values()
        for suffix in ("", "_id")
    ]
)
#: trigger names per vendor, for the test that every one is installed after migrations
PG_TRIGGERS = {("payments_line_refs_insert", LINES), ("payments_line_refs_update", LINES)} | {
    (name, parent)
    for parent in REFERENCES.values()
    for name in ("payments_line_parent", "payments_line_parent_truncate")
}
SQLITE_TRIGGERS = {("payments_line_refs_insert", LINES), ("payments_line_refs_update", LINES)} | {
    (f"payments_line_parent_{parent}{suffix}", parent)
    for parent in REFERENCES.values()
    for suffix in ("", "_id")
}


def install(connection: BaseDatabaseWrapper) -> None:
    run_for_vendor(connection, sqlite=SQLITE_INSTALL, postgresql=PG_INSTALL)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Only for the test suite's table flush."""
    run_for_vendor(connection, sqlite=SQLITE_DROP, postgresql=PG_DROP)
