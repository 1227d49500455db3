"""The assistance workflow: every write from application to enrollment, and the parameters.

申请 (the household, or a village cadre on its behalf, with the signed commitment and
authorisation) → 受理 (受理通知书) → 入户调查 (≥ 2 investigators, started within 3 working days)
→ 乡镇初审 (optionally 民主评议) → 公示 7 days (an objection sends the case back to
investigation) → 县级审核确认 (approve with the amount from the month after the decision, or
refuse with reasons and a 不予确认通知书 delivered within 3 working days) → enrollment.

Every service is keyword-only and runs in one transaction; it checks the actor's permission
and region (``accounts.scoping``), writes a case event and the audit record, and raises a
``DomainError`` with a plain-Chinese reason. Step changes take the ``version`` the user's page
showed and claim the application with one conditional UPDATE (``version`` and status must
still match), so of two users acting at once — or a double click on "approve" — exactly one
wins and the other is told what happened. The engine's assessment is recomputed from the
registry at each decisive step (submission, acceptance, 初审, decision) and stored.

``enrollment_create`` is the only writer of ``Enrollment`` and ``EnrollmentAmount``: the
contract with payments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_allowed, region_prefix, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import (
    ConcurrentEditError,
    DomainError,
    NotFoundOrNotYours,
    PermissionDeniedError,
)
from minzheng.registry.models import Household, Membership, Person
from minzheng.registry.services import document_upload
from minzheng.workdays.selectors import add_workdays, workdays_between

from . import workflow_selectors as sel
from .models import (
    ONE_OFF,
    Application,
    ApplicationCase,
    CaseEvent,
    Channel,
    Enrollment,
    EnrollmentAmount,
    Investigation,
    Notice,
    Objection,
    ParameterValue,
    Programme,
)
from .parameters import ParameterError, Parameters
from .rules.people import month_start, next_month

S = Application.Status
#: Programmes the workflow takes applications for (流浪乞讨救助 is the rescue station's).
WORKFLOW_PROGRAMMES = tuple(p for p in Programme if p != Programme.VAGRANT)
#: Programmes paid to the household head; the others to the applicant.
HOUSEHOLD_PROGRAMMES = frozenset(
    {Programme.DIBAO, Programme.DIBAO_EDGE, Programme.RIGID_EXPENSE, Programme.TEMPORARY}
)
MIN_INVESTIGATORS = 2
PUBLICITY_STEP = {"publicity"}


# --- helpers ------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _name(actor: Any) -> str:
    return (getattr(actor, "full_name", "") or getattr(actor, "username", "") or "系统")[:150]


def _in_region(actor: Any, region_code: str) -> None:
    """A record outside the actor's region is answered like a missing one."""
    if not region_allowed(actor, region_code):
        raise NotFoundOrNotYours()


def _is_county_user(actor: Any) -> bool:
    prefix = region_prefix(actor)
    return prefix is not None and len(prefix) <= 6


def _date(
    value: dt.date | None,
    label: str,
    field: str,
    *,
    not_before: dt.date | None = None,
    not_before_label: str = "",
) -> dt.date:
    day = value or _today()
    if day > _today():
        raise DomainError(f"{label}不能晚于今天", field=field)
    if not_before is not None and day < not_before:
        raise DomainError(
            f"{label}不能早于{not_before_label}（{not_before:%Y-%m-%d}）", field=field
        )
    return day


def _status_label(status: str) -> str:
    return S(status).label


def _claim(
    application: Application, version: int | None, allowed: Iterable[str], doing: str
) -> Application:
    """Take the application for one step: the version the user saw and an allowed status must
    both still hold. One conditional UPDATE, so of two concurrent steps only one passes."""
    allowed = tuple(allowed)
    if version is None:
        raise DomainError("缺少版本信息，请刷新页面后重试")
    claimed = Application.objects.filter(
        pk=application.pk, version=int(version), status__in=allowed
    ).update(version=F("version") + 1, updated_at=timezone.now())
    current = Application.objects.select_for_update().get(pk=application.pk)
    if not claimed:
        if current.version != int(version):
            raise ConcurrentEditError(
                f"操作未执行：您打开页面后，该申请已被他人处理，现在的状态是“{_status_label(current.status)}”。"
                "请刷新页面查看最新情况。"
            )
        raise DomainError(f"该申请当前为“{_status_label(current.status)}”，不能{doing}")
    return current


def _case(application: Application) -> ApplicationCase:
    return ApplicationCase.objects.select_for_update().get(application=application)


