"""Each step of the workflow: who may take it (role and region), what it refuses, and what it
leaves behind (status, case facts, events, audit)."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.assistance import workflow
from minzheng.assistance.models import (
    Application,
    ApplicationCase,
    CaseEvent,
    Enrollment,
    EnrollmentAmount,
    Notice,
)
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.core.models import AuditEvent
from tests.assistance.fixtures import days_ago
from tests.conftest import TOWN_A, TOWN_B

pytestmark = pytest.mark.django_db
S = Application.Status


def submit(actor, household, **kw):
    defaults = {
        "programme": "dibao",
        "channel": "village_cadre",
        "submitted_on": days_ago(30),
        "commitment_signed_on": days_ago(30),
        "authorisation_signed_on": days_ago(30),
    }
    return workflow.application_submit(
        actor=actor, household=household, applicant=household.head, **{**defaults, **kw}
    )


# --- application ------------------------------------------------------------------------------


def test_village_cadre_applies_on_behalf_with_commitment_and_authorisation(
    cadre_a, dibao_household
):
    app = submit(cadre_a, dibao_household)

    assert app.status == S.SUBMITTED
    assert app.region_id == dibao_household.region_id
    case = app.case
    assert case.channel == "village_cadre"
    assert case.applied_by == cadre_a
    assert case.commitment_signed_on == days_ago(30)
    assert case.authorisation_signed_on == days_ago(30)
    assert CaseEvent.objects.filter(application=app, step="submit").count() == 1
    assert AuditEvent.objects.filter(
        action="assistance.submit", object_id=str(app.public_id)
    ).exists()


def test_application_without_the_signed_commitment_is_refused(cadre_a, dibao_household):
    with pytest.raises(DomainError, match="承诺书"):
        submit(cadre_a, dibao_household, commitment_signed_on=None)
    with pytest.raises(DomainError, match="授权书"):
        submit(cadre_a, dibao_household, authorisation_signed_on=None)
    assert not Application.objects.exists()


def test_village_cadre_must_apply_as_the_village_committee(cadre_a, dibao_household):
    with pytest.raises(DomainError, match="村（居）委会代为申请"):
        submit(cadre_a, dibao_household, channel="in_person")


def test_agent_application_needs_the_power_of_attorney(officer_a, dibao_household):
    with pytest.raises(DomainError, match="委托书"):
        submit(officer_a, dibao_household, channel="agent")
    app = submit(officer_a, dibao_household, channel="agent", power_of_attorney=True)
    assert app.case.power_of_attorney is True


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("officer_b", NotFoundOrNotYours),  # right role, other town
        ("county_officer", PermissionDeniedError),  # the county approves, it does not apply
        ("auditor", PermissionDeniedError),
    ],
)
def test_application_is_refused_to_the_wrong_role_or_region(request, who, error, dibao_household):
    actor = request.getfixturevalue(who)
    with pytest.raises(error):
        submit(actor, dibao_household, channel="in_person")


def test_a_second_open_application_of_the_same_programme_is_refused(cadre_a, dibao_household):
    submit(cadre_a, dibao_household)
    with pytest.raises(DomainError, match="正在办理"):
        submit(cadre_a, dibao_household)


def test_near_relative_flag_needs_the_relation_written_down(cadre_a, dibao_household):
    with pytest.raises(DomainError, match="近亲属"):
        submit(cadre_a, dibao_household, near_relative=True)


# --- township steps ---------------------------------------------------------------------------

TOWN_STEPS = {
    "accept": ("submitted", lambda a, app: workflow.application_accept(actor=a, application=app, version=app.version, accepted_on=days_ago(29))),
    "investigation_start": ("accepted", lambda a, app: workflow.investigation_start(actor=a, application=app, version=app.version, started_on=days_ago(28))),
    "investigation": ("investigating", lambda a, app: workflow.investigation_record(actor=a, application=app, version=app.version, kind="home_visit", visited_on=days_ago(27), investigators=["甲", "乙"], findings="属实", household_signed=True)),
    "town_review": ("town_review", lambda a, app: workflow.town_review(actor=a, application=app, version=app.version, opinion="agree", text="同意", reviewed_on=days_ago(20), publicity_from=days_ago(20))),
    "publicity_close": ("publicity", lambda a, app: workflow.publicity_close(actor=a, application=app, version=app.version, on=days_ago(10))),
}  # fmt: skip
AFTER = {
    "accept": S.ACCEPTED,
    "investigation_start": S.INVESTIGATING,
    "investigation": S.TOWN_REVIEW,
    "town_review": S.PUBLICITY,
    "publicity_close": S.COUNTY_REVIEW,
}


@pytest.mark.parametrize("step", list(TOWN_STEPS))
def test_town_officer_of_the_town_takes_each_township_step(step, walk, officer_a, dibao_household):
    start, do = TOWN_STEPS[step]
    app = walk(dibao_household, to=start)

    do(officer_a, app)

    app.refresh_from_db()
    assert app.status == AFTER[step]


@pytest.mark.parametrize("step", list(TOWN_STEPS))
@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("officer_b", NotFoundOrNotYours),
        ("cadre_a", PermissionDeniedError),
        ("county_officer", PermissionDeniedError),
        ("auditor", PermissionDeniedError),
    ],
)
def test_township_steps_are_refused_to_other_roles_and_towns(
    request, step, who, error, walk, dibao_household
):
    start, do = TOWN_STEPS[step]
    app = walk(dibao_household, to=start)
    actor = request.getfixturevalue(who)

    with pytest.raises(error):
        do(actor, app)

    app.refresh_from_db()
    assert app.status == start


def test_acceptance_issues_the_acceptance_notice_and_makes_the_officer_the_caseworker(
    walk, officer_a, dibao_household
):
    app = walk(dibao_household, to="accepted")
    assert app.caseworker == officer_a
    notice = Notice.objects.get(application=app)
    assert notice.kind == Notice.Kind.ACCEPTANCE
    assert notice.number.startswith("当民救受〔")


def test_investigation_needs_two_investigators_and_the_signed_form(
    walk, officer_a, dibao_household
):
    app = walk(dibao_household, to="investigating")
    base = {"actor": officer_a, "application": app, "version": app.version, "kind": "home_visit",
            "visited_on": days_ago(27), "findings": "属实"}  # fmt: skip
    with pytest.raises(DomainError, match="至少 2 名"):
        workflow.investigation_record(**base, investigators=["甲", " 甲 "], household_signed=True)
    with pytest.raises(DomainError, match="签字"):
        workflow.investigation_record(**base, investigators=["甲", "乙"], household_signed=False)
    app.refresh_from_db()
    assert app.status == S.INVESTIGATING


@pytest.mark.usefixtures("_media")
def test_investigation_attachments_are_stored_as_household_documents(
    walk, officer_a, dibao_household
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    app = walk(dibao_household, to="investigating")
    scan = SimpleUploadedFile("表.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")

    record = workflow.investigation_record(
        actor=officer_a, application=app, version=app.version, kind="home_visit",
        visited_on=days_ago(27), investigators=["甲", "乙"], findings="属实",
        household_signed=True, attachments=[scan],
    )  # fmt: skip

    doc = record.attachments.get()
    assert doc.household == dibao_household
    assert doc.content_type == "application/pdf"


def test_a_late_investigation_start_is_recorded_as_late(walk, officer_a, dibao_household):
    app = walk(dibao_household, to="accepted")  # accepted 29 days ago
    workflow.investigation_start(
        actor=officer_a, application=app, version=app.version, started_on=days_ago(5)
    )
    event = CaseEvent.objects.get(application=app, step="investigation_start")
    assert event.data["late"] is True
    assert "超过 3 个工作日" in event.text


def test_publicity_cannot_close_before_seven_days(walk, officer_a, dibao_household):
    app = walk(dibao_household, to="town_review")
    app = workflow.town_review(
        actor=officer_a, application=app, version=app.version, opinion="agree", text="同意",
        reviewed_on=days_ago(3), publicity_from=days_ago(3),
    )  # fmt: skip
    assert app.case.publicity_to == days_ago(3) + dt.timedelta(days=6)

    with pytest.raises(DomainError, match="期满后"):
        workflow.publicity_close(actor=officer_a, application=app, version=app.version)


def test_an_objection_sends_the_case_back_to_investigation_with_the_longer_limit(
    walk, officer_a, dibao_household
):
    app = walk(dibao_household, to="publicity")

    workflow.objection_record(
        actor=officer_a, application=app, version=app.version, text="该户有经营性收入未申报",
        raised_on=days_ago(15),
    )  # fmt: skip

    app.refresh_from_db()
    assert app.status == S.INVESTIGATING
    case = ApplicationCase.objects.get(application=app)
    assert case.extended is True
    assert case.publicity_from is None
    assert app.objections.count() == 1


def test_democratic_review_is_recorded_with_its_minutes(walk, officer_a, dibao_household):
    app = walk(dibao_household, to="town_review")
    with pytest.raises(DomainError, match="民主评议"):
        workflow.town_review(
            actor=officer_a, application=app, version=app.version, opinion="agree", text="同意",
            democratic_review=True,
        )  # fmt: skip
    app = workflow.town_review(
        actor=officer_a, application=app, version=app.version, opinion="agree", text="同意",
        democratic_review=True, democratic_review_note="村民代表11人参加，一致同意",
    )  # fmt: skip
    assert app.case.democratic_review is True
    assert "经民主评议" in app.events.get(step="town_review").text


# --- county decision --------------------------------------------------------------------------


def test_county_officer_approves_with_the_amount_from_the_month_after(
    walk, county_officer, dibao_household
):
    app = walk(dibao_household)

    enrollment = workflow.application_approve(
        actor=county_officer, application=app, version=app.version, decided_on=days_ago(2)
    )

    app.refresh_from_db()
    assert app.status == S.APPROVED
    first = days_ago(2).replace(day=1) + dt.timedelta(days=32)
    assert enrollment.start_month == first.replace(day=1)
    assert enrollment.payee == dibao_household.head
    assert enrollment.covered_persons == 3
    assert enrollment.end_month is None
    amount = EnrollmentAmount.objects.get(enrollment=enrollment)
    assert amount.amount_fen == 185000
    assert amount.from_month == enrollment.start_month
    assert app.notices.filter(kind=Notice.Kind.APPROVAL).exists()


@pytest.mark.parametrize(
    ("who", "role", "region", "error"),
    [
        ("town_officer_a", "town_officer", TOWN_A, PermissionDeniedError),
        ("prog_b", "programme_officer", TOWN_B, NotFoundOrNotYours),
        ("cadre", "village_cadre", "340521104201", PermissionDeniedError),
        ("audit", "auditor", "340521", PermissionDeniedError),
    ],
)
def test_approval_is_refused_to_other_roles_and_regions(
    make_user, who, role, region, error, walk, dibao_household
):
    app = walk(dibao_household)
    actor = make_user(who, role, region)

    with pytest.raises(error):
        workflow.application_approve(actor=actor, application=app, version=app.version)
    with pytest.raises(error):
        workflow.application_refuse(actor=actor, application=app, version=app.version, reasons="x")

    app.refresh_from_db()
    assert app.status == S.COUNTY_REVIEW
    assert not Enrollment.objects.exists()


def test_the_approver_may_not_be_the_caseworker(
    make_user, cadre_a, county_officer, dibao_household
):
    # a town officer who also holds the county's approval right (a delegating county)
    both = make_user("both", "town_officer", TOWN_A)
    from minzheng.accounts import services

    services.user_set_roles(actor=None, user=both, roles={"town_officer", "programme_officer"})
    app = submit(cadre_a, dibao_household)
    app = workflow.application_accept(
        actor=both, application=app, version=app.version, accepted_on=days_ago(29), delegated=True
    )
    app = workflow.investigation_start(
        actor=both, application=app, version=app.version, started_on=days_ago(28)
    )
    workflow.investigation_record(actor=both, application=app, version=app.version, kind="home_visit", visited_on=days_ago(27), investigators=["甲", "乙"], findings="属实", household_signed=True)  # fmt: skip
    app.refresh_from_db()
    app = workflow.town_review(actor=both, application=app, version=app.version, opinion="agree", text="同意", reviewed_on=days_ago(20), publicity_from=days_ago(20))  # fmt: skip
    app = workflow.publicity_close(
        actor=both, application=app, version=app.version, on=days_ago(10)
    )
    assert app.caseworker == both

    with pytest.raises(PermissionDeniedError, match="经办人"):
        workflow.application_approve(actor=both, application=app, version=app.version)

    workflow.application_approve(actor=county_officer, application=app, version=app.version)
    app.refresh_from_db()
    assert app.status == S.APPROVED


def test_without_delegation_a_town_user_with_approval_rights_may_not_approve(
    make_user, walk, dibao_household
):
    approver_in_town = make_user("prog_a", "programme_officer", TOWN_A)
    app = walk(dibao_household)
    with pytest.raises(PermissionDeniedError, match="县民政局审核确认"):
        workflow.application_approve(actor=approver_in_town, application=app, version=app.version)


def test_near_relative_case_needs_the_county_home_visit_before_approval(
    walk, officer_a, county_officer, dibao_household
):
    app = walk(dibao_household, near_relative=True, near_relative_note="户主之弟为桃元村村委委员")

    with pytest.raises(DomainError, match="县民政局入户核查"):
        workflow.application_approve(actor=county_officer, application=app, version=app.version)
    # the town cannot do the county's visit
    with pytest.raises(PermissionDeniedError):
        workflow.investigation_record(
            actor=officer_a, application=app, version=app.version, kind="county_visit",
            visited_on=days_ago(5), investigators=["甲", "乙"], findings="属实", household_signed=True,
        )  # fmt: skip

    workflow.investigation_record(
        actor=county_officer, application=app, version=app.version, kind="county_visit",
        visited_on=days_ago(5), investigators=["县局甲", "县局乙"], findings="核实无误",
        household_signed=True,
    )  # fmt: skip
    app.refresh_from_db()
    workflow.application_approve(actor=county_officer, application=app, version=app.version)

    app.refresh_from_db()
    assert app.status == S.APPROVED
    assert app.case.county_visit_on == days_ago(5)


def test_an_ineligible_case_cannot_be_approved(walk, county_officer, dibao_household):
    from tests.registry.factories import IncomeFactory

    app = walk(dibao_household)
    IncomeFactory(
        household=dibao_household, monthly_amount_fen=900000, started_on=dt.date(2020, 1, 1)
    )

    with pytest.raises(DomainError, match="不符合条件"):
        workflow.application_approve(actor=county_officer, application=app, version=app.version)
    assert not Enrollment.objects.exists()


def test_amount_different_from_the_engine_needs_a_reason_and_never_exceeds_it(
    walk, county_officer, dibao_household
):
    app = walk(dibao_household)
    with pytest.raises(DomainError, match="高于核算金额"):
        workflow.application_approve(
            actor=county_officer, application=app, version=app.version, amount_fen=200000
        )
    with pytest.raises(DomainError, match="写明理由"):
        workflow.application_approve(
            actor=county_officer, application=app, version=app.version, amount_fen=150000
        )
    e = workflow.application_approve(
        actor=county_officer, application=app, version=app.version, amount_fen=150000,
        note="户主另有未申报的零星收入，酌减",
    )  # fmt: skip
    assert e.amounts.get().amount_fen == 150000


def test_refusal_writes_the_reasons_and_the_delivery_deadline(
    walk, county_officer, dibao_household
):
    app = walk(dibao_household)
    with pytest.raises(DomainError, match="理由"):
        workflow.application_refuse(
            actor=county_officer, application=app, version=app.version, reasons=" "
        )

    notice = workflow.application_refuse(
        actor=county_officer, application=app, version=app.version, reasons="家庭财产超过规定",
        decided_on=days_ago(1),
    )  # fmt: skip

    app.refresh_from_db()
    assert app.status == S.REFUSED
    assert notice.kind == Notice.Kind.REFUSAL
    assert notice.reasons == "家庭财产超过规定"
    assert app.case.due_on == notice.deliver_by
    assert app.case.due_label == "送达不予确认通知书"
    assert not Enrollment.objects.exists()

    workflow.notice_delivered(actor=county_officer, notice=notice, delivered_on=days_ago(0))
    app.case.refresh_from_db()
    assert app.case.due_on is None


def test_withdrawal_ends_the_procedure(walk, officer_a, dibao_household):
    app = walk(dibao_household, to="investigating")
    workflow.application_withdraw(
        actor=officer_a, application=app, version=app.version, reason="申请人主动撤回"
    )
    app.refresh_from_db()
    assert app.status == S.WITHDRAWN
    assert app.case.due_on is None


# --- where the application is made ------------------------------------------------------------


def test_an_applicant_registered_in_another_town_applies_where_the_hukou_is(
    cadre_a, officer_b, dibao_household
):
    from minzheng.registry.models import Person

    Person.objects.filter(pk=dibao_household.head_id).update(region_id="340521103201")
    dibao_household.head.refresh_from_db()

    # the cadre of the village where the family lives cannot take it …
    with pytest.raises(NotFoundOrNotYours):
        submit(cadre_a, dibao_household)
    # … the town of the 户籍 can, and the case says why
    app = submit(officer_b, dibao_household, channel="in_person")
    assert app.region_id == "340521103201"
    assert "按规定向户籍所在地乡镇提出申请" in app.case.residence_note


def test_temporary_assistance_is_taken_where_the_household_lives(cadre_a, dibao_household):
    from minzheng.registry.models import Person

    Person.objects.filter(pk=dibao_household.head_id).update(region_id="340521103201")
    dibao_household.head.refresh_from_db()
    incident = {
        "kind": "emergency",
        "cause": "fire",
        "date": days_ago(2).isoformat(),
        "need_fen": 100000,
    }

    app = submit(
        cadre_a, dibao_household, programme="temporary_assistance", choices={"incident": incident}
    )

    assert app.region_id == dibao_household.region_id
    assert "急难发生地" in app.case.residence_note


def test_the_application_page_shows_the_refusal_and_keeps_the_household(
    cadre_a, dibao_household, client
):
    client.force_login(cadre_a)
    data = {
        "household": dibao_household.public_id,
        "programme": "dibao",
        "channel": "village_cadre",
        "authorisation_signed_on": days_ago(0).isoformat(),
    }
    resp = client.post("/assistance/new/", data)

    assert resp.status_code == 400
    html = resp.content.decode()
    assert "家庭经济状况真实性承诺书" in html
    assert 'data-testid="household-panel"' in html
    assert not Application.objects.exists()
