"""Laying out a report as an official document (GB/T 9704-2012 《党政机关公文格式》).

The built-in report is a text template (``data/default_report.txt``); its rendered text is
parsed into blocks — title, first-level headings ``一、``, paragraphs with a run-in
second-level heading ``（一）…。``, body paragraphs, issuing organ, date, note — and written
out as plain text, as Word (python-docx, naming the fonts a Windows/WPS machine has), or as
PDF (WeasyPrint, with the free Noto CJK fonts of Debian's ``fonts-noto-cjk`` as fallbacks).

Format (security checklist §5): A4; margins top 37 mm, bottom 35 mm, left 28 mm, right
26 mm (type area 156 × 225 mm); title 2号 (22 pt) 小标宋, centred, one blank line below;
body 3号 (16 pt) 仿宋, 2-character first-line indent, fixed 28.95 pt lines (22 lines a page),
28 characters a line; headings 黑体 (一、) and 楷体 (（一）); page numbers "— 1 —" in 4号
(14 pt) 宋体, 7 mm below the type area, odd pages right and even pages left, one character
in from the edge; issuing organ and date without a seal: one blank line below the text,
organ two characters in from the right, date below it starting two characters further right.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# --- the format, in one place -------------------------------------------------------------------

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_PT = 22  # 2号
BODY_PT = 16  # 3号
PAGE_NUMBER_PT = 14  # 4号
LINE_PT = 28.95  # 225 mm / 22 lines
CHAR_SPACING_PT = -0.25  # 28 characters of 16 pt in a 156 mm line
PAGE_NUMBER_GAP_MM = 7

#: Fonts named in Word files: what a Chinese Windows, WPS, UOS or Kylin machine has.
DOCX_FONTS = {
    "title": "方正小标宋简体",
    "body": "仿宋",
    "h1": "黑体",
    "h2": "楷体",
    "page": "宋体",
    "latin": "Times New Roman",
}

#: CSS font stacks for the PDF: the real fonts when installed, then free substitutes, then
#: Noto CJK (Debian ``fonts-noto-cjk``), which also covers rare characters in names. The
#: Latin glyphs come from the same font: mixing fonts with other vertical metrics on one
#: line would make that line taller than the fixed line pitch.
CSS_FONTS = {
    "title": '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", serif',
    "body": '"仿宋", "FangSong", "仿宋_GB2312", "FandolFang", "Noto Serif CJK SC", serif',
    "h1": '"黑体", "SimHei", "FandolHei", "Noto Sans CJK SC", sans-serif',
    "h2": (
        '"楷体", "KaiTi", "楷体_GB2312", "AR PL UKai CN", "LXGW WenKai", "FandolKai", '
        '"Noto Serif CJK SC", serif'
    ),
    "page": '"宋体", "SimSun", "Noto Serif CJK SC", serif',
}

H1 = re.compile(r"^[一二三四五六七八九十]+、")
H2_RUNIN = re.compile(r"^（[一二三四五六七八九十]+）[^。]*。")
MARKERS = {"#标题": "title", "#署名": "sign", "#日期": "date", "#附注": "note"}


@dataclass(frozen=True)
class Block:
    kind: str  # h1 | para
    text: str
    runin: str = ""  # the run-in second-level heading of a paragraph


@dataclass
class OfficialDocument:
    title: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    sign: str = ""
    date: str = ""
    note: str = ""

    def plain_text(self) -> str:
        lines = [*self.title, ""]
        for b in self.blocks:
            lines.append(b.runin + b.text)
        lines += ["", self.sign, self.date]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines) + "\n"


def parse(text: str) -> OfficialDocument:
    doc = OfficialDocument()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        marker = next((m for m in MARKERS if line.startswith(m)), None)
        if marker is not None:
            value = line[len(marker) :].strip()
            kind = MARKERS[marker]
            if kind == "title":
                doc.title.append(value)
            else:
                setattr(doc, kind, value)
        elif H1.match(line):
            doc.blocks.append(Block("h1", line))
        elif m := H2_RUNIN.match(line):
            doc.blocks.append(Block("para", line[m.end() :], runin=m.group(0)))
        else:
            doc.blocks.append(Block("para", line))
    return doc


def text_width(s: str) -> float:
    """Width in body characters: a CJK character is 1, a half-width one ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in s)