def _event(
    *,
    application: Application,
    actor: Any,
    step: str,
    on: dt.date,
    text: str,
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> CaseEvent:
    audit.record(
        actor=actor,
        action=f"assistance.{step}",
        obj=application,
        region_code=application.region_id,
        changes=changes or {},
        detail={"on": on, "text": text, **(data or {})},
    )
    return CaseEvent.objects.create(
        application=application,
        step=step,
        on_date=on,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_name(actor),
        text=text[:300],
        data=audit._plain(data or {}),
        county_code=application.county_code,
    )


def _reassess(application: Application, on: dt.date, step: str) -> dict[str, Any]:
    """Recompute the engine's assessment from the registry as it is now; store it."""
    payload = sel.engine_payload(
        household=application.household,
        applicant=application.applicant,
        programme=application.programme,
        on=on,
        region_code=application.region_id,
        choices=application.choices,
    )
    try:
        decision = sel.assess_payload(payload)
    except ParameterError as exc:
        raise DomainError(f"无法核算：{exc.message}（请县局业务管理员检查救助参数）") from exc
    except DomainError as exc:
        raise DomainError(f"无法核算：档案信息不完整——{exc.message}") from exc
    data = decision.model_dump(mode="json", exclude_none=True)
    data["assessed_on"] = on.isoformat()
    data["assessed_at_step"] = step
    application.assessment = data
    return data


def _decision_brief(decision: dict[str, Any]) -> dict[str, Any]:
    return {
        "verdict": decision.get("verdict"),
        "summary": decision.get("summary"),
        "amount_fen": decision.get("amount_fen"),
    }


def _refresh_due(application: Application, case: ApplicationCase) -> None:
    case.due_on, case.due_label = sel.next_deadline(application, case)


def _save(application: Application, case: ApplicationCase, *fields: str) -> None:
    """Save the claimed application (its version already raised by ``_claim``) and case."""
    _refresh_due(application, case)
    application.save(update_fields=[*fields, "updated_at"] if fields else None)
    case.save()


def _notice_number(kind: str, county_code: str, on: dt.date) -> str:
    word = {"acceptance": "受", "refusal": "否", "approval": "确"}[kind]
    seq = Notice.objects.filter(county_code=county_code, kind=kind, issued_on__year=on.year).count()
    return f"当民救{word}〔{on.year}〕{seq + 1}号"


def _notice(
    *,
    application: Application,
    actor: Any,
    kind: str,
    on: dt.date,
    reasons: str = "",
    deliver_by: dt.date | None = None,
) -> Notice:
    return Notice.objects.create(
        application=application,
        kind=kind,
        number=_notice_number(kind, application.county_code, on),
        issued_on=on,
        deliver_by=deliver_by,
        reasons=reasons,
        issued_by=actor,
        county_code=application.county_code,
    )


# --- application --------------------------------------------------------------------------------


def _application_region(household: Household, applicant: Person, programme: str) -> tuple[str, str]:
    """Where the application is made, and a note when the 户籍 and the residence differ.

    低保 and the other programmes: the township of the applicant's 户籍 (审核确认办法 第4条;
    特困认定办法 第10条). 临时救助: where the household lives — help where the hardship
    happened (民发〔2022〕83号 四(三)).
    """
    hukou, home = applicant.region_id, household.region_id
    if hukou[:9] == home[:9]:
        return home, ""
    if programme == Programme.TEMPORARY:
        return home, (
            f"申请人户籍在{applicant.region.name}，现居{household.region.name}："
            "临时救助由急难发生地（居住地）受理"
        )
    return hukou, (
        f"申请人户籍在{applicant.region.name}，现居{household.region.name}："
        "按规定向户籍所在地乡镇提出申请"
    )


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    household: Household,
    applicant: Person,
    programme: str,
    channel: str,
    commitment_signed_on: dt.date | None,
    authorisation_signed_on: dt.date | None,
    submitted_on: dt.date | None = None,
    power_of_attorney: bool = False,
    near_relative: bool = False,
    near_relative_note: str = "",
    choices: dict[str, Any] | None = None,
) -> Application:
    """A household's application, made by its member at the township or by a village cadre
    on its behalf (审核确认办法 第4、6、9条)."""
    require_perm(actor, Perm.ASSISTANCE_APPLY)
    # the region checked is where the application is made (户籍 or residence, below)
    if not (
        region_allowed(actor, household.region_id) or region_allowed(actor, applicant.region_id)
    ):
        raise NotFoundOrNotYours()
    if programme not in WORKFLOW_PROGRAMMES:
        raise DomainError("请选择救助项目", field="programme")
    if not Membership.objects.filter(
        household=household, person=applicant, ended_on__isnull=True
    ).exists():
        raise DomainError("申请人须为本户现有成员", field="applicant")
    if applicant.status != Person.Status.LIVING:
        raise DomainError("申请人已故或已迁出，不能提出申请", field="applicant")
    day = _date(submitted_on, "申请日期", "submitted_on")
    if channel not in Channel.values:
        raise DomainError("请选择申请方式", field="channel")
    if "village_cadre" in actor.role_codes and channel != Channel.VILLAGE_CADRE:
        raise DomainError("村（社区）干部只能以“村（居）委会代为申请”方式提交", field="channel")
    if channel == Channel.AGENT and not power_of_attorney:
        raise DomainError("委托他人代为申请的，须提交申请人签署的委托书", field="power_of_attorney")
    if commitment_signed_on is None:
        raise DomainError(
            "申请人须签署家庭经济状况真实性承诺书（第9条）", field="commitment_signed_on"
        )
    if authorisation_signed_on is None:
        raise DomainError(
            "申请人及家庭成员须签署家庭经济状况核对授权书（第9条）", field="authorisation_signed_on"
        )
    for value, label, field in (
        (commitment_signed_on, "承诺书签署日期", "commitment_signed_on"),
        (authorisation_signed_on, "授权书签署日期", "authorisation_signed_on"),
    ):
        if value > day:
            raise DomainError(f"{label}不能晚于申请日期", field=field)
    near_relative_note = (near_relative_note or "").strip()
    if near_relative and not near_relative_note:
        raise DomainError(
            "请写明申请人家庭成员与哪位经办人员或村（居）委会成员为近亲属（第11条单独登记备案）",
            field="near_relative_note",
        )
    choices = dict(choices or {})
    if programme == Programme.TEMPORARY and not choices.get("incident"):
        raise DomainError("临时救助须填写事件信息（类型、原因、日期、困难缺口）", field="incident")
    region_code, residence_note = _application_region(household, applicant, programme)
    _in_region(actor, region_code)
    payee = household.head if programme in HOUSEHOLD_PROGRAMMES and household.head else applicant
    if (
        Enrollment.objects.filter(payee=payee, programme=programme, end_month__isnull=True).exists()
        and programme not in ONE_OFF
    ):
        raise DomainError(f"该对象已纳入{Programme(programme).label}，不能重复申请")
    open_app = Application.objects.filter(
        household=household, programme=programme, status__in=sel.OPEN_STATUSES
    ).first()
    if open_app is not None:
        raise DomainError(
            f"该家庭已有一件正在办理的{Programme(programme).label}申请（{open_app.get_status_display()}），"
            "不能重复提交"
        )
    application = Application(
        programme=programme,
        household=household,
        applicant=applicant,
        region_id=region_code,
        county_code=region_code[:6],
        status=S.SUBMITTED,
        submitted_on=day,
        caseworker=actor if "town_officer" in actor.role_codes else None,
        choices=choices,
    )
    decision = _reassess(application, day, "submit")
    application.save()
    case = ApplicationCase(
        application=application,
        county_code=application.county_code,
        channel=channel,
        applied_by=actor,
        commitment_signed_on=commitment_signed_on,
        authorisation_signed_on=authorisation_signed_on,
        power_of_attorney=power_of_attorney,
        near_relative=near_relative,
        near_relative_note=near_relative_note[:200],
        residence_note=residence_note[:200],
    )
    _refresh_due(application, case)
    case.save()
    text = f"{Channel(channel).label}：{Programme(programme).label}"
    if near_relative:
        text += "（近亲属备案，县级须入户核查）"
    _event(
        application=application,
        actor=actor,
        step="submit",
        on=day,
        text=text,
        data={"assessment": _decision_brief(decision), "residence_note": residence_note},
    )
    return application


