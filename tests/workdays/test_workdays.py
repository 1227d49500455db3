from datetime import date

import pytest

from minzheng.core.exceptions import DomainError, PermissionDeniedError
from minzheng.core.models import AuditEvent
from minzheng.workdays import selectors, services
from minzheng.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_official_arrangement_is_shipped():
    assert not selectors.is_workday(date(2024, 10, 1))  # National Day, a Tuesday
    assert selectors.is_workday(date(2024, 10, 12))  # Saturday made a working day
    assert not selectors.is_workday(date(2024, 10, 13))  # an ordinary Sunday


def test_ten_working_days_skip_the_national_day_week():
    # Friday 2024-09-27 + 10 working days: 9-29 (Sun, make-up) and 9-30 count (2), 10-1..7 do
    # not, 10-8..10-11 (6), 10-12 (Sat, make-up: 7), 10-14..10-16 (10).
    assert selectors.add_workdays(date(2024, 9, 27), 10) == date(2024, 10, 16)


def test_workdays_between_matches_add_workdays():
    start = date(2025, 1, 20)
    end = selectors.add_workdays(start, 15)
    assert selectors.workdays_between(start, end) == 15
    assert selectors.workdays_between(end, start) == -15


def test_a_year_without_arrangement_is_flagged():
    assert selectors.years_without_arrangement(date(2027, 3, 1)) == [2027]
    assert selectors.years_without_arrangement(date(2026, 3, 1)) == []
    assert selectors.years_without_arrangement(date(2026, 11, 1)) == [2027]


def test_system_administrator_enters_next_year(admins):
    services.calendar_day_set(
        actor=admins["system_admin"], day=date(2027, 2, 8), kind="holiday", name="春节"
    )
    assert not selectors.is_workday(date(2027, 2, 8))
    assert AuditEvent.objects.filter(action="calendar.set").latest("seq").changes == {
        "kind": [None, "holiday"],
        "name": [None, "春节"],
    }


def test_a_weekday_cannot_be_a_make_up_workday(admins):
    with pytest.raises(DomainError, match="本来就是工作日"):
        services.calendar_day_set(
            actor=admins["system_admin"], day=date(2027, 2, 9), kind="workday", name="x"
        )


def test_business_users_cannot_edit_the_calendar(county_admin):
    with pytest.raises(PermissionDeniedError):
        services.calendar_day_set(
            actor=county_admin, day=date(2027, 2, 8), kind="holiday", name="春节"
        )


def test_calendar_page_for_the_system_administrator_only(client, login_as, admins, county_admin):
    resp = login_as(admins["system_admin"]).get("/workdays/?year=2024")
    assert resp.status_code == 200
    assert "国庆节" in resp.content.decode()
    client.post("/accounts/logout/")
    assert login_as(county_admin).get("/workdays/").status_code == 403


def test_page_form_saves_and_clears(login_as, admins):
    client = login_as(admins["system_admin"])
    resp = client.post("/workdays/", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert resp.status_code == 302
    assert CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()
    client.post("/workdays/2027-10-01/clear/")
    assert not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()
