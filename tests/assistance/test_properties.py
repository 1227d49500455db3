"""Properties of every decision, over random applications to every programme."""

from datetime import date, timedelta
from typing import get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.assistance.inputs import IncomeType, Programme, Relation, SelfCareItem

from .helpers import run

DAY = date(2026, 3, 10)


def iso(d: date) -> str:
    return d.isoformat()


births = st.dates(min_value=date(1920, 1, 1), max_value=DAY).map(iso)
disability = st.none() | st.fixed_dictionaries(
    {
        "category": st.sampled_from(
            ["visual", "hearing", "physical", "intellectual", "mental", "multiple"]
        ),
        "grade": st.integers(1, 4),
    }
)
income_items = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(get_args(IncomeType)),
            "amount_fen": st.integers(0, 1_000_000),
            "months": st.integers(1, 12),
        }
    ),
    max_size=3,
)
statuses = st.sampled_from(["normal", "normal", "normal", "imprisoned", "deceased", "lost_contact"])


def people(relation):
    return st.fixed_dictionaries(
        {
            "relation": relation,
            "birth_date": births,
            "status": statuses,
            "status_since": st.dates(date(2015, 1, 1), DAY).map(iso),
            "disability": disability,
            "serious_illness": st.booleans(),
            "self_care_failed": st.lists(st.sampled_from(get_args(SelfCareItem)), unique=True),
            "incomes": income_items,
            "employment": st.sampled_from(["employed", "unemployed", "farming"]),
        }
    )


others = st.sampled_from([r for r in get_args(Relation) if r != "self"])


@st.composite
def applications(draw):
    programme = draw(st.sampled_from(get_args(Programme)))
    applicant = draw(people(st.just("self"))) | {"status": "normal"}
    members = [applicant, *draw(st.lists(people(others), max_size=4))]
    payload = {
        "programme": programme,
        "application_date": iso(DAY),
        "region_code": "340521104",
        "area": draw(st.sampled_from(["urban", "rural"])),
        "members": members,
        "obligors": draw(st.lists(people(st.just("child")), max_size=2)),
        "choices": {
            "single_person": draw(st.booleans()),
            "care_mode": draw(st.sampled_from(["dispersed", "centralized"])),
            "orphan_care_mode": draw(st.sampled_from(["institutional", "scattered"])),
        },
        "incident": {
            "kind": draw(st.sampled_from(["emergency", "expenditure"])),
            "cause": "other",
            "date": iso(DAY - timedelta(days=3)),
            "need_fen": draw(st.integers(0, 3_000_000)),
        },
        "assets": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["deposit", "house"]),
                        "value_fen": st.integers(0, 10_000_000),
                    }
                ),
                max_size=3,
            )
        ),
    }
    return payload


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applications())
def test_every_decision_is_consistent_and_explained(payload):
    d = run(payload)
    assert d.amount_fen >= 0
    assert d.lines, "a decision without lines explains nothing"
    failed = [x.text for x in d.lines if x.outcome == "failed"]
    review = [x.text for x in d.lines if x.outcome == "review"]
    if failed:
        assert d.verdict == "ineligible"
        assert d.amount_fen == 0
        assert d.summary.endswith(d.reasons[0])
    elif review:
        assert d.verdict == "needs_review"
    else:
        assert d.verdict == "eligible"
        assert d.reasons == []
    assert d.reasons == [x.text for x in d.lines if x.outcome in {"failed", "review"}]
    assert all(s.result_fen >= 0 for s in d.arithmetic if not s.label.endswith("（未取零前）"))