@transaction.atomic
def application_accept(
    *,
    actor: Any,
    application: Application,
    version: int,
    accepted_on: dt.date | None = None,
    delegated: bool = False,
) -> Application:
    """受理: the township accepts a complete file and issues the 受理通知书 (第10条)."""
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    app = _claim(application, version, [S.SUBMITTED], "受理")
    day = _date(
        accepted_on,
        "受理日期",
        "accepted_on",
        not_before=app.submitted_on,
        not_before_label="申请日期",
    )
    case = _case(app)
    app.status = S.ACCEPTED
    app.accepted_on = day
    app.caseworker = actor
    case.delegated = bool(delegated)
    decision = _reassess(app, day, "accept")
    notice = _notice(application=app, actor=actor, kind=Notice.Kind.ACCEPTANCE, on=day)
    _save(app, case, "status", "accepted_on", "caseworker", "assessment")
    _event(
        application=app,
        actor=actor,
        step="accept",
        on=day,
        text=f"受理，出具受理通知书（{notice.number}）；应于 {case.due_on:%Y-%m-%d} 前开始入户调查",
        data={"assessment": _decision_brief(decision), "notice": notice.number},
        changes={"status": [S.SUBMITTED, S.ACCEPTED]},
    )
    return app


@transaction.atomic
def investigation_start(
    *, actor: Any, application: Application, version: int, started_on: dt.date | None = None
) -> Application:
    """The township starts the investigation, as a rule within 3 working days of acceptance
    (第15条); a late start is recorded as such."""
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    app = _claim(application, version, [S.ACCEPTED], "开始调查")
    assert app.accepted_on is not None
    day = _date(
        started_on,
        "调查开始日期",
        "started_on",
        not_before=app.accepted_on,
        not_before_label="受理日期",
    )
    case = _case(app)
    limit = sel.deadlines_for(app.programme).investigation_start
    used = workdays_between(app.accepted_on, day)
    app.status = S.INVESTIGATING
    case.investigation_started_on = day
    _save(app, case, "status")
    text = f"开始家庭经济状况调查（受理后第 {used} 个工作日）"
    if used > limit:
        text += f"，超过 {limit} 个工作日的要求"
    _event(
        application=app,
        actor=actor,
        step="investigation_start",
        on=day,
        text=text,
        data={"workdays_after_acceptance": used, "late": used > limit},
        changes={"status": [S.ACCEPTED, S.INVESTIGATING]},
    )
    return app


