"""What the calendar and the registry make due: periodic reviews (审核确认办法 第31条),
18th birthdays (孤儿 and 事实无人抚养儿童 end; 特困 minors re-checked), 高龄 age bands (the new
amount from the month after the birthday), and re-checks after a registry change."""

import datetime as dt

import pytest

from minzheng.assistance import dynamic
from minzheng.assistance.models import EnrollmentDecision, ParameterValue, ReviewTask
from minzheng.assistance.rules.people import add_months, add_years, month_start, next_month
from minzheng.assistance.selectors import amount_for_month
from minzheng.core.exceptions import PermissionDeniedError
from minzheng.registry import services as registry
from minzheng.registry.models import Employment
from tests.assistance.dynamic_helpers import dibao_household, enroll, months_from_now, person, today
from tests.registry.factories import HouseholdFactory, PersonFactory, add_member

pytestmark = pytest.mark.django_db


def _periodic(e):
    return ReviewTask.objects.get(enrollment=e, kind="periodic", status="open")


def _works(p, status="flexible", ability="full"):
    Employment.objects.create(person=p, work_ability=ability, status=status, county_code="340521")


# --- periodic reviews ---------------------------------------------------------------------------


def test_tekun_is_reviewed_a_year_after_it_started(officer_a):
    e = enroll(programme="tekun", start=months_from_now(-3))
    dynamic.dynamic_scan(actor=officer_a)
    assert _periodic(e).due_on == months_from_now(9)


def test_dibao_with_irregular_income_and_a_worker_is_reviewed_every_six_months(officer_a):
    _hh, e, (_head, son) = dibao_household(2)
    e.start_month = months_from_now(-2)
    e.save()
    son.birth_date = dt.date(1995, 3, 1)
    son.save()
    _works(son, status="flexible", ability="full")
    dynamic.dynamic_scan(actor=officer_a)
    task = _periodic(e)
    assert task.due_on == months_from_now(4)
    assert "每半年" in task.reason


def test_dibao_with_stable_income_is_reviewed_yearly(officer_a):
    _hh, e, (_head, son) = dibao_household(2)
    e.start_month = months_from_now(-2)
    e.save()
    _works(son, status="employed", ability="full")
    dynamic.dynamic_scan(actor=officer_a)
    assert _periodic(e).due_on == months_from_now(10)


def test_irregular_income_but_nobody_able_to_work_is_yearly(officer_a):
    _hh, e, (_head, son) = dibao_household(2)
    e.start_month = months_from_now(-2)
    e.save()
    _works(son, status="flexible", ability="none")
    dynamic.dynamic_scan(actor=officer_a)
    assert _periodic(e).due_on == months_from_now(10)


def test_scanning_again_raises_nothing_twice(officer_a):
    enroll(programme="tekun")
    first = dynamic.dynamic_scan(actor=officer_a)
    second = dynamic.dynamic_scan(actor=officer_a)
    assert first.periodic == 1
    assert second.total == 0
    assert ReviewTask.objects.count() == 1


def test_completing_a_periodic_review_schedules_the_next_from_today(officer_a, cadre_a):
    e = enroll(programme="tekun")
    dynamic.dynamic_scan(actor=officer_a)
    done = dynamic.review_task_complete(
        actor=cadre_a, task=_periodic(e), outcome="unchanged", note="入户核查，情况无变化"
    )
    assert done.status == "done"
    assert _periodic(e).due_on == add_months(today(), 12)
    # 第31条: nothing changed materially, so the amount is not adjusted
    assert amount_for_month(e, months_from_now(1)) == 90000


def test_the_scan_covers_only_the_actors_region(officer_b):
    enroll(programme="tekun")  # in town A
    assert dynamic.dynamic_scan(actor=officer_b).total == 0


def test_a_village_cadre_may_not_run_the_scan(cadre_a):
    with pytest.raises(PermissionDeniedError):
        dynamic.dynamic_scan(actor=cadre_a)


# --- 18th birthdays -----------------------------------------------------------------------------


def test_an_orphan_turning_18_is_paid_through_the_birthday_month(officer_a):
    birthday = today() + dt.timedelta(days=20)
    child = person(birth_date=add_years(birthday, -18))
    e = enroll(programme="orphan", payee=child, amount_fen=145000)

    result = dynamic.dynamic_scan(actor=officer_a)

    e.refresh_from_db()
    assert result.age_ends == 1
    assert e.end_month == month_start(birthday)
    d = EnrollmentDecision.objects.get(enrollment=e)
    assert d.kind == "age_end"
    assert d.effective_month == next_month(birthday)
    assert "年满18周岁" in d.reason
    task = ReviewTask.objects.get(enrollment=e, kind="age_18")
    assert task.due_on == birthday


def test_a_de_facto_orphan_far_from_18_is_left_alone(officer_a):
    child = person(birth_date=add_years(today(), -12))
    e = enroll(programme="de_facto_orphan", payee=child)
    dynamic.dynamic_scan(actor=officer_a)
    e.refresh_from_db()
    assert e.end_month is None


def test_a_tekun_minor_turning_18_is_rechecked_not_ended(officer_a):
    birthday = today() + dt.timedelta(days=10)
    minor = person(birth_date=add_years(birthday, -18))
    e = enroll(programme="tekun", payee=minor)
    dynamic.dynamic_scan(actor=officer_a)
    e.refresh_from_db()
    assert e.end_month is None
    task = ReviewTask.objects.get(enrollment=e, kind="age_18")
    assert task.due_on == birthday
    assert "普通高中或中职" in task.reason


