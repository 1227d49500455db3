from __future__ import annotations

import pytest

from tests.conftest import COUNTY


@pytest.fixture
def preparer(make_user):
    # a county administrator: holds the approval permission too, so the four-eyes rule is what
    # refuses their own run
    return make_user("preparer", "county_admin", COUNTY, full_name="王制单")


@pytest.fixture
def approver(make_user):
    return make_user("approver", "county_admin", COUNTY, full_name="李审批")


@pytest.fixture
def pay(preparer, approver):
    """Run a month through prepare → review → approve → export; returns the run."""
    from minzheng.payments import services
    from minzheng.payments.models import BankLayout
    from tests.payments.factories import region

    def do(month, *, programme="", where=None, export=True, booked_on=None):
        start = services.payroll_run_start(
            actor=preparer, programme=programme, month=month, region=where or region()
        )
        run = start.run
        if not export:
            return run
        run = services.payroll_run_review(actor=preparer, run=run)
        run = services.payroll_run_approve(actor=approver, run=run)
        services.payroll_run_export(
            actor=preparer,
            run=run,
            layout=BankLayout.objects.get(code="generic"),
            fmt="csv",
            booked_on=booked_on or month,
        )
        run.refresh_from_db()
        return run

    return do
