"""The built-in report: own wording in the seed's structure, every catalogue figure, and
the official-document layout of GB/T 9704 in Word and PDF."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import unicodedata

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from minzheng.reports.exports import DEFAULT_TEMPLATE, default_document, export_report
from minzheng.reports.figures import NOT_CONNECTED
from minzheng.reports.officialdoc import parse, signature_indents
from minzheng.reports.registry import load_catalogue

from .conftest import ISSUED, SEED_TXT, need

pytestmark = pytest.mark.django_db


def test_the_built_in_report_shows_every_figure_of_the_catalogue(county, report_of):
    _, used = default_document(report_of(county.code), issued_on=ISSUED)
    assert {d.key for d in load_catalogue()} - used == set()
    assert {"geo.villages", "geo.communities", "geo.towns"} <= used


def test_the_built_in_report_does_not_copy_the_seed_sentences(shared_file):
    seed = shared_file(SEED_TXT).read_text(encoding="utf-8")
    ours = DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    clauses = {c for c in re.split(r"[。；，：、\n]", seed) if len(c) >= 10}
    assert len(clauses) > 50
    copied = sorted(c for c in clauses if c in ours)
    assert copied == []


def test_the_built_in_report_follows_the_seed_structure(county, report_of):
    doc, _ = default_document(report_of(county.code), issued_on=ISSUED)
    headings = [b.text for b in doc.blocks if b.kind == "h1"]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、"]
    for word in ("社会救助", "养老服务", "公共服务", "基层", "慈善"):
        assert any(word in h for h in headings), word
    assert doc.title == ["关于试验县2023年1—9月", "民政工作情况的报告"]
    assert (doc.sign, doc.date) == ("试验县民政局", "2023年10月8日")
    assert "36项数据" in doc.note  # 41 figures: 3 from assistance, 2 from payments


def test_a_town_report_is_signed_by_the_town_and_counts_no_towns(county, report_of):
    doc, _ = default_document(report_of(county.town_a), issued_on=ISSUED)
    text = doc.plain_text()
    assert doc.sign == "甲镇人民政府"
    assert f"有行政村{county.town_a_villages}个、社区{county.town_a_communities}个。" in text
    assert "乡镇（含园区）" not in text


def test_headings_and_run_in_headings_are_recognised():
    doc = parse(
        "#标题 甲\n一、大标题\n（一）小标题。正文内容。\n普通段落\n#署名 某局\n#日期 2024年1月2日"
    )
    assert [(b.kind, b.runin, b.text) for b in doc.blocks] == [
        ("h1", "", "一、大标题"),
        ("para", "（一）小标题。", "正文内容。"),
        ("para", "", "普通段落"),
    ]


def test_the_date_starts_two_characters_right_of_the_issuing_organ():
    sign, date = "当涂县民政局", "2023年10月8日"  # 6 and 6.5 characters wide
    sign_right, date_right = signature_indents(sign, date)
    assert date_right == 0
    assert sign_right == 2.5  # so the date starts 2 characters right of the organ
    sign_right, date_right = signature_indents("马鞍山市当涂县民政局", "2024年1月2日")
    assert (sign_right, date_right) == (2.0, 4.0)


# --- Word -----------------------------------------------------------------------------------


def _docx(report):
    return Document(io.BytesIO(export_report(report, "docx", issued_on=ISSUED).content))


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_word_report_has_the_official_page_and_type_area(county, report_of):
    s = _docx(report_of(county.code)).sections[0]
    measured = [
        s.page_width,
        s.page_height,
        s.top_margin,
        s.bottom_margin,
        s.left_margin,
        s.right_margin,
    ]
    expected = [210, 297, 37, 35, 28, 26]
    # Word stores twentieths of a point: equal to a tenth of a millimetre
    assert [round(m.mm, 1) for m in measured] == expected


def test_word_report_uses_the_official_fonts_and_sizes(county, report_of):
    doc = _docx(report_of(county.code))
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert normal.element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"
    pf = normal.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= pf.line_spacing <= Pt(29)

    paragraphs = doc.paragraphs
    title = paragraphs[0].runs[0]
    assert (title.font.size, _east_asia(title)) == (Pt(22), "方正小标宋简体")
    h1 = next(p for p in paragraphs if p.text.startswith("一、"))
    assert _east_asia(h1.runs[0]) == "黑体"
    assert h1.paragraph_format.first_line_indent == Pt(32)
    runin = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert _east_asia(runin.runs[0]) == "楷体" and runin.runs[0].text.endswith("。")
    assert _east_asia(runin.runs[1]) == "仿宋"


def test_word_report_numbers_pages_with_dashes_odd_right_even_left(county, report_of):
    doc = _docx(report_of(county.code))
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    for footer, side in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert p.alignment.name == side.upper()
        assert getattr(p.paragraph_format, f"{side}_indent") == Pt(14)
        assert {r.font.size for r in p.runs} == {Pt(14)}


def test_word_report_shows_the_figures(county, report_of):
    text = "\n".join(p.text for p in _docx(report_of(county.code)).paragraphs)
    assert f"行政村{county.villages}个、社区{county.communities}个" in text
    assert f"乡镇（含园区）{county.towns}个" in text
    assert NOT_CONNECTED in text and "{{" not in text


# --- PDF ------------------------------------------------------------------------------------------


@pytest.fixture
def pdf(county, report_of, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(export_report(report_of(county.code), "pdf", issued_on=ISSUED).content)
    return path


def pdftotext(path, *args: str) -> str:
    return subprocess.run(
        [need("pdftotext"), *args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_pdf_text_has_the_title_figures_and_signature(pdf, county):
    text = pdftotext(pdf)
    flat = re.sub(r"\s+", "", text)
    assert "关于试验县2023年1—9月民政工作情况的报告" in flat
    assert (
        f"乡镇（含园区）{county.towns}个、行政村{county.villages}个、社区{county.communities}个"
        in flat
    )
    assert NOT_CONNECTED in flat
    assert "试验县民政局2023年10月8日" in flat


def test_pdf_is_a4_with_page_numbers_between_dashes(pdf):
    info = subprocess.run(
        [need("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
    for n in range(1, pages + 1):
        page = pdftotext(pdf, "-f", str(n), "-l", str(n))
        assert re.search(rf"[―—]\s*{n}\s*[―—]", page), page[-60:]


def test_pdf_sets_22_lines_of_28_characters_on_a_full_page(pdf):
    lines = [
        ln for ln in pdftotext(pdf, "-layout", "-f", "2", "-l", "2").splitlines() if ln.strip()
    ]
    body = [ln.strip() for ln in lines if not re.fullmatch(r"\s*[―—]\s*2\s*[―—]\s*", ln)]
    assert len(body) == 22
    # a full line holds 28 characters (digits count half): measure the lines that are not
    # the first line of a paragraph (indented) and not its last (followed by an indented one)
    raw = [ln for ln in lines if ln.strip() and not re.fullmatch(r"\s*[―—]\s*2\s*[―—]\s*", ln)]
    full = [
        ln
        for ln, nxt in itertools.pairwise(raw)
        if not ln.startswith(" ") and not nxt.startswith(" ")
    ]
    widths = [width(ln) for ln in full]
    assert len(widths) >= 4
    assert max(widths) == 28, list(zip(full, widths, strict=True))
    # a line may end early where a punctuation mark may not start the next one
    assert sum(1 for w in widths if w == 28) * 2 >= len(widths)


def width(line: str) -> float:
    return sum(1 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in line.strip())


def test_pdf_embeds_cjk_fonts(pdf):
    fonts = subprocess.run(
        [need("pdffonts"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert "CJK" in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes " in line  # embedded and subset