def _investigators(names: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for n in names:
        n = (n or "").strip()
        if n and n not in cleaned:
            cleaned.append(n[:50])
    if len(cleaned) < MIN_INVESTIGATORS:
        raise DomainError("每次调查应有至少 2 名调查人员（第16条）", field="investigators")
    return cleaned


@transaction.atomic
def investigation_record(
    *,
    actor: Any,
    application: Application,
    version: int,
    kind: str,
    visited_on: dt.date | None,
    investigators: Sequence[str],
    findings: str,
    household_signed: bool,
    attachments: Sequence[UploadedFile] = (),
) -> Investigation:
    """An investigation record with its signed forms and photos. A home visit (or, in a
    major emergency, a phone or video visit) completes the investigation: the case goes to
    the 初审. The county's own home visit of a near-relative case is recorded here too."""
    if kind not in Investigation.Kind.values:
        raise DomainError("请选择调查方式", field="kind")
    county_visit = kind == Investigation.Kind.COUNTY_VISIT
    if county_visit:
        require_perm(actor, Perm.ASSISTANCE_APPROVE)
        _in_region(actor, application.region_id)
        if not _is_county_user(actor):
            raise PermissionDeniedError("县级入户核查须由县民政局工作人员进行")
        allowed: tuple[str, ...] = (S.COUNTY_REVIEW,)
    else:
        require_perm(actor, Perm.ASSISTANCE_REVIEW)
        _in_region(actor, application.region_id)
        allowed = (S.INVESTIGATING, S.TOWN_REVIEW)
    app = _claim(application, version, allowed, "登记调查记录")
    names = _investigators(investigators)
    day = _date(
        visited_on,
        "调查日期",
        "visited_on",
        not_before=app.accepted_on,
        not_before_label="受理日期",
    )
    findings = (findings or "").strip()
    if not findings:
        raise DomainError("请填写调查情况", field="findings")
    if (
        kind in (Investigation.Kind.HOME_VISIT, Investigation.Kind.COUNTY_VISIT)
        and not household_signed
    ):
        raise DomainError(
            "入户调查结束后，调查人员和在场的家庭成员应在入户调查表上签字（第16条）",
            field="household_signed",
        )
    case = _case(app)
    record = Investigation.objects.create(
        application=app,
        kind=kind,
        visited_on=day,
        investigators=names,
        findings=findings,
        household_signed=household_signed,
        recorded_by=actor,
        county_code=app.county_code,
    )
    docs = [
        document_upload(
            actor=actor, household=app.household, upload=f, title=f"{record.get_kind_display()}材料"
        )
        for f in attachments
    ]
    if docs:
        record.attachments.add(*docs)
    old = app.status
    if county_visit:
        case.county_visit_on = day
    elif kind in (Investigation.Kind.HOME_VISIT, Investigation.Kind.REMOTE):
        app.status = S.TOWN_REVIEW
    _save(app, case, "status")
    _event(
        application=app,
        actor=actor,
        step="county_visit" if county_visit else "investigation",
        on=day,
        text=f"{record.get_kind_display()}：{'、'.join(names)}"
        + (f"，附材料 {len(docs)} 份" if docs else ""),
        data={"investigation": record.pk, "attachments": len(docs)},
        changes={"status": [old, app.status]} if old != app.status else None,
    )
    return record


@transaction.atomic
def town_review(
    *,
    actor: Any,
    application: Application,
    version: int,
    opinion: str,
    text: str,
    reviewed_on: dt.date | None = None,
    publicity_from: dt.date | None = None,
    democratic_review: bool = False,
    democratic_review_note: str = "",
) -> Application:
    """乡镇初审 (optionally after a 民主评议), and the start of the 7-day 公示 in the village
    (第19条). A programme without publicity (事实无人抚养儿童) goes straight to the county."""
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    app = _claim(application, version, [S.TOWN_REVIEW], "作出初审意见")
    if opinion not in ApplicationCase.Opinion.values:
        raise DomainError("请选择初审意见", field="opinion")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写初审意见说明", field="text")
    democratic_review_note = (democratic_review_note or "").strip()
    if democratic_review and not democratic_review_note:
        raise DomainError("请填写民主评议的时间、参加人员和结果", field="democratic_review_note")
    assert app.accepted_on is not None
    day = _date(
        reviewed_on,
        "初审日期",
        "reviewed_on",
        not_before=app.accepted_on,
        not_before_label="受理日期",
    )
    case = _case(app)
    decision = _reassess(app, day, "town_review")
    case.town_opinion = opinion
    case.town_opinion_text = text
    case.town_reviewed_on = day
    case.democratic_review = democratic_review
    case.democratic_review_note = democratic_review_note
    rules = sel.deadlines_for(app.programme)
    if rules.publicity_days is None:
        app.status = S.COUNTY_REVIEW
        case.received_by_county_on = day
        follow = "本项目不公示，报送县级审核确认"
    else:
        start = _date(
            publicity_from or day,
            "公示开始日期",
            "publicity_from",
            not_before=app.accepted_on,
            not_before_label="受理日期",
        )
        app.status = S.PUBLICITY
        case.publicity_from = start
        case.publicity_to = start + dt.timedelta(days=rules.publicity_days - 1)
        follow = f"在村（社区）公示 {start:%Y-%m-%d} 至 {case.publicity_to:%Y-%m-%d}"
    _save(app, case, "status", "assessment")
    _event(
        application=app,
        actor=actor,
        step="town_review",
        on=day,
        text=f"乡镇初审意见：{ApplicationCase.Opinion(opinion).label}"
        + ("（经民主评议）" if democratic_review else "")
        + f"；{follow}",
        data={"assessment": _decision_brief(decision), "opinion": opinion},
        changes={"status": [S.TOWN_REVIEW, app.status]},
    )
    return app


@transaction.atomic
def objection_record(
    *,
    actor: Any,
    application: Application,
    version: int,
    text: str,
    raised_by: str = "",
    raised_on: dt.date | None = None,
) -> Objection:
    """An objection during the 公示: the township re-investigates (or holds a 民主评议) and
    forms a new 初审意见; the case may then use the extended time limit."""
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    app = _claim(application, version, [S.PUBLICITY], "登记公示异议")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写异议内容", field="text")
    case = _case(app)
    day = _date(
        raised_on,
        "异议提出日期",
        "raised_on",
        not_before=case.publicity_from,
        not_before_label="公示开始日期",
    )
    objection = Objection.objects.create(
        application=app,
        raised_on=day,
        raised_by=(raised_by or "").strip()[:100],
        text=text,
        recorded_by=actor,
        county_code=app.county_code,
    )
    app.status = S.INVESTIGATING
    case.publicity_from = case.publicity_to = None
    case.town_opinion = ""
    rules = sel.deadlines_for(app.programme)
    if rules.overall_extended and not case.extended:
        case.extended = True
        case.extension_reason = "公示期间有异议，重新调查"
    _save(app, case, "status")
    _event(
        application=app,
        actor=actor,
        step="objection",
        on=day,
        text="公示期间收到异议，重新调查后重新作出初审意见",
        data={"objection": objection.pk},
        changes={"status": [S.PUBLICITY, S.INVESTIGATING]},
    )
    return objection


@transaction.atomic
def publicity_close(
    *, actor: Any, application: Application, version: int, on: dt.date | None = None
) -> Application:
    """The 公示 ended without objection: the file goes to the county (第19条)."""
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    app = _claim(application, version, [S.PUBLICITY], "报送县级")
    case = _case(app)
    assert case.publicity_to is not None
    day = _date(on, "报送日期", "on")
    if day <= case.publicity_to:
        raise DomainError(
            f"公示期至 {case.publicity_to:%Y-%m-%d} 结束，期满后（{case.publicity_to + dt.timedelta(days=1):%Y-%m-%d} 起）方可报送县级",
            field="on",
        )
    app.status = S.COUNTY_REVIEW
    case.received_by_county_on = day
    _save(app, case, "status")
    _event(
        application=app,
        actor=actor,
        step="publicity_close",
        on=day,
        text="公示期满无异议，报送县级审核确认",
        changes={"status": [S.PUBLICITY, S.COUNTY_REVIEW]},
    )
    return app


@transaction.atomic
def case_extend(*, actor: Any, application: Application, version: int, reason: str) -> Application:
    """Extend the time limit from 30 to 45 working days in a special case (第22条)."""
    if not (
        actor.has_perm_code(Perm.ASSISTANCE_REVIEW) or actor.has_perm_code(Perm.ASSISTANCE_APPROVE)
    ):
        raise PermissionDeniedError()
    _in_region(actor, application.region_id)
    app = _claim(application, version, sel.OPEN_STATUSES, "延长办理期限")
    rules = sel.deadlines_for(app.programme)
    if not rules.overall_extended:
        raise DomainError("该救助项目没有可延长的总办理期限")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "请填写延长理由（如调查核实难度较大、人户分离、异地申办）", field="reason"
        )
    case = _case(app)
    if case.extended:
        raise DomainError("办理期限已经延长过")
    case.extended = True
    case.extension_reason = reason[:200]
    _save(app, case)
    _event(
        application=app,
        actor=actor,
        step="extend",
        on=_today(),
        text=f"办理期限延长至 {rules.overall_extended} 个工作日：{reason}",
    )
    return app


