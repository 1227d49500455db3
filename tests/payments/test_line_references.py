"""The database checks what a payment line refers to (docs/decisions/0006): a line naming a
missing run, enrollment, account, re-issued exception or back-pay item is refused, and so is
deleting or renumbering a row a line refers to. PostgreSQL checks once per statement, SQLite
per row; both refuse the same things."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from minzheng.payments import line_refs_sql
from minzheng.payments.models import PayeeAccount, PaymentLine, PaymentRun
from tests.payments.factories import JUL, enroll

pytestmark = pytest.mark.django_db

MISSING = 987_654_321
REFUSED = "referenced by payment lines"


def _values(line: PaymentLine, **change: object) -> dict[str, object]:
    """A copy of ``line`` that holds no month (so the paid-once index stays out of the way)."""
    values: dict[str, object] = {
        "run_id": line.run_id,
        "kind": PaymentLine.Kind.REGULAR,
        "enrollment_id": line.enrollment_id,
        "payee_id": line.payee_id,
        "programme": line.programme,
        "programme_group": line.programme_group,
        "month": line.month,
        "held_month": None,
        "amount_fen": 1,
        "region_id": line.region_id,
        "county_code": line.county_code,
    }
    values.update(change)
    return values


def _account_id(line: PaymentLine) -> int:
    return PayeeAccount.objects.get(person_id=line.payee_id, active=True).pk


@pytest.fixture
def line(pay) -> PaymentLine:
    enroll()
    return PaymentLine.objects.get(run=pay(JUL, export=False))


@pytest.mark.parametrize("column", list(line_refs_sql.REFERENCES))
def test_a_line_naming_a_missing_row_is_refused(line, column):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(**_values(line, **{column: MISSING}))

    assert PaymentLine.objects.count() == 1
    PaymentLine.objects.create(**_values(line))  # the same line with real references is taken
    assert PaymentLine.objects.count() == 2


def test_one_bad_row_refuses_the_whole_statement(pay):
    enroll(), enroll()
    run = pay(JUL, export=False)
    first = PaymentLine.objects.filter(run=run).order_by("pk").first()
    assert first is not None

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO payments_paymentline (run_id, kind, enrollment_id, payee_id, programme, "
            "programme_group, month, amount_fen, region_id, county_code, held_month, status, "
            "note) SELECT run_id, kind, CASE WHEN id = %s THEN %s ELSE enrollment_id END, "
            "payee_id, programme, programme_group, month, amount_fen, region_id, county_code, "
            "NULL, status, note FROM payments_paymentline WHERE run_id = %s",
            [first.pk, MISSING, run.pk],
        )

    assert PaymentLine.objects.filter(run=run).count() == 2


def test_an_account_set_on_a_line_must_exist(line):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).update(account_id=MISSING)

    account_id = _account_id(line)
    PaymentLine.objects.filter(pk=line.pk).update(account_id=account_id)
    line.refresh_from_db()
    assert line.account_id == account_id


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("payments_paymentrun", "run_id"),
        ("assistance_enrollment", "enrollment_id"),
        ("payments_payeeaccount", "account_id"),
    ],
)
def test_a_row_a_line_refers_to_cannot_be_deleted_or_renumbered(line, table, column):
    PaymentLine.objects.filter(pk=line.pk).update(account_id=_account_id(line))
    line.refresh_from_db()
    parent_id = getattr(line, column)

    # raw SQL: Django's own on_delete=PROTECT would refuse before the database is asked
    with (
        pytest.raises(IntegrityError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(f"DELETE FROM {table} WHERE id = %s", [parent_id])
    with (
        pytest.raises(IntegrityError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(f"UPDATE {table} SET id = %s WHERE id = %s", [MISSING, parent_id])

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {table} WHERE id = %s", [parent_id])
        assert cur.fetchone()[0] == 1


def test_a_row_no_line_refers_to_can_still_be_deleted(pay):
    enroll()
    empty = pay(JUL, programme="orphan", export=False)  # nobody is enrolled in it
    assert not PaymentLine.objects.filter(run=empty).exists()

    with connection.cursor() as cur:
        cur.execute("DELETE FROM payments_paymentrun WHERE id = %s", [empty.pk])

    assert not PaymentRun.objects.filter(pk=empty.pk).exists()


def test_the_checks_are_installed_and_the_per_row_foreign_keys_are_gone():
    """After the migrations: every trigger of line_refs_sql exists, and the line table has no
    foreign key of its own left (a later migration that restores one, or rebuilds a table
    and loses a trigger, fails here)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
            )
            installed = set(cur.fetchall())
            expected = line_refs_sql.PG_TRIGGERS
            cur.execute(
                "SELECT COUNT(*) FROM pg_constraint "
                "WHERE conrelid = 'payments_paymentline'::regclass AND contype = 'f'"
            )
        else:
            cur.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            installed = set(cur.fetchall())
            expected = line_refs_sql.SQLITE_TRIGGERS
            cur.execute("SELECT COUNT(*) FROM pragma_foreign_key_list('payments_paymentline')")
        foreign_keys = cur.fetchone()[0]

    assert expected - installed == set()
    assert foreign_keys == 0


# --- PostgreSQL: a delete racing an insert ---------------------------------------------------


def _connect() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname=s["NAME"],
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_a_run_while_a_line_for_it_is_being_written_is_refused(pay):
    """The writer's line is not committed when the delete starts: the delete waits for it
    (the lock on the line table) and then sees it, instead of leaving the line dangling."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: a delete cannot overlap an insert")
    enroll()
    line = PaymentLine.objects.get(run=pay(JUL, export=False))
    fresh = pay(JUL, programme="orphan", export=False)  # nobody is enrolled: no line yet
    writer, deleter = _connect(), _connect()
    deleter.autocommit = True
    outcome: dict[str, object] = {}
    try:
        # a copy of the line, for the fresh run, holding no month: written, not committed
        writer.execute(
            "INSERT INTO payments_paymentline (run_id, kind, enrollment_id, payee_id, "
            "programme, programme_group, month, amount_fen, region_id, county_code, "
            "held_month, status, note) SELECT %s, kind, enrollment_id, payee_id, programme, "
            "programme_group, month, amount_fen, region_id, county_code, NULL, 'pending', '' "
            "FROM payments_paymentline WHERE id = %s",
            [fresh.pk, line.pk],
        )

        def delete() -> None:
            try:
                deleter.execute("DELETE FROM payments_paymentrun WHERE id = %s", [fresh.pk])
                outcome["deleted"] = True
            except psycopg.errors.ForeignKeyViolation as exc:
                outcome["refused"] = str(exc)

        thread = threading.Thread(target=delete)
        thread.start()
        time.sleep(1.0)
        outcome["waited"] = thread.is_alive()
        writer.commit()
        thread.join(timeout=30)
    finally:
        writer.close()
        deleter.close()

    assert outcome["waited"] is True
    assert REFUSED in str(outcome.get("refused"))
    assert PaymentRun.objects.filter(pk=fresh.pk).exists()
    assert PaymentLine.objects.filter(run=fresh).count() == 1