def signature_indents(sign: str, date: str) -> tuple[float, float]:
    """Right indents (in characters) of the issuing organ and the date: the organ two
    characters in from the right, the date starting two characters right of the organ; if
    the date is the longer, it goes to the right edge and the organ moves left."""
    ws, wd = text_width(sign), text_width(date)
    sign_right = 2.0
    date_right = sign_right + ws - 2 - wd
    if date_right < 0:
        sign_right, date_right = sign_right - date_right, 0.0
    return sign_right, date_right


# --- plain text ---------------------------------------------------------------------------------


def to_text(doc: OfficialDocument) -> bytes:
    return doc.plain_text().encode("utf-8")


# --- Word -------------------------------------------------------------------------------------


def _fonts(rpr_parent: Any, east_asia: str, latin: str | None = None) -> None:
    """Name the fonts of a run or style, East Asian and Latin separately."""
    from docx.oxml.ns import qn

    rfonts = rpr_parent.get_or_add_rPr().get_or_add_rFonts()
    latin = latin or DOCX_FONTS["latin"]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


#: The elements that follow ``w:spacing`` and ``w:lang`` in a run's properties (ECMA-376
#: CT_RPr sequence); Word refuses a file whose elements are out of order.
_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def _rpr_child(rpr_parent: Any, tag: str, successors: tuple[str, ...]) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = rpr_parent.get_or_add_rPr()
    el = rpr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        rpr.insert_element_before(el, *successors)
    return el


def _char_spacing(rpr_parent: Any, pt: float) -> None:
    from docx.oxml.ns import qn

    _rpr_child(rpr_parent, "w:spacing", _AFTER_SPACING).set(qn("w:val"), str(round(pt * 20)))


def _run(paragraph: Any, text: str, font: str, size: float, *, spacing: float = 0) -> Any:
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    _fonts(run._element, font, DOCX_FONTS["page"] if font == DOCX_FONTS["page"] else None)
    if spacing:
        _char_spacing(run._element, spacing)
    return run


def _page_number(paragraph: Any) -> None:
    """``— PAGE —`` with a PAGE field that Word and WPS update."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    font, size = DOCX_FONTS["page"], PAGE_NUMBER_PT
    _run(paragraph, "— ", font, size)
    for kind, instr in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = _run(paragraph, "", font, size)
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
        elif instr == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._element.append(el)
        else:
            run.text = instr or ""
    _run(paragraph, " —", font, size)


def to_docx(doc: OfficialDocument, *, title: str = "") -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION_START
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = Document()
    section = d.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    # the page number's top edge 7 mm below the type area: footer bottom ≈ 35 − 7 − 5 mm
    section.footer_distance = Mm(MARGINS_MM["bottom"] - PAGE_NUMBER_GAP_MM) - Pt(PAGE_NUMBER_PT)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))

    normal = d.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, DOCX_FONTS["body"])
    _char_spacing(normal.element, CHAR_SPACING_PT)
    _rpr_child(normal.element, "w:lang", _AFTER_LANG).set(qn("w:eastAsia"), "zh-CN")
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False

    def paragraph(*, indent: bool = True, align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY) -> Any:
        p = d.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        return p

    for line in doc.title:
        p = paragraph(indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        _run(p, line, DOCX_FONTS["title"], TITLE_PT)
    paragraph(indent=False)  # one blank line below the title
    for b in doc.blocks:
        p = paragraph()
        if b.kind == "h1":
            _run(p, b.text, DOCX_FONTS["h1"], BODY_PT)
            continue
        if b.runin:
            _run(p, b.runin, DOCX_FONTS["h2"], BODY_PT)
        _run(p, b.text, DOCX_FONTS["body"], BODY_PT)

    paragraph(indent=False)  # one blank line above the issuing organ
    sign_right, date_right = signature_indents(doc.sign, doc.date)
    for text, right in ((doc.sign, sign_right), (doc.date, date_right)):
        p = paragraph(indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(right * BODY_PT)
        _run(p, text, DOCX_FONTS["body"], BODY_PT)
    if doc.note:
        p = paragraph()
        _run(p, doc.note, DOCX_FONTS["body"], BODY_PT)

    d.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # one character in from the edge: 单页码居右空一字，双页码居左空一字
        setattr(p.paragraph_format, f"{side}_indent", Pt(PAGE_NUMBER_PT))
        _page_number(p)

    props = d.core_properties
    props.title = title or "".join(doc.title)
    props.author = doc.sign
    props.language = "zh-CN"
    props.comments = "民政综合管理系统生成"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# --- HTML and PDF ------------------------------------------------------------------------------


def _css() -> str:
    m = MARGINS_MM
    # 一字线: U+2015 is full width in Noto CJK, where U+2014 is proportional (a margin box
    # cannot switch on "fwid" for the dashes alone without widening the digits too)
    page_number = (
        f'content: "\\2015  " counter(page) " \\2015"; font-family: {CSS_FONTS["page"]}; '
        f"font-size: {PAGE_NUMBER_PT}pt; line-height: 1; vertical-align: top; "
        f"padding-top: {PAGE_NUMBER_GAP_MM}mm; white-space: nowrap; letter-spacing: 0;"
    )
    return f"""