def _may_decide(
    actor: Any, app: Application, case: ApplicationCase, amount_fen: int | None
) -> None:
    """Who may make the decision: the county (审核确认), the township where the county has
    delegated it, or the township for 临时救助 within its approval limit."""
    _in_region(actor, app.region_id)
    township = False
    if app.programme == Programme.TEMPORARY and actor.has_perm_code(Perm.ASSISTANCE_REVIEW):
        limit = sel.township_limit_fen(app.assessment or {})
        township = limit is not None and amount_fen is not None and amount_fen <= limit
    if not township:
        require_perm(actor, Perm.ASSISTANCE_APPROVE)
        if not case.delegated and not _is_county_user(actor):
            raise PermissionDeniedError("本案未委托乡镇审核确认，须由县民政局审核确认")
    if actor.pk in (app.caseworker_id, case.applied_by_id):
        raise PermissionDeniedError("审核确认人不能是本案的经办人（受理、申请经办人员须回避）")


@transaction.atomic
def application_approve(
    *,
    actor: Any,
    application: Application,
    version: int,
    decided_on: dt.date | None = None,
    amount_fen: int | None = None,
    note: str = "",
    case_by_case_note: str = "",
) -> Enrollment:
    """审核确认: approve with the amount; payment from the month after the decision
    (第21条). Near-relative cases need the county's own home visit first (第20条)."""
    case0 = ApplicationCase.objects.get(application=application)
    proposed = (
        amount_fen
        if amount_fen is not None
        else int((application.assessment or {}).get("amount_fen") or 0)
    )
    _may_decide(actor, application, case0, proposed)
    app = _claim(application, version, [S.COUNTY_REVIEW], "审核确认")
    case = _case(app)
    day = _date(
        decided_on,
        "确认日期",
        "decided_on",
        not_before=case.received_by_county_on,
        not_before_label="县级收到日期",
    )
    if case.near_relative and case.county_visit_on is None:
        raise DomainError(
            "申请人家庭成员为经办人员或村（居）委会成员的近亲属（已备案），须先由县民政局入户核查后方可确认（第20条）"
        )
    decision = _reassess(app, day, "approve")
    note = (note or "").strip()
    if decision["verdict"] == "ineligible":
        reason = (decision.get("reasons") or [""])[0]
        raise DomainError(
            f"按最新档案核算不符合条件：{reason}。不能确认；如应不予确认，请填写理由后选择“不予确认”"
        )
    if decision["verdict"] == "needs_review" and not note:
        raise DomainError("核算结果需人工判定，请在审核确认意见中写明判定理由", field="note")
    engine_amount = int(decision.get("amount_fen") or 0)
    amount = engine_amount if amount_fen is None else int(amount_fen)
    if amount < 0:
        raise DomainError("金额不能为负数", field="amount")
    case_by_case_note = (case_by_case_note or "").strip()
    extra = sel.above_cap_fen(decision)
    if amount > engine_amount:
        if app.programme == Programme.TEMPORARY and extra and case_by_case_note:
            if amount > engine_amount + extra:
                raise DomainError(
                    f"一事一议的金额不能超过困难缺口（最多 {(engine_amount + extra) / 100:.2f} 元）",
                    field="amount",
                )
            case.case_by_case = True
            case.case_by_case_note = case_by_case_note[:200]
        else:
            raise DomainError(
                f"核定金额不能高于核算金额 {engine_amount / 100:.2f} 元"
                + ("；超过临时救助上限的部分须写明一事一议的决定" if extra else ""),
                field="amount",
            )
    if amount != engine_amount and not note and not case.case_by_case:
        raise DomainError("核定金额与核算金额不同，请在审核确认意见中写明理由", field="note")
    start = next_month(day)
    enrollment = enrollment_create(
        actor=actor,
        application=app,
        amount_fen=amount,
        start_month=start,
        reason=f"{day:%Y-%m-%d} 审核确认",
    )
    app.status = S.APPROVED
    app.decided_on = day
    case.approved_amount_fen = amount
    case.start_month = start
    case.decision_note = note
    case.decided_by = actor
    notice = _notice(application=app, actor=actor, kind=Notice.Kind.APPROVAL, on=day)
    _save(app, case, "status", "decided_on", "assessment")
    _event(
        application=app,
        actor=actor,
        step="approve",
        on=day,
        text=f"审核确认同意：{amount / 100:,.2f} 元，自 {start:%Y年%m月} 起发放（{notice.number}）"
        + ("；一事一议" if case.case_by_case else ""),
        data={"assessment": _decision_brief(decision), "amount_fen": amount, "start_month": start},
        changes={"status": [S.COUNTY_REVIEW, S.APPROVED]},
    )
    return enrollment