def test_an_elderly_tekun_person_gets_no_18th_birthday_task(officer_a):
    e = enroll(programme="tekun", payee=person(birth_date=dt.date(1950, 1, 1)))
    dynamic.dynamic_scan(actor=officer_a)
    assert not ReviewTask.objects.filter(enrollment=e, kind="age_18").exists()


# --- 高龄 bands ----------------------------------------------------------------------------------


def test_turning_90_pays_the_90_band_from_the_month_after_the_birthday(officer_a):
    birthday = today() + dt.timedelta(days=5)
    old = person(birth_date=add_years(birthday, -90))
    e = enroll(programme="gaoling", payee=old, amount_fen=5000)

    dynamic.dynamic_scan(actor=officer_a)

    first = next_month(birthday)
    assert amount_for_month(e, month_start(birthday)) == 5000
    assert amount_for_month(e, first) == 10000  # the 90–99 band of the county's parameters
    d = EnrollmentDecision.objects.get(enrollment=e)
    assert (d.kind, d.effective_month, d.amount_before_fen, d.amount_after_fen) == (
        "age_band",
        first,
        5000,
        10000,
    )
    assert "90–99周岁" in d.reason


def test_the_band_amount_is_the_one_in_force_in_that_month(officer_a):
    birthday = today() + dt.timedelta(days=5)
    first = next_month(birthday)
    ParameterValue.objects.filter(key="gaoling_bands").update(
        effective_to=first - dt.timedelta(days=1)
    )
    ParameterValue.objects.create(
        county_code="340521",
        key="gaoling_bands",
        effective_from=first,
        value=[
            {"min_age": 80, "max_age": 89, "amount_fen": 6000},
            {"min_age": 90, "max_age": 99, "amount_fen": 12000},
            {"min_age": 100, "max_age": None, "amount_fen": 30000},
        ],
    )
    e = enroll(
        programme="gaoling", payee=person(birth_date=add_years(birthday, -90)), amount_fen=5000
    )
    dynamic.dynamic_scan(actor=officer_a)
    assert amount_for_month(e, first) == 12000


def test_a_band_change_beyond_the_horizon_waits(officer_a):
    birthday = today() + dt.timedelta(days=200)
    e = enroll(
        programme="gaoling", payee=person(birth_date=add_years(birthday, -90)), amount_fen=5000
    )
    dynamic.dynamic_scan(actor=officer_a)
    assert not EnrollmentDecision.objects.filter(enrollment=e).exists()


# --- registry changes ---------------------------------------------------------------------------


def test_a_new_income_raises_a_recheck_of_the_households_dibao(officer_a):
    hh, e, (_head, son) = dibao_household(2)
    registry.income_add(
        actor=officer_a,
        household=hh,
        category="wage",
        monthly_amount_fen=300000,
        started_on=today() - dt.timedelta(days=5),
        person=son,
    )
    task = ReviewTask.objects.get(enrollment=e, kind="change")
    assert "新增收入" in task.reason
    assert task.due_on == today() + dt.timedelta(days=30)


def test_a_second_change_is_added_to_the_open_recheck(officer_a):
    hh, e, (_head, son) = dibao_household(2)
    dynamic.registry_change_noted(actor=officer_a, subject=hh, what="新增收入：工资性收入")
    registry.employment_add(actor=officer_a, person=son, work_ability="full", status="employed")
    task = ReviewTask.objects.get(enrollment=e, kind="change")
    assert "就业状况" in task.reason
    assert "新增收入" in task.reason


def test_a_change_touching_no_income_tested_enrollment_raises_nothing(officer_a):
    old = enroll(programme="gaoling").payee
    dynamic.registry_change_noted(actor=officer_a, subject=old, what="就业状况变为“退休”")
    assert not ReviewTask.objects.exists()


def test_a_member_sent_to_prison_raises_a_recheck_of_the_households_dibao(officer_a):
    _hh, e, (_head, son) = dibao_household(2)
    registry.situation_add(
        actor=officer_a,
        person=son,
        kind="imprisoned",
        since=today() - dt.timedelta(days=10),
        until=today() + dt.timedelta(days=3 * 365),
    )
    task = ReviewTask.objects.get(enrollment=e, kind="change")
    assert "服刑在押" in task.reason


def test_a_parent_back_from_prison_raises_a_recheck_of_the_childs_de_facto_support(officer_a):
    hh = HouseholdFactory()
    child = add_member(hh, PersonFactory(birth_date=today() - dt.timedelta(days=8 * 365)))
    father = add_member(hh, PersonFactory(birth_date=today() - dt.timedelta(days=35 * 365)))
    e = enroll(programme="de_facto_orphan", household=hh, payee=child, amount_fen=145000)
    sentence = registry.situation_add(
        actor=officer_a,
        person=father,
        kind="imprisoned",
        since=today() - dt.timedelta(days=3 * 365),
        until=today() + dt.timedelta(days=365),
    )
    ReviewTask.objects.filter(enrollment=e).delete()  # the one its recording raised

    registry.situation_end(actor=officer_a, situation=sentence, until=today())

    task = ReviewTask.objects.get(enrollment=e, kind="change")
    assert "服刑在押" in task.reason and "结束" in task.reason
    assert "儿童父母" in task.reason


def test_an_income_change_raises_no_recheck_of_de_facto_support(officer_a):
    hh = HouseholdFactory()
    child = add_member(hh, PersonFactory(birth_date=today() - dt.timedelta(days=8 * 365)))
    e = enroll(programme="de_facto_orphan", household=hh, payee=child, amount_fen=145000)

    registry.income_add(
        actor=officer_a,
        household=hh,
        category="wage",
        monthly_amount_fen=300000,
        started_on=today() - dt.timedelta(days=5),
        person=hh.head,
    )

    assert not ReviewTask.objects.filter(enrollment=e).exists()
