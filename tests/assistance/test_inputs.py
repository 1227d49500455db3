"""Bad input gives a clear error naming the field, in Chinese."""

import json

import pytest

from minzheng.assistance.engine import assess
from minzheng.assistance.inputs import InputError, parse_application

from .helpers import application, person


def errors(payload):
    result = assess(payload)
    assert result["ok"] is False
    return {e["field"]: e["message"] for e in result["errors"]}


def test_bad_date_names_the_member_and_field():
    payload = application(members=[person(), person("spouse"), person("child", "2010/09/01")])
    assert errors(payload) == {"members[2].birth_date": "日期格式应为 YYYY-MM-DD"}


def test_impossible_date_is_named():
    payload = application(members=[person(birth="1971-02-30")])
    assert errors(payload) == {"members[0].birth_date": "不是有效日期：1971-02-30"}


def test_a_timestamp_is_not_a_date():
    payload = application(members=[person(birth=86400)])
    assert errors(payload) == {"members[0].birth_date": "日期格式应为 YYYY-MM-DD"}


def test_money_must_be_whole_fen():
    payload = application(members=[person(incomes=[{"type": "wage", "amount_fen": 12.5}])])
    assert errors(payload) == {"members[0].incomes[0].amount_fen": "应为整数（金额以分为单位）"}


def test_negative_money_is_refused():
    payload = application(members=[person(incomes=[{"type": "wage", "amount_fen": -1}])])
    assert errors(payload) == {"members[0].incomes[0].amount_fen": "不能小于 0"}


def test_missing_and_unknown_fields():
    payload = application()
    del payload["area"]
    payload["colour"] = "red"
    assert errors(payload) == {"area": "必填", "colour": "未知字段"}


def test_unknown_code_lists_the_allowed_ones():
    payload = application(members=[person(relation="cousin")])
    message = errors(payload)["members[0].relation"]
    assert message.startswith("应为以下之一：") and "'spouse'" in message and " or " not in message


def test_exactly_one_applicant():
    payload = application(members=[person("spouse")])
    assert errors(payload) == {"members": "应有且只有一人的关系为 self（本人），现有 0 人"}


def test_asset_owner_must_exist():
    payload = application(assets=[{"type": "deposit", "value_fen": 1, "owner": 3}])
    assert "assets[0].owner" in errors(payload)


def test_vehicle_needs_its_kind():
    payload = application(assets=[{"type": "vehicle", "value_fen": 1}])
    assert errors(payload) == {"assets[0].vehicle_kind": "机动车辆必须填写车辆种类"}


@pytest.mark.parametrize(
    ("programme", "field"),
    [
        ("temporary_assistance", "incident"),
        ("tekun", "choices.care_mode"),
        ("orphan", "choices.orphan_care_mode"),
    ],
)
def test_programme_specific_facts_are_required(programme, field):
    assert field in errors(application(programme))


def test_birth_after_application_is_refused():
    payload = application(members=[person(birth="2027-01-01")])
    assert errors(payload) == {"members[0].birth_date": "出生日期晚于申请日期"}


def test_region_code_form():
    payload = application()
    payload["region_code"] = "3405"
    assert errors(payload) == {"region_code": "格式不正确"}


def test_a_county_without_parameters_is_named():
    payload = application()
    payload["region_code"] = "340522100"
    assert set(errors(payload)) == {"region_code"}


def test_a_date_before_the_parameter_table_is_named():
    payload = application(day="2022-12-31", members=[person(birth="1970-01-01")])
    assert set(errors(payload)) == {"application_date"}


def test_bad_parameter_override_is_named():
    payload = application(parameter_overrides={"dibao_standard_rural_fen": "lots"})
    assert set(errors(payload)) == {"parameter_overrides.dibao_standard_rural_fen"}


def test_not_an_object():
    with pytest.raises(InputError) as exc:
        parse_application([1, 2])
    assert exc.value.errors[0].message == "应为 JSON 对象"


def test_result_is_plain_json():
    assert json.loads(json.dumps(assess(application())))["ok"] is True