@transaction.atomic
def application_refuse(
    *,
    actor: Any,
    application: Application,
    version: int,
    reasons: str,
    decided_on: dt.date | None = None,
) -> Notice:
    """不予确认, with the reasons; the written notice is delivered through the township within
    3 working days (第21条)."""
    case0 = ApplicationCase.objects.get(application=application)
    _may_decide(actor, application, case0, None)
    app = _claim(application, version, [S.COUNTY_REVIEW], "作出不予确认决定")
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError("不予确认须写明理由", field="reasons")
    case = _case(app)
    day = _date(
        decided_on,
        "决定日期",
        "decided_on",
        not_before=case.received_by_county_on,
        not_before_label="县级收到日期",
    )
    decision = _reassess(app, day, "refuse")
    deliver_by = add_workdays(day, sel.deadlines_for(app.programme).refusal_notice)
    notice = _notice(
        application=app,
        actor=actor,
        kind=Notice.Kind.REFUSAL,
        on=day,
        reasons=reasons,
        deliver_by=deliver_by,
    )
    app.status = S.REFUSED
    app.decided_on = day
    case.refusal_reasons = reasons
    case.decided_by = actor
    _save(app, case, "status", "decided_on", "assessment")
    _event(
        application=app,
        actor=actor,
        step="refuse",
        on=day,
        text=f"不予确认（{notice.number}），应于 {deliver_by:%Y-%m-%d} 前送达申请人",
        data={"assessment": _decision_brief(decision), "reasons": reasons},
        changes={"status": [S.COUNTY_REVIEW, S.REFUSED]},
    )
    return notice


@transaction.atomic
def notice_delivered(*, actor: Any, notice: Notice, delivered_on: dt.date | None = None) -> Notice:
    """The township delivered a notice to the applicant."""
    if not (
        actor.has_perm_code(Perm.ASSISTANCE_REVIEW) or actor.has_perm_code(Perm.ASSISTANCE_APPROVE)
    ):
        raise PermissionDeniedError()
    app = notice.application
    _in_region(actor, app.region_id)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.delivered_on is not None:
        raise DomainError(f"该通知书已于 {notice.delivered_on:%Y-%m-%d} 送达")
    day = _date(
        delivered_on,
        "送达日期",
        "delivered_on",
        not_before=notice.issued_on,
        not_before_label="出具日期",
    )
    notice.delivered_on = day
    notice.save(update_fields=["delivered_on", "updated_at"])
    app = Application.objects.select_for_update().get(pk=app.pk)
    case = _case(app)
    _refresh_due(app, case)
    case.save()
    late = notice.deliver_by is not None and day > notice.deliver_by
    _event(
        application=app,
        actor=actor,
        step="notice_delivered",
        on=day,
        text=f"{notice.get_kind_display()}（{notice.number}）已送达"
        + ("，超过送达期限" if late else ""),
        data={"notice": notice.number, "late": late},
    )
    return notice


