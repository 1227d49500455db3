"""Filling a user's own template: the seed report template, Word and text, and every way a
template can be wrong, each with a Chinese message naming the placeholder."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document

from minzheng.reports.figures import NOT_CONNECTED
from minzheng.reports.templating import (
    ReportTemplateError,
    docx_text,
    render_docx_template,
    render_text_template,
)

from .conftest import ISSUED, SEED_TEMPLATE_DOCX, SEED_TEMPLATE_TXT

pytestmark = pytest.mark.django_db

PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def make_docx(*paragraphs: str, header: str = "", split_runs: bool = False) -> bytes:
    """A Word file as a user would make it; ``split_runs`` puts every character of a
    paragraph in its own run, as Word does after editing or spell-checking."""
    doc = Document()
    for text in paragraphs:
        p = doc.add_paragraph()
        if split_runs:
            for i, ch in enumerate(text):
                run = p.add_run(ch)
                run.bold = i % 2 == 0
        else:
            p.add_run(text)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- the seed template ------------------------------------------------------------------------


def test_seed_word_template_renders_to_a_valid_docx_with_every_blank_marked(shared_file, report_of):
    data = shared_file(SEED_TEMPLATE_DOCX).read_bytes()
    source = docx_text(data)
    n = len(PLACEHOLDER.findall(source))
    assert n == 33

    rendered = render_docx_template(report_of("340521"), data)

    doc = Document(io.BytesIO(rendered.content))  # python-docx re-opens it
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "{{" not in text and "}}" not in text
    assert text.count(NOT_CONNECTED) == n - 1  # funds_total_wan comes from payments
    assert "资金共计0.00万元" in text
    assert "注册志愿者人数共【未接入】万余人" in text
    assert text.splitlines()[0] == "关于2023年工作总结和2024年工作安排的报告"
    assert len(rendered.used_keys) == n


def test_seed_text_template_renders_with_every_blank_marked(shared_file, report_of):
    data = shared_file(SEED_TEMPLATE_TXT).read_bytes()
    n = len(PLACEHOLDER.findall(data.decode()))

    text = render_text_template(report_of("340521"), data).content.decode()

    assert "{{" not in text and "}}" not in text
    assert text.count(NOT_CONNECTED) == n - 1  # funds_total_wan comes from payments
    assert "建成【未接入】所县级失能特困人员供养机构" in text
    # the text around the placeholders is untouched
    seed_lines = data.decode().splitlines()
    assert len(text.splitlines()) == len(seed_lines)
    assert text.splitlines()[-1] == seed_lines[-1]


# --- figures that exist ------------------------------------------------------------------------


def test_a_word_template_gets_the_figures_in_body_and_header(county, report_of):
    data = make_docx(
        "全县共有行政村{{ geo.villages }}个，社区{{ geo.communities.with_unit }}。",
        "指标名称：{{ geo.villages.label }}；{{ report.region_name }}",
        header="{{ report.region_name }}{{ report.period_title }}",
    )
    out = render_docx_template(report_of(county.code), data, issued_on=ISSUED).content
    text = docx_text(out)
    assert f"全县共有行政村{county.villages}个，社区{county.communities}个。" in text
    assert "指标名称：行政村；试验县" in text
    assert "试验县2023年1—9月" in text  # the header


def test_a_placeholder_split_over_runs_is_still_found(county, report_of):
    data = make_docx("行政村{{ geo.villages }}个", split_runs=True)
    text = docx_text(render_docx_template(report_of(county.code), data).content)
    assert f"行政村{county.villages}个" in text


def test_a_text_template_may_use_loops_and_conditions(county, report_of):
    source = (
        "{% for k in ['villages', 'communities'] %}{{ geo[k].label }}={{ geo[k] }};{% endfor %}"
        "{% if marriage.marriages.status == '未接入' %}婚姻登记未接入{% endif %}"
    ).encode()
    text = render_text_template(report_of(county.code), source).content.decode()
    assert text == f"行政村={county.villages};社区={county.communities};婚姻登记未接入"


def test_a_gbk_text_template_is_read(county, report_of):
    source = "行政村{{ geo.villages }}个".encode("gb18030")
    assert render_text_template(report_of(county.code), source).content.decode() == (
        f"行政村{county.villages}个"
    )


# --- mistakes ------------------------------------------------------------------------------------


def test_an_unknown_placeholder_is_named_in_chinese_with_its_paragraph(report_of):
    data = make_docx("第一段", "资金{{ assistance.funds_totl_wan }}万元")
    with pytest.raises(ReportTemplateError) as err:
        render_docx_template(report_of("340521"), data)
    msg = err.value.message
    assert "系统不认识的占位符" in msg
    assert "{{ assistance.funds_totl_wan }}" in msg
    assert "正文第2段" in msg
    assert "是否应为 {{ assistance.funds_total_wan }}" in msg
    assert err.value.placeholders == ("assistance.funds_totl_wan",)


def test_every_unknown_placeholder_is_listed_at_once(report_of):
    source = b"{{ foo.bar }}\n{{ geo.village }}\n{{ geo.villages }}"
    with pytest.raises(ReportTemplateError) as err:
        render_text_template(report_of("340521"), source)
    assert "{{ foo.bar }}（第1行）" in err.value.message
    assert "{{ geo.village }}（第2行）" in err.value.message
    assert set(err.value.placeholders) == {"foo.bar", "geo.village"}


def test_an_unknown_placeholder_in_a_header_is_found(report_of):
    data = make_docx("正文", header="{{ report.county_name }}")
    with pytest.raises(ReportTemplateError, match=r"\{\{ report.county_name \}\}（页眉"):
        render_docx_template(report_of("340521"), data)


@pytest.mark.parametrize(
    ("source", "fragment", "hint"),
    [
        (
            "共计{{ assistance.funds_total_wan }万元",
            "{{ assistance.funds_total_wan }万元",
            "花括号不成对",
        ),
        ("共计{{ assistance.funds total }}万元", "{{ assistance.funds total }}", "不能有空格"),
        ("{% if geo.villages %}有村", "{% if geo.villages %}", "缺少 {% endif %}"),
        ("共{{ geo.villages|wan }}个", "{{ geo.villages|wan }}", "不存在的过滤器"),
    ],
)
def test_a_syntax_error_is_explained_in_chinese_with_the_placeholder(
    report_of, source, fragment, hint
):
    with pytest.raises(ReportTemplateError) as err:
        render_text_template(report_of("340521"), ("第一行\n" + source).encode())
    assert err.value.message.startswith("模板语法错误：第2行")
    assert fragment in err.value.message
    assert hint in err.value.message


def test_a_syntax_error_in_word_names_the_paragraph(report_of):
    data = make_docx("一", "二", "共计{{ geo.villages }万元")
    with pytest.raises(ReportTemplateError) as err:
        render_docx_template(report_of("340521"), data)
    assert "模板语法错误：正文第3段" in err.value.message
    assert "{{ geo.villages }万元" in err.value.message


def test_a_half_placeholder_left_as_text_is_refused(report_of):
    with pytest.raises(ReportTemplateError, match="残缺的占位符"):
        render_text_template(report_of("340521"), "共{ geo.villages }}个".encode())


def test_a_domain_without_a_metric_name_is_refused(report_of):
    with pytest.raises(ReportTemplateError, match=r"\{\{ geo \}\} 是一组指标的名称"):
        render_text_template(report_of("340521"), b"{{ geo }}")


@pytest.mark.parametrize(
    "source",
    [
        "{{ geo.villages.__class__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ report.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_the_sandbox_keeps_templates_away_from_python_internals(report_of, source):
    with pytest.raises(ReportTemplateError):
        render_text_template(report_of("340521"), source.encode())


@pytest.mark.parametrize(
    ("data", "extra"),
    [
        (b"this is not a word file", ""),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 .doc"),
    ],
)
def test_a_file_that_is_not_a_docx_is_refused_in_chinese(report_of, data, extra):
    with pytest.raises(ReportTemplateError, match="不是有效的 Word 文档") as err:
        render_docx_template(report_of("340521"), data)
    assert extra in err.value.message


def test_a_broken_docx_is_refused_in_chinese(report_of):
    good = make_docx("{{ geo.villages }}")
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item))
    with pytest.raises(ReportTemplateError, match="不是有效的 Word 文档"):
        render_docx_template(report_of("340521"), broken.getvalue())
    truncated = good[: len(good) // 2]
    with pytest.raises(ReportTemplateError, match="不是有效的 Word 文档"):
        render_docx_template(report_of("340521"), truncated)


def test_a_docx_that_would_unpack_to_a_huge_file_is_refused(report_of):
    from minzheng.reports.templating import MAX_UNPACKED_BYTES

    bomb = io.BytesIO()
    good = io.BytesIO(make_docx("{{ geo.villages }}"))
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("word/media/padding.bin", b"\0" * (MAX_UNPACKED_BYTES + 1))
    assert len(bomb.getvalue()) < 1_000_000
    with pytest.raises(ReportTemplateError, match="解压后超过 64 MB"):
        render_docx_template(report_of("340521"), bomb.getvalue())
