"""The seed report for a county whose year was made by the demo history (applications
through the workflow, monthly payrolls): Word from the user's template and the built-in PDF
carry the same figures, computed from those records."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from docx import Document

from minzheng.demo.history import simulate_history
from minzheng.geo.models import Region
from minzheng.registry.generator import generate_county
from minzheng.reports.exports import export_report
from minzheng.reports.selectors import build_report
from minzheng.reports.templating import render_docx_template

from .conftest import SEED_TEMPLATE_DOCX, need

pytestmark = pytest.mark.django_db

YEAR_START, YEAR_END = dt.date(2023, 1, 1), dt.date(2023, 12, 31)


@pytest.fixture
def report_2023(db):
    generate_county(1200, 11, as_of=dt.date(2026, 6, 30))
    simulate_history(seed=11, today=YEAR_END)
    county = Region.objects.get(code="340521")
    return build_report(region=county, start=YEAR_START, end=YEAR_END)


def test_the_seed_template_and_the_pdf_show_the_simulated_year(report_2023, shared_file, tmp_path):
    funds = report_2023.figures["assistance.funds_total_wan"]
    households = report_2023.figures["assistance.dibao_households"]
    assert funds.connected and funds.value > 0
    assert households.value > 0

    # the user's Word template, re-opened
    rendered = render_docx_template(report_2023, shared_file(SEED_TEMPLATE_DOCX).read_bytes())
    text = "\n".join(p.text for p in Document(io.BytesIO(rendered.content)).paragraphs)
    assert "{{" not in text and "}}" not in text
    assert f"资金共计{funds.text}万元" in text

    # the built-in report as PDF: the same figures in its text
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(export_report(report_2023, "pdf", issued_on=dt.date(2024, 1, 8)).content)
    pdf_text = subprocess.run(
        [need("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout.replace("\n", "")
    persons = report_2023.figures["assistance.dibao_persons"]
    assert f"实际发放{funds.text}万元" in pdf_text
    assert f"在保城乡低保对象{households.text}户、{persons.text}人" in pdf_text
