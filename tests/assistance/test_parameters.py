"""Parameters are dated per-county data (policy-rules §12); no local figure lives in code."""

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from minzheng.assistance.parameters import (
    DATA_DIR,
    ParameterError,
    Parameters,
    ParameterTable,
    default_table,
)

TABLE = default_table("340521")
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "minzheng" / "assistance"


def test_defaults_are_labelled_to_be_confirmed_and_start_2023():
    assert TABLE.status == "待民政局确认"
    assert min(r.effective_from for r in TABLE.rows) == date(2023, 1, 1)
    assert all(r.basis for r in TABLE.rows), "every row says where its figure comes from"


def test_section_12_defaults_in_fen():
    p = TABLE.snapshot(date(2024, 6, 1)).values
    assert p.dibao_standard_rural_fen == p.dibao_standard_urban_fen == 85000
    assert p.tekun_basic_configured_fen == 110500
    assert p.min_wage_prev_year_fen == 165000
    assert p.employment_cost_deduction_fen == 30000
    assert [(b.min_age, b.amount_fen) for b in p.gaoling_bands] == [
        (80, 5000),
        (90, 10000),
        (100, 30000),
    ]
    assert p.resident_pension_central_base_fen == 12300  # 2024 (§12 BASE_PENSION_CENTRAL)


@pytest.mark.parametrize(
    ("day", "institutional", "scattered"),
    [
        (date(2023, 1, 1), 156500, 115000),
        (date(2023, 4, 30), 156500, 115000),  # §6.1: the earlier level until the notice took effect
        (date(2023, 5, 1), 186500, 145000),
        (date(2026, 3, 10), 186500, 145000),
    ],
)
def test_orphan_standards_change_on_2023_05_01(day, institutional, scattered):
    p = TABLE.snapshot(day).values
    assert (p.orphan_institutional_fen, p.orphan_scattered_fen) == (institutional, scattered)
    assert p.de_facto_orphan_standard_fen == scattered


@pytest.mark.parametrize(
    ("day", "base"),
    [(date(2023, 7, 1), 10300), (date(2024, 7, 1), 12300), (date(2025, 7, 1), 14300)],
)
def test_central_base_pension_by_year(day, base):
    assert TABLE.snapshot(day).values.resident_pension_central_base_fen == base


def test_no_parameters_before_the_first_effective_date():
    with pytest.raises(ParameterError) as exc:
        TABLE.snapshot(date(2022, 12, 31))
    assert "2022-12-31" in exc.value.message


def test_override_replaces_one_key_and_marks_the_status():
    snap = TABLE.snapshot(date(2026, 1, 1), {"dibao_standard_rural_fen": 90000})
    assert snap.values.dibao_standard_rural_fen == 90000
    assert snap.values.dibao_standard_urban_fen == 85000
    assert "临时指定" in snap.status


def test_a_missing_key_is_named():
    values = dict(TABLE.snapshot(date(2026, 1, 1)).values.model_dump())
    del values["min_wage_prev_year_fen"]
    with pytest.raises(ParameterError) as exc:
        Parameters.from_dict(values)
    assert exc.value.field == "min_wage_prev_year_fen"
    assert "缺少参数" in exc.value.message


def test_two_rows_in_force_on_one_day_are_refused():
    data = json.loads((DATA_DIR / "parameters-340521.json").read_text(encoding="utf-8"))
    data["rows"].append(
        {"key": "dibao_standard_urban_fen", "value": 1, "effective_from": "2024-01-01"}
    )
    with pytest.raises(ParameterError) as exc:
        ParameterTable.model_validate(data).snapshot(date(2024, 2, 1))
    assert "dibao_standard_urban_fen" in exc.value.message


def test_overlapping_age_bands_are_refused():
    values = dict(TABLE.snapshot(date(2026, 1, 1)).values.model_dump())
    values["gaoling_bands"] = [
        {"min_age": 80, "max_age": 90, "amount_fen": 1},
        {"min_age": 90, "max_age": None, "amount_fen": 2},
    ]
    with pytest.raises(ParameterError):
        Parameters.from_dict(values)


def test_unknown_county_has_no_defaults():
    with pytest.raises(ParameterError):
        default_table("340522")


def _money_figures() -> set[int]:
    figures: set[int] = set()
    for row in TABLE.rows:
        if isinstance(row.value, int) and not isinstance(row.value, bool) and row.value >= 1000:
            figures.add(row.value)
        if row.key == "gaoling_bands":
            figures |= {band["amount_fen"] for band in row.value}
    return figures


def test_no_local_money_figure_is_a_literal_in_the_code():
    """§12: every local figure lives in the parameter table, never in code."""
    figures = _money_figures()
    assert 85000 in figures and 110500 in figures
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and type(node.value) is int and node.value in figures:
                found.append(f"{path.name}:{node.lineno} {node.value}")
    assert found == []