@transaction.atomic
def temporary_first_aid(
    *,
    actor: Any,
    application: Application,
    version: int,
    amount_fen: int | None = None,
    on: dt.date | None = None,
) -> Enrollment:
    """急难型临时救助的先行救助: the township helps at once, within its approval limit, and
    completes the registration and signatures afterwards (民发〔2018〕23号 二(二))."""
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    if application.programme != Programme.TEMPORARY:
        raise DomainError("只有临时救助可以先行救助")
    incident = (application.choices or {}).get("incident") or {}
    if incident.get("kind") != "emergency":
        raise DomainError("只有急难型临时救助可以先行救助；支出型按正常程序办理")
    app = _claim(application, version, [S.SUBMITTED, S.ACCEPTED], "先行救助")
    day = _date(on, "救助日期", "on", not_before=app.submitted_on, not_before_label="申请日期")
    case = _case(app)
    decision = _reassess(app, day, "first_aid")
    if decision["verdict"] == "ineligible":
        raise DomainError(f"不符合临时救助条件：{(decision.get('reasons') or [''])[0]}")
    amount = int(decision.get("amount_fen") or 0) if amount_fen is None else int(amount_fen)
    limit = sel.township_limit_fen(decision)
    if limit is None or amount > limit:
        raise DomainError(
            f"先行救助金额 {amount / 100:.2f} 元超过乡镇审批额度"
            + (f" {limit / 100:.2f} 元" if limit is not None else "")
            + "，请按程序报县级审批",
            field="amount",
        )
    month = month_start(day)
    enrollment = enrollment_create(
        actor=actor,
        application=app,
        amount_fen=amount,
        start_month=month,
        reason=f"急难型临时救助先行救助（{day:%Y-%m-%d}）",
    )
    old = app.status
    app.status = S.APPROVED
    app.accepted_on = app.accepted_on or day
    app.decided_on = day
    app.caseworker = app.caseworker or actor
    case.first_aid = True
    case.records_pending = True
    case.approved_amount_fen = amount
    case.start_month = month
    case.decided_by = actor
    _save(app, case, "status", "accepted_on", "decided_on", "caseworker", "assessment")
    _event(
        application=app,
        actor=actor,
        step="first_aid",
        on=day,
        text=f"急难型临时救助先行救助 {amount / 100:,.2f} 元，事后补齐登记和签字手续",
        data={"assessment": _decision_brief(decision), "amount_fen": amount},
        changes={"status": [old, S.APPROVED]},
    )
    return enrollment


@transaction.atomic
def first_aid_records_complete(
    *, actor: Any, application: Application, version: int, note: str
) -> Application:
    require_perm(actor, Perm.ASSISTANCE_REVIEW)
    _in_region(actor, application.region_id)
    app = _claim(application, version, [S.APPROVED], "补齐先行救助手续")
    case = _case(app)
    if not case.records_pending:
        raise DomainError("该申请没有待补的先行救助手续")
    note = (note or "").strip()
    if not note:
        raise DomainError("请说明补齐的材料和签字情况", field="note")
    case.records_pending = False
    _save(app, case)
    _event(
        application=app,
        actor=actor,
        step="first_aid_records",
        on=_today(),
        text=f"先行救助手续已补齐：{note}",
    )
    return app


@transaction.atomic
def application_withdraw(
    *, actor: Any, application: Application, version: int, reason: str
) -> Application:
    """The applicant withdraws, or refuses to cooperate (第29条): the procedure ends."""
    if not (
        actor.has_perm_code(Perm.ASSISTANCE_REVIEW) or actor.has_perm_code(Perm.ASSISTANCE_APPLY)
    ):
        raise PermissionDeniedError()
    _in_region(actor, application.region_id)
    app = _claim(application, version, sel.OPEN_STATUSES, "撤回")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤回或终止的原因", field="reason")
    old = app.status
    app.status = S.WITHDRAWN
    case = _case(app)
    _save(app, case, "status")
    _event(
        application=app,
        actor=actor,
        step="withdraw",
        on=_today(),
        text=f"申请撤回（终止办理）：{reason}",
        changes={"status": [old, S.WITHDRAWN]},
    )
    return app


# --- enrollment: the contract with payments -----------------------------------------------------


