"""Fixtures of the assistance workflow tests: a county programme officer, a 低保 household in village A
(three members, one wage), and ``walk`` to bring a case to a given step with past dates."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import COUNTY


@pytest.fixture
def county_officer(make_user):
    return make_user("county_officer", "programme_officer", COUNTY)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def dibao_household(db):
    """张三户 in 桃元村: 张三 (head, wage 1,000 元/月), his wife 李四, their son 王五 (a minor).
    Income after the 300 元 employment cost 700 元 < 850 × 3: eligible; 2,550 − 700 = 1,850 元 a month."""
    from tests.registry.factories import HouseholdFactory, IncomeFactory, PersonFactory, add_member

    head = PersonFactory(name="张三丰", birth_date=dt.date(1975, 3, 1))
    hh = HouseholdFactory(head=head)
    add_member(hh, PersonFactory(name="李四娘", birth_date=dt.date(1977, 6, 1)), relation="10")
    add_member(hh, PersonFactory(name="王小五", birth_date=dt.date(2014, 9, 1)), relation="20")
    IncomeFactory(
        household=hh, person=head, monthly_amount_fen=100000, started_on=dt.date(2020, 1, 1)
    )
    return hh


def days_ago(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=n)


STEPS = ("submitted", "accepted", "investigating", "town_review", "publicity", "county_review")


@pytest.fixture
def walk(cadre_a, officer_a):
    """``walk(household, to="county_review", **submit_kw)``: an application taken through the
    township's steps by the standard actors, dated in the past so that the publicity is over."""
    from minzheng.assistance import workflow

    def do(household, to: str = "county_review", programme: str = "dibao", **kw):
        app = workflow.application_submit(
            actor=kw.pop("actor", cadre_a),
            household=household,
            applicant=household.head,
            programme=programme,
            channel=kw.pop("channel", "village_cadre"),
            submitted_on=days_ago(30),
            commitment_signed_on=days_ago(30),
            authorisation_signed_on=days_ago(30),
            **kw,
        )
        if to == "submitted":
            return app
        app = workflow.application_accept(
            actor=officer_a, application=app, version=app.version, accepted_on=days_ago(29)
        )
        if to == "accepted":
            return app
        app = workflow.investigation_start(
            actor=officer_a, application=app, version=app.version, started_on=days_ago(28)
        )
        if to == "investigating":
            return app
        workflow.investigation_record(
            actor=officer_a,
            application=app,
            version=app.version,
            kind="home_visit",
            visited_on=days_ago(27),
            investigators=["赵调查", "钱调查"],
            findings="家中无贵重财产，户主打零工。",
            household_signed=True,
        )
        app.refresh_from_db()
        if to == "town_review":
            return app
        app = workflow.town_review(
            actor=officer_a,
            application=app,
            version=app.version,
            opinion="agree",
            text="经调查，家庭人均收入低于低保标准。",
            reviewed_on=days_ago(20),
            publicity_from=days_ago(20),
        )
        if to == "publicity":
            return app
        app = workflow.publicity_close(
            actor=officer_a, application=app, version=app.version, on=days_ago(10)
        )
        return app

    return do
