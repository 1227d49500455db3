"""Reads of the assistance workflow: the parameter table from the database, the engine's input
built from the registry, case lists and pages (always scoped to the user's region), and the
deadlines of each step in working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from minzheng.accounts.scoping import get_scoped, scope
from minzheng.registry.models import (
    Asset,
    Disability,
    Employment,
    HealthCondition,
    Household,
    IncomeItem,
    Membership,
    Person,
    Situation,
)
from minzheng.workdays.selectors import add_workdays, workdays_between

from .decision import Decision
from .engine import decide
from .inputs import LABELS, parse_application
from .models import (
    Application,
    ApplicationCase,
    CaseEvent,
    Enrollment,
    Investigation,
    Notice,
    Objection,
    ParameterValue,
    Programme,
)
from .parameters import ParameterRow, Parameters, ParameterSnapshot, ParameterTable

UNCONFIRMED = "待民政局确认"
CONFIRMED = "民政局已确认"

# --- parameters ---------------------------------------------------------------------------------


def parameter_rows(county_code: str) -> QuerySet[ParameterValue]:
    return ParameterValue.objects.filter(county_code=county_code).order_by("key", "effective_from")


def parameter_table(county_code: str, *, on: dt.date | None = None) -> ParameterTable:
    """The engine's parameter table of a county, built from the database rows only.

    The status label says whether every row (or, given ``on``, every row in force that day)
    has been confirmed by the bureau. A county without rows gives an empty table, which the
    engine refuses with a plain message — there is no fall-back to shipped figures.
    """
    rows = list(parameter_rows(county_code))
    considered = [
        r
        for r in rows
        if on is None
        or (r.effective_from <= on and (r.effective_to is None or on <= r.effective_to))
    ]
    confirmed = bool(considered) and all(r.confirmed for r in considered)
    return ParameterTable(
        county_code=county_code,
        status=CONFIRMED if confirmed else UNCONFIRMED,
        source="县民政局救助参数表",
        rows=tuple(
            ParameterRow(
                key=r.key,
                value=r.value,
                effective_from=r.effective_from,
                effective_to=r.effective_to,
                basis=r.basis,
            )
            for r in rows
        ),
    )


def parameter_snapshot(county_code: str, on: dt.date) -> ParameterSnapshot:
    return parameter_table(county_code, on=on).snapshot(on)


@dataclass(frozen=True)
class ParameterKey:
    key: str
    description: str
    current: ParameterValue | None
    history: list[ParameterValue]

    @property
    def pending(self) -> bool:
        return any(not r.confirmed for r in self.history)


def parameter_overview(county_code: str, on: dt.date) -> list[ParameterKey]:
    """Every parameter the engine knows, in its declared order, with the row in force on
    ``on`` and the whole dated history."""
    by_key: dict[str, list[ParameterValue]] = {}
    for row in parameter_rows(county_code).select_related("created_by"):
        by_key.setdefault(row.key, []).append(row)
    out = []
    for key, info in Parameters.model_fields.items():
        history = by_key.get(key, [])
        current = next(
            (
                r
                for r in history
                if r.effective_from <= on and (r.effective_to is None or on <= r.effective_to)
            ),
            None,
        )
        out.append(ParameterKey(key, info.description or key, current, history))
    return out


def parameter_value_text(key: str, value: Any) -> str:
    """A parameter value as a person reads it: money in 元, yes/no, lists joined."""
    if value is None:
        return gettext("（未设置）")
    if key.endswith("_fen") and isinstance(value, int):
        return gettext("%(amount)s 元") % {"amount": f"{value / 100:,.2f}"}
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if key == "gaoling_bands" and isinstance(value, list):
        parts = []
        for band in value:
            top = band.get("max_age")
            ages = (
                gettext("%(low)s–%(high)s周岁") % {"low": band["min_age"], "high": top}
                if top is not None
                else gettext("%(low)s周岁以上") % {"low": band["min_age"]}
            )
            amount = gettext("%(amount)s 元") % {"amount": f"{band['amount_fen'] / 100:.2f}"}
            parts.append(f"{ages} {amount}")
        return gettext("；").join(parts)
    if isinstance(value, list):
        return gettext("、").join(str(v) for v in value) or gettext("（无）")
    return str(value)


# --- the engine's input, from the registry ------------------------------------------------------

#: GB/T 26341 category code → the engine's category.
DISABILITY_CATEGORY = {
    "1": "visual",
    "2": "hearing",
    "3": "speech",
    "4": "physical",
    "5": "intellectual",
    "6": "mental",
    "7": "multiple",
}
#: registry income category → the engine's income type (转移净收入 arrives already net).
INCOME_TYPE = {
    IncomeItem.Category.WAGE: "wage",
    IncomeItem.Category.BUSINESS: "business_net",
    IncomeItem.Category.PROPERTY: "property_net",
    IncomeItem.Category.TRANSFER: "other",
    IncomeItem.Category.OTHER: "other",
}
EMPLOYMENT = {
    Employment.Status.EMPLOYED: "employed",
    Employment.Status.FARMING: "farming",
    Employment.Status.SELF_EMPLOYED: "self_employed",
    Employment.Status.FLEXIBLE: "self_employed",
    Employment.Status.UNEMPLOYED: "unemployed",
    Employment.Status.STUDENT: "unemployed",
    Employment.Status.RETIRED: "retired",
    Employment.Status.OTHER: "unemployed",
}


def _kin(code: str) -> str:
    """The kind of a GB/T 4761 relation to the household head."""
    c = int(code) if code.isdigit() else 99
    if c in (1, 2):
        return "head"
    if 10 <= c <= 12:
        return "spouse"
    if c in (28, 38):
        return "child_in_law"
    if 20 <= c <= 39:
        return "child"
    if 40 <= c <= 49:
        return "grandchild"
    if c in (53, 54, 55, 56):
        return "parent_in_law"
    if 50 <= c <= 59:
        return "parent"
    if 60 <= c <= 69:
        return "grandparent"
    if c in (70, 71, 73, 75, 77, 79):
        return "sibling"
    return "other"


#: (the applicant's kind, the other person's kind) → relation to the applicant, when the
#: applicant is not the head. Pairs not listed are "other".
RELATIVE_TO: dict[tuple[str, str], str] = {
    ("spouse", "head"): "spouse",
    ("spouse", "child"): "child",
    ("spouse", "grandchild"): "grandchild",
    ("spouse", "parent"): "parent_in_law",
    ("child", "head"): "parent",
    ("child", "spouse"): "parent",
    ("child", "child"): "sibling",
    ("child", "parent"): "grandparent",
    ("parent", "head"): "child",
    ("parent", "sibling"): "child",
    ("parent", "spouse"): "child_in_law",
    ("parent", "child"): "grandchild",
    ("sibling", "head"): "sibling",
    ("sibling", "sibling"): "sibling",
    ("sibling", "parent"): "parent",
}


def relation_to_applicant(applicant_code: str, other_code: str) -> str:
    a, o = _kin(applicant_code), _kin(other_code)
    if a == "head":
        return "other" if o == "head" else o
    return RELATIVE_TO.get((a, o), "other")


def deceased_parents(
    household: Household, applicant_code: str, on: dt.date
) -> list[dict[str, Any]]:
    """The applicant's parents who died as members of this household (the registry ended their
    membership at death), for the orphan rules: a grandchild's parents are the head's son or
    daughter and their spouse. Only the dead are listed this way, so a living uncle is never
    taken for a parent; they count for nothing else (the dead are no household members)."""
    parent_kinds = {"grandchild": {"child", "child_in_law"}, "child": {"head", "spouse"}}
    wanted = parent_kinds.get(_kin(applicant_code))
    if not wanted:
        return []
    rows = (
        Membership.objects.filter(
            household=household,
            ended_on__lte=on,
            person__status=Person.Status.DECEASED,
            person__died_on__lte=on,
        )
        .select_related("person")
        .order_by("relation", "id")
    )
    return [
        {
            "name": m.person.name,
            "relation": "parent",
            "birth_date": m.person.birth_date.isoformat(),
            "status": "deceased",
            "status_since": m.person.died_on.isoformat() if m.person.died_on else None,
            "lives_with_household": False,
        }
        for m in rows
        if _kin(m.relation) in wanted
    ]


def _vehicle_kind(description: str) -> str:
    if "代步" in description:
        return "disability_mobility"
    if "农用" in description:
        return "low_value_farm_vehicle"
    if "摩托" in description:
        return "motorcycle"
    return "car"


def _in_force(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def engine_payload(
    *,
    household: Household,
    applicant: Person,
    programme: str,
    on: dt.date,
    region_code: str,
    choices: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The engine's application (a plain payload) from the registry as it is on ``on``: the
    current members with their disabilities, illness, work and incomes, and the assets."""
    choices = dict(choices or {})
    # the members on ``on``: one who left later still counts, a child born later does not.
    # The membership's start is not used: a household entered in the system after the
    # application date starts its memberships on the day it was entered.
    memberships = list(
        Membership.objects.filter(household=household, person__birth_date__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("person")
        .order_by("relation", "started_on", "id")
    )
    people = [m.person for m in memberships]
    ids = [p.pk for p in people]
    applicant_code = next((m.relation for m in memberships if m.person_id == applicant.pk), "02")
    disabilities: dict[int, Disability] = {}
    for d in Disability.objects.filter(person_id__in=ids).order_by("-grade", "id"):
        if d.valid_until is None or d.valid_until >= on:
            disabilities[d.person_id] = d  # the most severe (lowest grade) wins
    ill = set(
        HealthCondition.objects.filter(person_id__in=ids, serious_illness=True).values_list(
            "person_id", flat=True
        )
    )
    # the situation in force on ``on`` (服刑在押, 失联 …): the latest started wins
    situations: dict[int, Situation] = {}
    for row in Situation.objects.filter(person_id__in=ids).order_by("since", "id"):
        if row.in_force(on):
            situations[row.person_id] = row
    work: dict[int, Employment] = {}
    for e in Employment.objects.filter(person_id__in=ids).order_by("started_on", "id"):
        if _in_force(e.started_on, e.ended_on, on):
            work[e.person_id] = e
    incomes: dict[int, list[dict[str, Any]]] = {}
    for inc in IncomeItem.objects.filter(household=household).order_by("started_on", "id"):
        if not _in_force(inc.started_on, inc.ended_on, on):
            continue
        owner = inc.person_id if inc.person_id in ids else applicant.pk
        incomes.setdefault(owner, []).append(
            {
                "type": INCOME_TYPE.get(IncomeItem.Category(inc.category), "other"),
                "amount_fen": inc.monthly_amount_fen,
                "months": 1,
                "note": (inc.note or inc.get_category_display())[:100],
            }
        )
    benefits = current_benefits(household=household, person_ids=ids, on=on)
    members: list[dict[str, Any]] = []
    for m in memberships:
        p = m.person
        if p.pk == applicant.pk:
            relation = "self"
        else:
            relation = relation_to_applicant(applicant_code, m.relation)
        person: dict[str, Any] = {
            "name": p.name,
            "relation": relation,
            "birth_date": p.birth_date.isoformat(),
            "lives_with_household": m.living_together,
            "serious_illness": p.pk in ill,
            "incomes": incomes.get(p.pk, []),
        }
        if benefits.get(p.pk):
            person["benefits"] = benefits[p.pk]
        sit = situations.get(p.pk)
        if sit is not None:
            # a grandchild's parents are the head's son or daughter and their spouse; as for
            # the dead (``deceased_parents``), only those with a recorded situation are taken
            # for parents, so a living uncle with none is never one
            if (
                relation == "other"
                and _kin(applicant_code) == "grandchild"
                and _kin(m.relation) in {"child", "child_in_law"}
            ):
                person["relation"] = "parent"
            person["status"] = sit.kind
            if sit.since is not None:
                person["status_since"] = sit.since.isoformat()
            if sit.until is not None:
                person["status_until"] = sit.until.isoformat()
        cert = disabilities.get(p.pk)
        if cert is not None and cert.category in DISABILITY_CATEGORY:
            person["disability"] = {
                "category": DISABILITY_CATEGORY[cert.category],
                "grade": cert.grade,
                "certificate": True,
            }
        job = work.get(p.pk)
        if job is not None:
            person["employment"] = EMPLOYMENT.get(Employment.Status(job.status), "unemployed")
            if job.work_ability == Employment.WorkAbility.NONE:
                person["able_to_work"] = False
            elif job.work_ability == Employment.WorkAbility.FULL:
                person["able_to_work"] = True
            if job.status == Employment.Status.STUDENT and (on.year - p.birth_date.year) >= 18:
                person["student_level"] = "undergraduate"
        members.append(person)
    members += deceased_parents(household, applicant_code, on)
    offset = 0
    if applicant.pk not in ids:  # a person applying alone who is not (yet) in the household
        offset = 1
        members.insert(
            0,
            {
                "name": applicant.name,
                "relation": "self",
                "birth_date": applicant.birth_date.isoformat(),
            },
        )
    index = {p.pk: i + offset for i, p in enumerate(people)}
    assets: list[dict[str, Any]] = []
    for a in Asset.objects.filter(household=household).order_by("kind", "id"):
        asset_owner = index.get(a.person_id) if a.person_id else None
        base: dict[str, Any] = {"owner": asset_owner, "note": (a.description or "")[:100]}
        if a.kind == Asset.Kind.VEHICLE:
            for _ in range(max(a.count, 1)):
                assets.append(
                    {
                        **base,
                        "type": "vehicle",
                        "value_fen": a.value_fen,
                        "vehicle_kind": _vehicle_kind(a.description),
                    }
                )
        elif a.kind == Asset.Kind.REAL_ESTATE:
            for _ in range(max(a.count, 1)):
                assets.append({**base, "type": "house", "value_fen": a.value_fen})
        elif a.kind == Asset.Kind.FINANCIAL:
            assets.append({**base, "type": "deposit", "value_fen": a.value_fen})
        elif a.kind == Asset.Kind.BUSINESS:
            assets.append({**base, "type": "business", "value_fen": a.value_fen})
    payload: dict[str, Any] = {
        "programme": programme,
        "application_date": on.isoformat(),
        "region_code": region_code,
        "area": "urban" if applicant.hukou == Person.Hukou.URBAN else "rural",
        "hukou_local": applicant.county_code == region_code[:6],
        "members": members,
        "assets": assets,
        "previous_temporary_grants": previous_temporary_grants(household, on),
    }
    engine_choices = {
        k: v
        for k, v in choices.items()
        if k in ("single_person", "care_mode", "orphan_care_mode", "orphan_or_tekun") and v
    }
    if engine_choices:
        payload["choices"] = engine_choices
    if programme == Programme.TEMPORARY and choices.get("incident"):
        payload["incident"] = choices["incident"]
    return payload


# enrollments the engine sees as a member's current benefit (inputs.BenefitType)
BENEFIT_OF_PROGRAMME = {
    Programme.DIBAO: "dibao",
    Programme.TEKUN: "tekun",
    Programme.ORPHAN: "orphan",
    Programme.DE_FACTO_ORPHAN: "de_facto_orphan",
    Programme.DISABILITY_LIVING: "disability_living",
    Programme.DISABILITY_CARE: "disability_care",
    Programme.GAOLING: "gaoling",
}


def current_benefits(
    *, household: Household, person_ids: list[int], on: dt.date
) -> dict[int, list[dict[str, Any]]]:
    """What the members already receive on ``on``, from the enrollments the system holds
    (enter once): a household's 低保 is every member's (the amount shared per covered person);
    the other programmes are the payee's own."""
    month = on.replace(day=1)
    in_force = (
        Enrollment.objects.filter(programme__in=list(BENEFIT_OF_PROGRAMME), start_month__lte=month)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .filter(Q(household=household) | Q(payee_id__in=person_ids))
        .prefetch_related("amounts")
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for e in in_force:
        amounts = sorted(
            (a for a in e.amounts.all() if a.from_month <= month), key=lambda a: a.from_month
        )
        monthly = amounts[-1].amount_fen if amounts else 0
        kind = BENEFIT_OF_PROGRAMME[Programme(e.programme)]
        if e.programme in HOUSEHOLD_BENEFITS and e.household_id == household.pk:
            share = monthly // max(e.covered_persons, 1)
            for pid in person_ids:
                out.setdefault(pid, []).append({"type": kind, "monthly_fen": share})
        elif e.payee_id in person_ids:
            out.setdefault(e.payee_id, []).append({"type": kind, "monthly_fen": monthly})
    return out


HOUSEHOLD_BENEFITS = frozenset({Programme.DIBAO})


def previous_temporary_grants(household: Household, on: dt.date) -> list[dict[str, Any]]:
    """临时救助 granted to the household in the 12 months before ``on`` (one per cause)."""
    since = on - dt.timedelta(days=366)
    out = []
    for app in Application.objects.filter(
        household=household,
        programme=Programme.TEMPORARY,
        status=Application.Status.APPROVED,
        decided_on__gte=since,
        decided_on__lt=on,
    ).select_related("case"):
        incident = (app.choices or {}).get("incident") or {}
        if incident.get("cause") and app.decided_on:
            out.append(
                {
                    "date": app.decided_on.isoformat(),
                    "cause": incident["cause"],
                    "amount_fen": getattr(getattr(app, "case", None), "approved_amount_fen", 0)
                    or 0,
                }
            )
    return out


def assess_payload(payload: dict[str, Any]) -> Decision:
    """Run the engine on a payload with the county's database parameters."""
    app = parse_application(payload)
    snapshot = parameter_snapshot(app.county_code, app.application_date)
    return decide(app, snapshot)


def covered_persons(decision: dict[str, Any], choices: dict[str, Any]) -> int:
    """How many persons the decision covers: the counted household members (第7条)."""
    if choices.get("single_person"):
        return 1
    counted = sum(
        1
        for line in decision.get("lines", [])
        if str(line.get("rule", "")).startswith("household.member[")
        and (line.get("values") or {}).get("included") is True
    )
    return max(counted, 1)


def township_limit_fen(decision: dict[str, Any]) -> int | None:
    """The township approval limit stated by a 临时救助 decision, if any."""
    for line in decision.get("lines", []):
        if line.get("rule") == "temporary.authority":
            value = (line.get("values") or {}).get("township_limit_fen")
            return int(value) if isinstance(value, int) else None
    return None


def above_cap_fen(decision: dict[str, Any]) -> int:
    for line in decision.get("lines", []):
        if line.get("rule") == "temporary.case_by_case":
            value = (line.get("values") or {}).get("above_cap_fen")
            return int(value) if isinstance(value, int) else 0
    return 0


# --- deadlines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """Working-day limits of one programme's procedure (national rules, cited)."""

    overall: int | None  # from acceptance to the county's decision
    overall_extended: int | None
    overall_delegated: int | None
    investigation_start: int  # from acceptance
    town_review: int | None  # from acceptance to the 初审 (特困, children)
    county_review: int  # from the county's receipt of the file
    refusal_notice: int  # from the decision
    publicity_days: int | None  # calendar days; None = no publicity (privacy)
    basis: str


DIBAO_DEADLINES = Deadlines(
    overall=30,
    overall_extended=45,
    overall_delegated=20,
    investigation_start=3,
    town_review=None,
    county_review=10,
    refusal_notice=3,
    publicity_days=7,
    basis="审核确认办法 第15、19、20、21、22条；民发〔2022〕83号",
)
DEADLINES: dict[str, Deadlines] = {
    Programme.DIBAO: DIBAO_DEADLINES,
    Programme.DIBAO_EDGE: DIBAO_DEADLINES,
    Programme.RIGID_EXPENSE: Deadlines(
        30, 45, 20, 3, None, 10, 3, 7, "刚性支出困难家庭认定办法 第8条；审核确认办法 第15、21条"
    ),
    Programme.TEKUN: Deadlines(
        None, None, None, 3, 15, 15, 3, 7, "特困人员认定办法 第12、14、15、17条"
    ),
    Programme.DE_FACTO_ORPHAN: Deadlines(
        None, None, None, 3, 15, 15, 3, None, "民发〔2019〕62号 二（不公示）"
    ),
}


def deadlines_for(programme: str) -> Deadlines:
    return DEADLINES.get(programme, DIBAO_DEADLINES)


def overall_limit(application: Application, case: ApplicationCase) -> int | None:
    rules = deadlines_for(application.programme)
    if case.delegated and rules.overall_delegated:
        return rules.overall_delegated
    if case.extended and rules.overall_extended:
        return rules.overall_extended
    return rules.overall


def next_deadline(application: Application, case: ApplicationCase) -> tuple[dt.date | None, str]:
    """The next legal deadline of the case and what it is for."""
    rules = deadlines_for(application.programme)
    status = application.status
    S = Application.Status
    accepted = application.accepted_on
    overall_days = overall_limit(application, case)
    overall = add_workdays(accepted, overall_days) if accepted and overall_days else None
    if status == S.ACCEPTED and accepted:
        return add_workdays(accepted, rules.investigation_start), "开始入户调查"
    if status in (S.INVESTIGATING, S.TOWN_REVIEW) and accepted:
        if rules.town_review:
            return add_workdays(accepted, rules.town_review), "乡镇初审"
        return overall, "审核确认（办理时限）"
    if status == S.PUBLICITY:
        return case.publicity_to, "公示期满，报送县级"
    if status == S.COUNTY_REVIEW and case.received_by_county_on:
        county = add_workdays(case.received_by_county_on, rules.county_review)
        if overall and overall < county:
            return overall, "审核确认（办理时限）"
        return county, "县级审核确认"
    if status == S.REFUSED:
        notice = next((n for n in application.notices.all() if n.kind == Notice.Kind.REFUSAL), None)
        if notice is not None and notice.delivered_on is None:
            return notice.deliver_by, "送达不予确认通知书"
    return None, ""


#: Cases whose deadline is at most this many working days away are flagged 即将到期.
WARN_WORKDAYS = 3


def due_state(due_on: dt.date | None, today: dt.date) -> str:
    """``overdue``, ``soon`` (within ``WARN_WORKDAYS``) or ``ok``; empty when no deadline."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    if workdays_between(today, due_on) <= WARN_WORKDAYS:
        return "soon"
    return "ok"


# --- lists and pages ----------------------------------------------------------------------------

STEP_GROUPS: dict[str, tuple[str, ...]] = {
    "accept": (Application.Status.SUBMITTED,),
    "investigate": (Application.Status.ACCEPTED, Application.Status.INVESTIGATING),
    "town_review": (Application.Status.TOWN_REVIEW,),
    "publicity": (Application.Status.PUBLICITY,),
    "county": (Application.Status.COUNTY_REVIEW,),
    "done": (
        Application.Status.APPROVED,
        Application.Status.REFUSED,
        Application.Status.WITHDRAWN,
        Application.Status.TERMINATED,
    ),
}
STEP_LABELS = {
    "accept": gettext_lazy("待受理"),
    "investigate": gettext_lazy("入户调查"),
    "town_review": gettext_lazy("待初审"),
    "publicity": gettext_lazy("公示中"),
    "county": gettext_lazy("待县级审核确认"),
    "done": gettext_lazy("已办结"),
}
OPEN_STATUSES = tuple(s for k, v in STEP_GROUPS.items() if k != "done" for s in v)
SORTS = {
    "due": ("case__due_on", "submitted_on", "id"),
    "-submitted": ("-submitted_on", "-id"),
    "submitted": ("submitted_on", "id"),
    "applicant": ("applicant__name", "id"),
}


def applications_for_user(
    user: Any,
    *,
    step: str = "",
    programme: str = "",
    q: str = "",
    due: str = "",
    sort: str = "due",
    today: dt.date | None = None,
) -> QuerySet[Application]:
    today = today or timezone.localdate()
    qs = scope(Application.objects.all(), user, via="region__code").select_related(
        "applicant", "household", "region__parent", "case", "caseworker"
    )
    if step in STEP_GROUPS:
        qs = qs.filter(status__in=STEP_GROUPS[step])
    if programme:
        qs = qs.filter(programme=programme)
    if q:
        qs = qs.filter(Q(applicant__name__contains=q) | Q(household__address__contains=q))
    if due == "overdue":
        qs = qs.filter(
            case__due_on__lt=today, status__in=(*OPEN_STATUSES, Application.Status.REFUSED)
        )
    elif due == "soon":
        horizon = add_workdays(today, WARN_WORKDAYS)
        qs = qs.filter(
            case__due_on__gte=today,
            case__due_on__lte=horizon,
            status__in=(*OPEN_STATUSES, Application.Status.REFUSED),
        )
    return qs.order_by(*SORTS.get(sort, SORTS["due"]))


def step_counts(user: Any) -> dict[str, int]:
    """Cases in the user's region by step (one grouped query)."""
    qs = scope(Application.objects.all(), user, via="region__code").order_by()
    by_status = dict(qs.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        key: sum(by_status.get(s, 0) for s in statuses) for key, statuses in STEP_GROUPS.items()
    }


def due_counts(user: Any, today: dt.date) -> dict[str, int]:
    return {
        "overdue": applications_for_user(user, due="overdue", today=today).count(),
        "soon": applications_for_user(user, due="soon", today=today).count(),
    }


def application_for_user(user: Any, public_id: Any) -> Application:
    return get_scoped(
        Application.objects.select_related(
            "applicant",
            "household__head",
            "household__region",
            "region__parent",
            "case",
            "caseworker",
        ),
        user,
        via="region__code",
        public_id=public_id,
    )


def case_page(application: Application) -> dict[str, Any]:
    """Everything the case page shows, in a fixed number of queries."""
    return {
        "events": list(CaseEvent.objects.filter(application=application).select_related("actor")),
        "investigations": list(
            Investigation.objects.filter(application=application)
            .select_related("recorded_by")
            .prefetch_related("attachments")
        ),
        "objections": list(Objection.objects.filter(application=application)),
        "notices": list(Notice.objects.filter(application=application)),
        "enrollments": list(
            Enrollment.objects.filter(application=application).prefetch_related("amounts")
        ),
        "members": [
            m.person
            for m in Membership.objects.filter(
                household=application.household, ended_on__isnull=True
            ).select_related("person")
        ],
    }


@dataclass(frozen=True)
class PublicityRow:
    masked_name: str
    village: str
    household_size: int
    amount_text: str
    programme: str


def publicity_rows(user: Any, town_code: str) -> list[PublicityRow]:
    """The 公示名单 of a town: cases in publicity, with masked names and no ID or phone."""
    from minzheng.core.masking import mask_name

    qs = (
        scope(Application.objects.all(), user, via="region__code")
        .filter(status=Application.Status.PUBLICITY, region__code__startswith=town_code)
        .select_related("applicant", "region", "case")
        .order_by("region_id", "id")
    )
    rows = []
    for app in qs:
        decision = app.assessment or {}
        rows.append(
            PublicityRow(
                masked_name=mask_name(app.applicant.name),
                village=app.region.name,
                household_size=covered_persons(decision, app.choices or {}),
                amount_text=str(decision.get("amount_text") or "—"),
                programme=LABELS["programme"].get(app.programme, app.get_programme_display()),
            )
        )
    return rows


def household_choices_for(user: Any, q: str, *, limit: int = 20) -> list[Household]:
    """Households in the user's region whose head or a current member matches ``q``."""
    from minzheng.registry.selectors import person_ids_matching

    ids = person_ids_matching(user, q, limit=limit) if q else []
    if not ids:
        return []
    return list(
        scope(Household.objects.all(), user, via="region__code")
        .filter(memberships__person_id__in=ids, memberships__ended_on__isnull=True)
        .select_related("head", "region__parent")
        .distinct()[:limit]
    )
