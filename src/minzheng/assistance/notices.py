"""Printable documents of a case, as PDF (WeasyPrint): 受理通知书, 不予确认通知书 with the
reasons, 审核确认通知书, and a town's 公示名单.

The notices use the official-document layout of ``reports.officialdoc``. The 公示名单 shows
only what 审核确认办法 第24条 allows — masked name (张*三), village, household size,
programme and amount — never an ID number or a phone number.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from minzheng.geo.models import Region
from minzheng.reports.officialdoc import CSS_FONTS, Block, OfficialDocument, to_pdf
from minzheng.workdays.selectors import add_workdays

from .models import Application, Notice
from .workflow_selectors import PublicityRow, overall_limit

#: 行政复议法 第20条 (60 days), 行政诉讼法 第46条 (6 months).
REMEDY = (
    "如对本决定不服，可以自收到本通知书之日起六十日内向{county}人民政府申请行政复议，"
    "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"
)


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _town(application: Application) -> Region:
    region = application.region
    parent = region.parent
    if region.level in ("village", "community") and parent is not None:
        return parent
    return region


def _county_name(application: Application) -> str:
    county = Region.objects.filter(code=application.county_code).first()
    return county.name if county else application.county_code


def _para(text: str) -> Block:
    return Block("para", text)


def notice_document(notice: Notice) -> OfficialDocument:
    app = notice.application
    name = app.applicant.name
    programme = app.get_programme_display()
    submitted = cn_date(app.submitted_on)
    county = _county_name(app)
    town = _town(app).name
    doc = OfficialDocument(date=cn_date(notice.issued_on))
    doc.blocks.append(_para(notice.number))
    doc.blocks.append(_para(f"{name}："))
    if notice.kind == Notice.Kind.ACCEPTANCE:
        doc.title = ["社会救助申请受理通知书"]
        doc.sign = f"{town}人民政府"
        accepted = app.accepted_on or notice.issued_on
        doc.blocks.append(
            _para(
                f"你（你家庭）于{submitted}提出的{programme}申请，材料齐全，本机关已于"
                f"{cn_date(accepted)}受理。我们将在受理之日起3个工作日内开始家庭经济状况调查"
                "（入户调查、邻里访问、信函索证、信息核对），请予以配合，如实提供情况。"
            )
        )
        case = getattr(app, "case", None)
        days = overall_limit(app, case) if case is not None else None
        if days:
            doc.blocks.append(
                _para(
                    f"本申请的办理时限为自受理之日起{days}个工作日（至{cn_date(add_workdays(accepted, days))}），"
                    "特殊情况可以延长。"
                )
            )
        doc.blocks.append(
            _para(
                "家庭人口、收入、财产状况发生变化的，请及时告知。承诺不实或隐瞒情况的，将依法处理。"
            )
        )
    elif notice.kind == Notice.Kind.REFUSAL:
        doc.title = ["社会救助审核确认", "不予确认通知书"]
        doc.sign = f"{county}民政局"
        doc.blocks.append(
            _para(
                f"你（你家庭）于{submitted}提出的{programme}申请，经调查核实、乡镇初审和公示，"
                "本局审核，决定不予确认。理由如下："
            )
        )
        for i, line in enumerate(r.strip() for r in notice.reasons.splitlines() if r.strip()):
            doc.blocks.append(_para(f"{i + 1}. {line}"))
        doc.blocks.append(_para(REMEDY.format(county=county)))
        doc.note = f"（本通知书由{town}人民政府送达）"
    else:
        doc.title = ["社会救助审核确认通知书"]
        doc.sign = f"{county}民政局"
        case = getattr(app, "case", None)
        amount = (case.approved_amount_fen or 0) / 100 if case else 0
        start = case.start_month if case else None
        doc.blocks.append(
            _para(
                f"你（你家庭）于{submitted}提出的{programme}申请，经审核，决定予以确认，"
                f"核定金额{amount:,.2f}元"
                + (f"，自{start.year}年{start.month}月起发放。" if start else "。")
            )
        )
    return doc


def notice_pdf(notice: Notice) -> bytes:
    return to_pdf(notice_document(notice), title=notice.get_kind_display())


def notice_filename(notice: Notice) -> str:
    return f"{notice.get_kind_display()}-{notice.number or notice.pk}.pdf"


def publicity_html(town: Region, rows: list[PublicityRow], *, on: dt.date) -> str:
    return render_to_string(
        "assistance/publicity_pdf.html",
        {
            "town": town,
            "rows": rows,
            "on": cn_date(on),
            "fonts": CSS_FONTS,
            "title": f"{town.name}社会救助对象初审公示名单",
        },
    )


def publicity_pdf(town: Region, rows: list[PublicityRow], *, on: dt.date) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=publicity_html(town, rows, on=on)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
