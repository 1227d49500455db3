"""assistance.funds_total_wan and funds_by_program_wan, from the ledger, for any period and
region; the drill-down lists the entries that were added up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.payments import metrics, services
from minzheng.payments.models import PaymentLine
from minzheng.reports.registry import Scope, registry
from minzheng.reports.selectors import compute_figure, drilldown_rows
from tests.payments.factories import AUG, JUL, enroll, region
from tests.payments.helpers import return_csv
from tests.registry.factories import VILLAGE_B

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def _figure(key, code="340521", start=YEAR[0], end=YEAR[1]):
    return compute_figure(registry.get(key), Scope(start, end, region(code)))


@pytest.fixture
def paid(pay, preparer):
    """July and August: 低保 1,234.56 in town A, 特困 800.00 in town B, 高龄 100.00 (not
    social assistance); August's 特困 payment came back from the bank."""
    enroll("dibao", amount=123456)
    tekun = enroll("tekun", amount=80000, region=VILLAGE_B)
    enroll("gaoling", amount=10000)
    pay(JUL)
    aug = pay(AUG)
    failed = PaymentLine.objects.get(run=aug, enrollment=tekun)
    services.bank_return_import(
        actor=preparer,
        run=aug,
        content=return_csv(aug, {failed.pk: "销户"}),
        filename="r.csv",
        booked_on=AUG,
    )


def test_funds_are_what_the_ledger_disbursed_in_the_period(paid):
    total = _figure("assistance.funds_total_wan")
    assert total.value == Decimal("0.33")  # (2 × 1,234.56 + 800.00) 元 = 0.3269 万元
    assert total.text == "0.33"
    by_programme = _figure("assistance.funds_by_program_wan")
    assert by_programme.value == {
        "最低生活保障": Decimal("0.25"),
        "特困人员救助供养": Decimal("0.08"),
    }


def test_funds_follow_the_period_and_the_region(paid):
    assert metrics.funds_total_fen(Scope(JUL, dt.date(2024, 7, 31), region())) == 123456 + 80000
    assert metrics.funds_total_fen(Scope(*YEAR, region("340521103"))) == 80000
    assert metrics.funds_total_fen(Scope(*YEAR, region("340521104"))) == 2 * 123456
    assert metrics.funds_total_fen(Scope(dt.date(2025, 1, 1), dt.date(2025, 12, 31), region())) == 0


def test_the_drill_down_lists_the_entries_that_were_added_up(paid):
    metric = registry.get("assistance.funds_total_wan")
    rows = list(drilldown_rows(metric, Scope(*YEAR, region())))
    assert sum(r[6] for r in rows) == metrics.funds_total_fen(Scope(*YEAR, region()))
    assert {r[1] for r in rows} == {"payment", "reversal"}
    assert "gaoling" not in {r[2] for r in rows}


def test_vagrant_rescue_spending_is_added_through_its_hook(paid, monkeypatch):
    monkeypatch.setattr(metrics, "EXTERNAL_SPENDING", {})
    metrics.register_external_spending("vagrant_rescue", lambda scope: 500000)
    by_programme = metrics.funds_by_programme_fen(Scope(*YEAR, region()))
    assert by_programme["流浪乞讨人员救助"] == 500000
    with pytest.raises(ValueError, match="not a programme"):
        metrics.register_external_spending("gaoling", lambda scope: 1)
