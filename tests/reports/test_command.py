"""``minzheng report``: every key in JSON, files in every format, ``--strict``, auditing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from minzheng.core.models import AuditEvent
from minzheng.reports.figures import NOT_CONNECTED
from minzheng.reports.registry import load_catalogue

from .conftest import SEED_TEMPLATE_TXT

pytestmark = pytest.mark.django_db

PERIOD = ["--from", "2023-01-01", "--to", "2023-09-30"]


def not_connected_count() -> int:
    from minzheng.reports.registry import registry

    return sum(1 for m in registry.metrics() if not m.implemented)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_gives_every_metric_with_value_unit_label_and_status(county):
    out, err = run(*PERIOD, "--region", county.code, "--format", "json")
    data = json.loads(out)
    assert data["region"] == {"code": county.code, "name": "试验县", "level": "county"}
    assert data["period"] == {"from": "2023-01-01", "to": "2023-09-30"}
    metrics = data["metrics"]
    assert {d.key for d in load_catalogue()} <= set(metrics)
    for key, m in metrics.items():
        assert {"label", "unit", "status", "value"} <= set(m), key
    assert metrics["geo.villages"] == {
        "label": "行政村",
        "unit": "个",
        "domain": "geo",
        "status": "ok",
        "status_label": "已接入",
        "value": county.villages,
        "text": str(county.villages),
        "drilldown": True,
    }
    assert metrics["geo.communities"]["value"] == county.communities
    volunteers = metrics["volunteers.registered_wan"]
    assert (volunteers["status"], volunteers["value"], volunteers["text"], volunteers["unit"]) == (
        "not_connected",
        None,
        NOT_CONNECTED,
        "万人",
    )
    funds = metrics["assistance.funds_total_wan"]  # from the payments ledger: none here
    assert (funds["status"], funds["value"], funds["text"]) == ("ok", "0.00", "0.00")
    assert len(data["warnings"]) == not_connected_count()
    assert "警告：volunteers.registered_wan（注册志愿者）未接入" in err


def test_money_reaches_json_as_exact_decimal_text(county):
    from minzheng.reports.registry import registry

    with registry.temporarily() as reg:
        reg.register("funeral.waiver_wan", compute=lambda s: 123_456_789)
        out, _ = run(*PERIOD, "--region", county.code)
    m = json.loads(out)["metrics"]["funeral.waiver_wan"]
    assert (m["status"], m["value"], m["text"]) == ("ok", "123.46", "123.46")


def test_strict_mode_fails_and_names_the_keys_not_connected(county):
    with pytest.raises(CommandError) as err:
        run(*PERIOD, "--region", county.code, "--format", "json", "--strict")
    assert "严格模式" in str(err.value)
    assert "volunteers.registered_wan" in str(err.value)
    assert "assistance.funds_total_wan" not in str(err.value)
    assert "geo.villages" not in str(err.value)
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_strict_mode_only_asks_for_the_figures_a_template_uses(county, tmp_path):
    template = tmp_path / "村社区.txt"
    template.write_text(
        "行政村{{ geo.villages }}个，社区{{ geo.communities }}个。", encoding="utf-8"
    )
    out, err = run(*PERIOD, "--region", county.code, "--template", str(template), "--strict")
    assert out == f"行政村{county.villages}个，社区{county.communities}个。"
    assert err == ""


def test_strict_mode_with_the_seed_template_names_its_32_keys(county, shared_file):
    # 33 placeholders; assistance.funds_total_wan is connected (payments)
    with pytest.raises(CommandError, match="以下32项指标尚未接入"):
        run(
            *PERIOD,
            "--region",
            county.code,
            "--template",
            str(shared_file(SEED_TEMPLATE_TXT)),
            "--strict",
        )


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx", "txt"])
def test_each_format_is_written_to_the_output_file_and_audited(county, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    run(*PERIOD, "--region", county.code, "--format", fmt, "--output", str(path))
    data = path.read_bytes()
    if fmt == "docx":
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        assert f"行政村{county.villages}个" in text
    elif fmt == "pdf":
        assert data.startswith(b"%PDF-")
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(data)).sheetnames == ["分区域统计", "指标目录"]
    else:
        assert f"行政村{county.villages}个" in data.decode()
    event = AuditEvent.objects.get(action="report.export")
    assert (event.region_code, event.actor_username, event.outcome) == (
        county.code,
        "cli",
        "success",
    )
    assert event.detail["format"] == fmt and event.detail["channel"] == "cli"


def test_a_word_template_must_produce_word(county, shared_file):
    from .conftest import SEED_TEMPLATE_DOCX

    with pytest.raises(CommandError, match="只能生成同类文件"):
        run(
            *PERIOD,
            "--region",
            county.code,
            "--template",
            str(shared_file(SEED_TEMPLATE_DOCX)),
            "--format",
            "pdf",
        )


def test_a_template_error_is_a_chinese_command_error(county, tmp_path):
    template = tmp_path / "错.md"
    template.write_text("{{ geo.vilages }}", encoding="utf-8")
    with pytest.raises(CommandError, match=r"系统不认识的占位符：\{\{ geo.vilages \}\}"):
        run(*PERIOD, "--region", county.code, "--template", str(template))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023-09-30", "--to", "2023-01-01", "--region", "340521"], "晚于"),
        (["--from", "2023-13-01", "--to", "2023-12-31", "--region", "340521"], "YYYY-MM-DD"),
        ([*PERIOD, "--region", "999999"], "不存在"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
