"""临时救助: 暂行办法 第47–48条; 民发〔2018〕23号 二(一)–(三); Anhui caps (policy-rules §3.2)."""

from .helpers import application, line, lines, person, run, step, wage


def temporary(kind="emergency", cause="fire", need=300000, members=None, **kw):
    incident = {"kind": kind, "cause": cause, "date": "2026-03-01", "need_fen": need}
    return application("temporary_assistance", members=members, incident=incident, **kw)


def test_cap_is_ten_times_the_standard_and_above_it_goes_to_case_by_case():
    d = run(temporary(need=1200000))
    assert step(d, "每次救助上限") == ("850.00 × 10 = 8500.00", 850000)
    assert d.amount_fen == 850000
    assert d.amount_period == "once"
    assert line(d, "temporary.case_by_case").values["above_cap_fen"] == 350000
    assert any("一事一议" in n for n in d.notes)


def test_emergency_is_at_least_twice_the_standard():
    d = run(temporary(need=50000))
    assert d.amount_fen == 170000
    assert line(d, "temporary.emergency_floor").values["floor_fen"] == 170000


def test_expenditure_type_has_no_floor():
    d = run(temporary("expenditure", "medical", need=50000))
    assert d.amount_fen == 50000
    assert not lines(d, "temporary.emergency_floor")


def test_township_approves_up_to_three_times_the_standard():
    small = run(temporary("expenditure", "medical", need=255000))
    assert "由乡镇审批" in line(small, "temporary.authority").text
    large = run(temporary("expenditure", "medical", need=255001))
    assert "报县民政局审批" in line(large, "temporary.authority").text


def test_emergency_skips_the_economic_check_and_hukou():
    rich = [person(incomes=[wage(5000000)])]
    d = run(temporary(members=rich, hukou_local=False))
    assert d.verdict == "eligible"
    assert line(d, "temporary.first_aid").article == "民发〔2018〕23号 二(二)"
    assert not lines(d, "temporary.income")


def test_expenditure_type_needs_income_below_local_disposable_income():
    rich = [person(employment="employed", incomes=[wage(500000)])]  # 4700 ≥ 50000 ÷ 12
    d = run(temporary("expenditure", "medical", members=rich))
    assert d.verdict == "ineligible"
    assert line(d, "temporary.income").article == "民发〔2018〕23号 二(一)"


def test_one_grant_per_cause_within_twelve_months():
    grants = [{"date": "2025-03-11", "cause": "fire"}]
    assert run(temporary(previous_temporary_grants=grants)).verdict == "ineligible"
    older = [{"date": "2025-03-10", "cause": "fire"}]
    assert run(temporary(previous_temporary_grants=older)).verdict == "eligible"
    other = [{"date": "2026-01-01", "cause": "traffic_accident"}]
    assert run(temporary(previous_temporary_grants=other)).verdict == "eligible"


def test_the_once_per_cause_rule_is_a_parameter():
    grants = [{"date": "2026-01-01", "cause": "fire"}]
    payload = temporary(
        previous_temporary_grants=grants,
        parameter_overrides={"temporary_one_per_cause_per_year": False},
    )
    assert run(payload).verdict == "eligible"


def test_no_remaining_need_is_refused():
    d = run(temporary(need=0))
    assert d.reasons == ["扣除保险赔付、其他救助后已无困难缺口"]
    assert d.amount_fen == 0