@page {{ size: A4; margin: {m["top"]}mm {m["right"]}mm {m["bottom"]}mm {m["left"]}mm; }}
@page :right {{ @bottom-right {{ {page_number} padding-right: 1em; text-align: right; }} }}
@page :left {{ @bottom-left {{ {page_number} padding-left: 1em; text-align: left; }} }}
html {{ font-family: {CSS_FONTS["body"]}; font-size: {BODY_PT}pt; line-height: {LINE_PT}pt;
        letter-spacing: {CHAR_SPACING_PT}pt; color: #000; }}
body {{ margin: 0; }}
p, h1, h2 {{ margin: 0; font-weight: normal; font-size: {BODY_PT}pt; orphans: 1; widows: 1; }}
/* the block's line pitch is fixed; its text sits in inline boxes no taller than the font,
   so no glyph (of whatever fallback font) can push a line apart */
p > span, h1 > span, h2 > span {{ line-height: 1; }}
.fw {{ font-feature-settings: "fwid"; }}
p {{ text-indent: 2em; text-align: justify; }}
h1.title {{ font-family: {CSS_FONTS["title"]}; font-size: {TITLE_PT}pt; font-weight: bold;
            text-align: center; text-indent: 0; letter-spacing: 0;
            margin-bottom: {LINE_PT}pt; }}
h2 {{ font-family: {CSS_FONTS["h1"]}; text-indent: 2em; page-break-after: avoid; }}
.runin {{ font-family: {CSS_FONTS["h2"]}; }}
p.sign, p.date {{ text-indent: 0; text-align: right; }}
p.sign {{ margin-top: {LINE_PT}pt; page-break-before: avoid; }}
"""


def _inline(text: str, cls: str = "") -> str:
    """Escaped text in an inline box; 一字线 (U+2014) set full width."""
    body = html.escape(text).replace("—", '<span class="fw">—</span>')
    return f'<span class="{cls}">{body}</span>' if cls else f"<span>{body}</span>"


def to_html(doc: OfficialDocument, *, title: str = "") -> str:
    e = html.escape
    parts = [
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(title or ''.join(doc.title))}</title>",
        f'<meta name="author" content="{e(doc.sign)}">',
        f"<style>{_css()}</style></head><body>",
        '<h1 class="title">' + "<br>".join(_inline(t) for t in doc.title) + "</h1>",
    ]
    for b in doc.blocks:
        if b.kind == "h1":
            parts.append(f"<h2>{_inline(b.text)}</h2>")
        elif b.runin:
            parts.append(f"<p>{_inline(b.runin, 'runin')}{_inline(b.text)}</p>")
        else:
            parts.append(f"<p>{_inline(b.text)}</p>")
    sign_right, date_right = signature_indents(doc.sign, doc.date)
    parts.append(f'<p class="sign" style="padding-right: {sign_right}em">{_inline(doc.sign)}</p>')
    parts.append(f'<p class="date" style="padding-right: {date_right}em">{_inline(doc.date)}</p>')
    if doc.note:
        parts.append(f'<p class="note">{_inline(doc.note)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def to_pdf(doc: OfficialDocument, *, title: str = "") -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=to_html(doc, title=title)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