@transaction.atomic
def enrollment_create(
    *,
    actor: Any,
    application: Application,
    amount_fen: int,
    start_month: dt.date,
    reason: str,
) -> Enrollment:
    """Enrol the approved application: an ``Enrollment`` and its first ``EnrollmentAmount``.

    The payee is the household head for household programmes (低保, 临时救助 …), the person
    otherwise; ``covered_persons`` and ``variant`` come from the stored engine decision. A
    one-off payment (临时救助) is an enrollment of exactly one month.
    """
    if amount_fen < 0:
        raise DomainError("金额不能为负数")
    decision = application.assessment or {}
    household = application.household
    programme = application.programme
    payee = (
        household.head
        if programme in HOUSEHOLD_PROGRAMMES and household.head_id
        else application.applicant
    )
    assert payee is not None
    choices = application.choices or {}
    if programme == Programme.TEKUN:
        variant = str(choices.get("care_mode") or "")
    elif programme == Programme.TEMPORARY:
        variant = str((choices.get("incident") or {}).get("kind") or "")
    else:
        variant = "urban" if application.applicant.hukou == Person.Hukou.URBAN else "rural"
    month = month_start(start_month)
    one_off = programme in ONE_OFF
    if (
        not one_off
        and Enrollment.objects.filter(
            payee=payee, programme=programme, end_month__isnull=True
        ).exists()
    ):
        raise DomainError(f"{payee.name} 已纳入{Programme(programme).label}，不能重复纳入")
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                programme=programme,
                variant=variant,
                household=household,
                payee=payee,
                region=application.region,
                county_code=application.county_code,
                application=application,
                covered_persons=sel.covered_persons(decision, choices),
                start_month=month,
                end_month=month if one_off else None,
                status=Enrollment.Status.ENDED if one_off else Enrollment.Status.ACTIVE,
                end_reason="一次性救助" if one_off else "",
            )
            EnrollmentAmount.objects.create(
                enrollment=enrollment,
                from_month=month,
                amount_fen=amount_fen,
                reason=reason[:200],
                decided_by=actor,
            )
    except IntegrityError as exc:
        raise DomainError(f"{payee.name} 已纳入{Programme(programme).label}，不能重复纳入") from exc
    audit.record(
        actor=actor,
        action="assistance.enrollment.create",
        obj=enrollment,
        region_code=application.region_id,
        changes={"amount_fen": [None, amount_fen], "start_month": [None, month]},
        detail={"application": str(application.public_id), "programme": programme},
    )
    return enrollment


# --- parameters ---------------------------------------------------------------------------------


def _require_parameters(actor: Any, county_code: str) -> None:
    require_perm(actor, Perm.ASSISTANCE_PARAMETERS)
    prefix = region_prefix(actor)
    if prefix is None or not county_code.startswith(prefix) or len(prefix) > 6:
        raise PermissionDeniedError("只有县级业务管理员可以维护本县的救助参数")


def parameter_parse(key: str, value: Any) -> Any:
    """Check ``value`` against the engine's type for ``key``; the JSON form to store."""
    field = Parameters.model_fields.get(key)
    if field is None or field.annotation is None:
        raise DomainError(f"没有名为 {key} 的救助参数", field="key")
    try:
        parsed = TypeAdapter[Any](field.annotation).validate_python(value)
    except ValidationError as exc:
        raise DomainError(f"取值不正确：{exc.errors()[0]['msg']}", field="value") from exc
    for meta in field.metadata:
        for bound, check, word in (
            ("gt", lambda v, b: v > b, "大于"),
            ("ge", lambda v, b: v >= b, "不小于"),
        ):
            limit = getattr(meta, bound, None)
            if limit is not None and parsed is not None and not check(parsed, limit):
                raise DomainError(f"取值应{word} {limit}", field="value")
    return to_jsonable_python(parsed)


@transaction.atomic
def parameter_change(
    *,
    actor: Any,
    county_code: str,
    key: str,
    value: Any,
    effective_from: dt.date,
    basis: str,
) -> ParameterValue:
    """A new value of a parameter from ``effective_from``: the row in force that day is closed
    the day before and a new, unconfirmed row is added; the history stays."""
    _require_parameters(actor, county_code)
    stored = parameter_parse(key, value)
    basis = (basis or "").strip()
    if not basis:
        raise DomainError("请填写调整依据（文件名称、文号）", field="basis")
    rows = list(ParameterValue.objects.select_for_update().filter(county_code=county_code, key=key))
    if any(r.effective_from >= effective_from for r in rows):
        latest = max(r.effective_from for r in rows)
        raise DomainError(
            f"该参数已有自 {latest:%Y-%m-%d} 起的记录；新值的起始日期须晚于它",
            field="effective_from",
        )
    current = next(
        (r for r in rows if r.effective_to is None or r.effective_to >= effective_from), None
    )
    old_value = current.value if current else None
    if current is not None:
        current.effective_to = effective_from - dt.timedelta(days=1)
        current.save(update_fields=["effective_to"])
    row = ParameterValue.objects.create(
        county_code=county_code,
        key=key,
        value=stored,
        effective_from=effective_from,
        confirmed=False,
        basis=basis,
        created_by=actor,
    )
    try:  # the whole table must still make a valid set of parameters on that day
        sel.parameter_snapshot(county_code, effective_from)
    except ParameterError as exc:
        raise DomainError(f"保存后参数表不完整或有冲突：{exc.message}", field="value") from exc
    audit.record(
        actor=actor,
        action="assistance.parameter.change",
        obj=row,
        region_code=county_code,
        changes={"value": [old_value, stored]},
        detail={
            "key": key,
            "effective_from": effective_from,
            "basis": basis,
            "closed_row": current.pk if current else None,
        },
    )
    return row


@transaction.atomic
def parameter_confirm(*, actor: Any, row: ParameterValue) -> ParameterValue:
    """The bureau confirms a row: its label changes from 待民政局确认 to 民政局已确认."""
    _require_parameters(actor, row.county_code)
    row = ParameterValue.objects.select_for_update().get(pk=row.pk)
    if row.confirmed:
        raise DomainError("该参数已确认")
    if row.value is None:
        raise DomainError("该参数尚未设置取值，不能确认；请先填写取值")
    row.confirmed = True
    row.save(update_fields=["confirmed"])
    audit.record(
        actor=actor,
        action="assistance.parameter.confirm",
        obj=row,
        region_code=row.county_code,
        changes={"confirmed": [False, True]},
        detail={"key": row.key, "effective_from": row.effective_from},
    )
    return row
