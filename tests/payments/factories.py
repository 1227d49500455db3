"""The world around payroll: enrollments with amounts, payee accounts, users who prepare and
approve. Written straight to the database; behaviour under test goes through the services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from minzheng.assistance.models import Enrollment, EnrollmentAmount, Suspension
from minzheng.geo.models import Region
from minzheng.payments.models import LedgerEntry, PayeeAccount
from minzheng.registry.models import Person
from tests.registry.factories import VILLAGE_A, VILLAGE_B, PersonFactory

COUNTY = "340521"
JUL, AUG, SEP, OCT = (dt.date(2024, m, 1) for m in (7, 8, 9, 10))
_accounts = itertools.count(6217001234560000)


def enroll(
    programme: str = "dibao",
    *,
    person: Person | None = None,
    region: str = VILLAGE_A,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date | None = None,
    amount: int = 50000,
    amounts: tuple[tuple[dt.date, int], ...] = (),
    account: bool = True,
) -> Enrollment:
    person = person or PersonFactory(region_id=region)
    e = Enrollment.objects.create(
        programme=programme,
        payee=person,
        region_id=region,
        county_code=region[:6],
        start_month=start,
        end_month=end,
    )
    for month, fen in amounts or ((start, amount),):
        EnrollmentAmount.objects.create(
            enrollment=e, from_month=month, amount_fen=fen, reason="核定"
        )
    if account and not PayeeAccount.objects.filter(person=person, active=True).exists():
        give_account(person)
    return e


def give_account(person: Person) -> PayeeAccount:
    return PayeeAccount.objects.create(
        person=person,
        account_type=PayeeAccount.Type.YIKATONG,
        bank_name="县农商银行",
        account_number=str(next(_accounts)),
        holder_name=person.name,
        region_id=person.region_id,
        county_code=person.county_code,
    )


def suspend(e: Enrollment, frm: dt.date, to: dt.date | None = None) -> Suspension:
    return Suspension.objects.create(enrollment=e, from_month=frm, to_month=to, reason="暂停")


def region(code: str = COUNTY) -> Region:
    return Region.objects.get(code=code)


__all__ = ["COUNTY", "VILLAGE_A", "VILLAGE_B", "enroll", "give_account", "region", "suspend"]


def ledger_entry(
    e: Enrollment, booked_on: dt.date, fen: int, reverses: LedgerEntry | None = None
) -> LedgerEntry:
    """A payment (or, with ``reverses``, its reversal) booked for ``e`` on ``booked_on``, as the
    export of a run would post it."""
    return LedgerEntry.objects.create(
        kind=LedgerEntry.Kind.REVERSAL if reverses else LedgerEntry.Kind.PAYMENT,
        person_id=e.payee_id,
        enrollment=e,
        programme=e.programme,
        month=booked_on.replace(day=1),
        amount_fen=fen,
        booked_on=booked_on,
        region_id=e.region_id,
        county_code=e.county_code,
        reason="发放",
        reverses=reverses,
        created_at=timezone.now(),
    )
