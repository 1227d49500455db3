"""Filling a user's own template (Word .docx, or .txt/.md) with the figures of a report.

A placeholder is ``{{ domain.name }}``, the metric key as written in the catalogue
(``{{ assistance.funds_total_wan }}``). Jinja reads the dots as attribute access, so the
context is a tree: one ``Node`` per domain whose children are the figures (``FigureLeaf``),
and ``report`` with words about the report itself (``{{ report.region_name }}`` …). A figure
prints as its number (``12.34``) or ``【未接入】``; ``.with_unit``, ``.label``, ``.unit``,
``.status`` are available too.

User templates are untrusted: they run in Jinja's sandbox, and every problem — a file that is
not a Word document, a syntax error, a placeholder the system does not know — becomes a
``ReportTemplateError`` with a Chinese message that names the placeholder and where it is.
Unknown placeholders are found before rendering, all at once, from the template's syntax
tree; a strict ``Undefined`` catches whatever that analysis cannot see.
"""

from __future__ import annotations

import difflib
import html
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from minzheng.core.exceptions import DomainError

from .figures import NOT_CONNECTED, Figure, Status
from .selectors import Report, report_info

MAX_ERRORS_LISTED = 10
LEAF_ATTRS = frozenset({"value", "label", "unit", "status", "key", "with_unit", "text"})
LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}")


class ReportTemplateError(DomainError):
    """The user's template cannot be filled; ``message`` says why, in Chinese."""

    code = "report_template"

    def __init__(self, message: str, *, placeholders: tuple[str, ...] = ()):
        super().__init__(message)
        self.placeholders = placeholders


# --- the context tree ------------------------------------------------------------------------


class Node:
    """One level of dotted names: ``assistance`` in ``{{ assistance.funds_total_wan }}``."""

    def __init__(self, path: str, children: Mapping[str, Any]):
        self._path = path
        self._children = dict(children)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._children[name]
        except KeyError:
            _unknown(f"{self._path}.{name}")

    __getitem__ = __getattr__

    def __contains__(self, name: str) -> bool:
        return name in self._children

    def __str__(self) -> str:
        raise ReportTemplateError(
            f"占位符 {{{{ {self._path} }}}} 是一组指标的名称，不是一个指标；"
            f"请写完整的指标键，例如 {{{{ {self._path}.{next(iter(self._children), '…')} }}}}。",
            placeholders=(self._path,),
        )


class FigureLeaf:
    """A figure in a template: prints as its number, or 【未接入】."""

    def __init__(self, figure: Figure):
        self._figure = figure

    def __str__(self) -> str:
        return self._figure.text

    @property
    def text(self) -> str:
        return self._figure.text

    @property
    def value(self) -> Any:
        return self._figure.value

    @property
    def label(self) -> str:
        return self._figure.label

    @property
    def unit(self) -> str:
        return self._figure.unit

    @property
    def status(self) -> str:
        return self._figure.status_label

    @property
    def key(self) -> str:
        return self._figure.key

    @property
    def with_unit(self) -> str:
        return self._figure.with_unit

    def __getattr__(self, name: str) -> Any:
        # the parts of a mapping figure: {{ assistance.funds_by_program_wan.城乡低保 }}
        if name.startswith("_"):
            raise AttributeError(name)
        if not self._figure.connected:
            return NOT_CONNECTED
        parts = self._figure.value if isinstance(self._figure.value, dict) else {}
        if name in parts:
            return str(parts[name])
        _unknown(f"{self._figure.key}.{name}")

    __getitem__ = __getattr__


def _unknown(path: str) -> NoReturn:
    raise ReportTemplateError(
        f"模板中有系统不认识的占位符：{{{{ {path} }}}}。", placeholders=(path,)
    )


def context_for(report: Report, *, issued_on: Any = None) -> dict[str, Any]:
    domains: dict[str, dict[str, FigureLeaf]] = {}
    for key, figure in report.figures.items():
        domain, name = key.split(".", 1)
        domains.setdefault(domain, {})[name] = FigureLeaf(figure)
    ctx: dict[str, Any] = {d: Node(d, children) for d, children in domains.items()}
    ctx["report"] = Node("report", report_info(report, issued_on=issued_on))
    return ctx


# --- the sandboxed Jinja environment ------------------------------------------------------------


class _Undefined(StrictUndefined):
    """Whatever the analysis could not see: fail with the name, in Chinese."""

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        name = self._undefined_name or "（未知）"
        raise ReportTemplateError(
            f"模板中有系统不认识的占位符或不允许的写法：{name}。", placeholders=(str(name),)
        )

    __str__ = __iter__ = __len__ = __bool__ = _fail_with_undefined_error  # type: ignore[assignment]


def make_env(*, autoescape: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=_Undefined, autoescape=autoescape, keep_trailing_newline=True
    )


# --- analysis: syntax and placeholders, before rendering ---------------------------------------


@dataclass(frozen=True)
class Placeholder:
    path: tuple[str, ...]
    lineno: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def _chain(node: nodes.Node) -> tuple[str, ...] | None:
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            parts.append(node.name)
            return tuple(reversed(parts))
        else:
            return None


def placeholders(ast: nodes.Template) -> Iterator[Placeholder]:
    """Every longest dotted name of the template (``a.b.c``, not also ``a.b`` and ``a``)."""

    def walk(node: nodes.Node, inside_chain: bool) -> Iterator[Placeholder]:
        is_chain = isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Name)
        if is_chain and not inside_chain:
            path = _chain(node)
            if path is not None:
                yield Placeholder(path, node.lineno)
        for child in node.iter_child_nodes():
            # the object of a.b is part of the same chain; an index a[x] is not
            part_of_chain = is_chain and child is getattr(node, "node", None)
            yield from walk(child, part_of_chain)

    yield from walk(ast, False)


def _resolves(ctx: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    if path[0] not in ctx:
        return False
    obj = ctx[path[0]]
    for part in path[1:]:
        if isinstance(obj, Node):
            if part not in obj:
                return False
            obj = obj._children[part]
        elif isinstance(obj, FigureLeaf):
            f = obj._figure
            if part in LEAF_ATTRS:
                obj = None
            elif not f.connected:
                obj = None  # the parts of a mapping not yet connected: 【未接入】 as well
            elif isinstance(f.value, dict) and part in f.value:
                obj = None
            else:
                return False
        else:
            return False
    return True


def _suggest(path: str, known: list[str]) -> str:
    close = difflib.get_close_matches(path, known, n=1, cutoff=0.6)
    return f"（是否应为 {{{{ {close[0]} }}}}？）" if close else ""


def _known_paths(ctx: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for name, obj in ctx.items():
        if isinstance(obj, Node):
            out.extend(f"{name}.{child}" for child in obj._children)
    return out


SYNTAX_HINTS = (
    (
        "looking for the following tags",
        "指令没有配对的结束指令（如缺少 {% endif %}、{% endfor %}）",
    ),
    ("unexpected end of template", "占位符或指令没有闭合（缺少 }} 或 %}）"),
    ("no filter named", "使用了不存在的过滤器"),
    ("no test named", "使用了不存在的判断"),
    ("unexpected '}'", "花括号不成对"),
    ("unexpected char", "占位符中有不允许的字符"),
    ("expected token 'end of print statement'", "占位符中有多余的内容（指标键中间不能有空格）"),
    ("expected name or number", "点号后缺少名称"),
    ("unknown tag", "未知的模板指令"),
)


def _excerpt(line: str) -> str:
    """The placeholder-looking part of a line of the template, for error messages."""
    text = html.unescape(re.sub(r"<[^>]+>", "", line)).strip()
    start = min((i for i in (text.find("{{"), text.find("{%")) if i >= 0), default=-1)
    if start < 0:
        return text[:30]
    end = min(len(text), start + 40)
    for closer in ("}}", "%}"):
        i = text.find(closer, start + 2)
        if 0 <= i < end:
            end = i + 2
    return text[start:end]


def analyse(
    source: str, env: SandboxedEnvironment, ctx: Mapping[str, Any], *, where: str
) -> set[str]:
    """Check a template's syntax and placeholders; return the metric keys it uses.

    ``where`` names the part ("正文", "页眉" …) for messages; for Word parts each line of
    ``source`` is one paragraph, so a line number is a paragraph number.
    """
    lines = source.split("\n")

    def at(lineno: int) -> str:
        if where == "文本":
            return f"第{lineno}行"
        return f"{where}第{max(lineno - 1, 1)}段"  # line 1 is the part's opening tag

    try:
        ast = env.parse(source)
        declared = meta.find_undeclared_variables(ast)  # compiles: unknown filters fail here
    except TemplateSyntaxError as exc:
        line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
        message = exc.message or ""
        hint = next((h for m, h in SYNTAX_HINTS if m in message.lower()), "模板语法不正确")
        raise ReportTemplateError(
            f"模板语法错误：{at(exc.lineno)}“{_excerpt(line)}”处{hint}（{message}）。",
            placeholders=(_excerpt(line),),
        ) from exc

    used: set[str] = set()
    unknown: dict[str, int] = {}
    for p in placeholders(ast):
        if p.path[0] not in declared or p.path[0] in env.globals:
            continue  # a name the template sets itself ({% for %}, {% set %}) or a Jinja global
        if not _resolves(ctx, p.path):
            unknown.setdefault(p.dotted, p.lineno)
            continue
        if len(p.path) >= 2 and isinstance(ctx[p.path[0]], Node) and p.path[0] != "report":
            used.add(f"{p.path[0]}.{p.path[1]}")
    if unknown:
        known = _known_paths(ctx)
        listed = [
            f"{{{{ {path} }}}}（{at(lineno)}）{_suggest(path, known)}"
            for path, lineno in list(unknown.items())[:MAX_ERRORS_LISTED]
        ]
        more = f"等{len(unknown)}处" if len(unknown) > MAX_ERRORS_LISTED else ""
        raise ReportTemplateError(
            "模板中有系统不认识的占位符："
            + "；".join(listed)
            + more
            + "。请对照指标目录检查指标键的拼写。",
            placeholders=tuple(unknown),
        )
    return used


def _render_errors(exc: Exception) -> ReportTemplateError:
    if isinstance(exc, ReportTemplateError):
        return exc
    if isinstance(exc, SecurityError):
        return ReportTemplateError(f"模板中含有不允许的操作（{exc}）。")
    return ReportTemplateError(f"模板无法填充：{exc}。")


def _check_leftovers(text: str) -> None:
    m = LEFTOVER.search(text)
    if m:
        snippet = text[max(0, m.start() - 15) : m.end() + 15].replace("\n", " ")
        raise ReportTemplateError(
            f"模板中有残缺的占位符：“{snippet}”。占位符应写作 {{{{ 指标键 }}}}，花括号须成对。",
            placeholders=(snippet,),
        )


# --- text templates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    content: bytes
    used_keys: frozenset[str]


def decode_text_template(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportTemplateError("文本模板无法识别编码，请保存为 UTF-8 编码后重新上传。")


def render_text(report: Report, source: str, *, issued_on: Any = None) -> tuple[str, set[str]]:
    env = make_env(autoescape=False)
    ctx = context_for(report, issued_on=issued_on)
    used = analyse(source, env, ctx, where="文本")
    try:
        text = env.from_string(source).render(ctx)
    except (TemplateError, ReportTemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise _render_errors(exc) from exc
    _check_leftovers(text)
    return text, used


def render_text_template(report: Report, data: bytes, *, issued_on: Any = None) -> Rendered:
    text, used = render_text(report, decode_text_template(data), issued_on=issued_on)
    return Rendered(text.encode("utf-8"), frozenset(used))


# --- Word templates ---------------------------------------------------------------------------------

HEADER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
#: A .docx is a zip file: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 64 * 2**20
NOT_DOCX = "上传的文件不是有效的 Word 文档（.docx）。请在 Word 或 WPS 中“另存为” .docx 格式后重试"


def _open_docx(data: bytes) -> Any:
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from lxml.etree import XMLSyntaxError

    if not data.startswith(b"PK\x03\x04"):
        detail = (
            "（旧版 .doc 格式需先另存为 .docx）" if data.startswith(b"\xd0\xcf\x11\xe0") else ""
        )
        raise ReportTemplateError(NOT_DOCX + detail + "。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ReportTemplateError(
                f"模板解压后超过 {MAX_UNPACKED_BYTES // 2**20} MB，请删去其中的大图片或附件后重试。"
            )
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise ReportTemplateError(NOT_DOCX + "。") from exc
    return tpl


def _docx_parts(tpl: Any) -> Iterator[tuple[str, str]]:
    """The body, headers and footers as docxtpl will hand them to Jinja, one paragraph a
    line (as docxtpl renders them), each with its name for messages."""
    from docx.oxml import parse_xml

    def lines(xml: str) -> str:
        return re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))

    yield "正文", lines(tpl.get_xml())
    for uri, name in ((HEADER_URI, "页眉"), (FOOTER_URI, "页脚")):
        for rel in tpl.docx.part.rels.values():
            if rel.reltype == uri and rel.target_part.blob:
                yield name, lines(tpl.xml_to_string(parse_xml(rel.target_part.blob)))


def docx_text(data: bytes) -> str:
    """All text of a .docx — body, tables, headers and footers — one paragraph a line."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    out: list[str] = []

    def paragraphs(container: Any) -> None:
        for p in container.paragraphs:
            out.append(p.text)
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    paragraphs(cell)

    paragraphs(doc)
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.even_page_header,
            section.even_page_footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            if not part.is_linked_to_previous:
                paragraphs(part)
    return "\n".join(out)


def render_docx_template(report: Report, data: bytes, *, issued_on: Any = None) -> Rendered:
    tpl = _open_docx(data)
    env = make_env(autoescape=True)  # the values go into XML
    ctx = context_for(report, issued_on=issued_on)
    used: set[str] = set()
    for where, source in _docx_parts(tpl):
        used |= analyse(source, env, ctx, where=where)
    try:
        tpl.render(ctx, jinja_env=env)
    except (TemplateError, ReportTemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise _render_errors(exc) from exc
    out = io.BytesIO()
    tpl.save(out)
    content = out.getvalue()
    _check_leftovers(docx_text(content))
    return Rendered(content, frozenset(used))


__all__ = [
    "NOT_CONNECTED",
    "ReportTemplateError",
    "Status",
    "context_for",
    "docx_text",
    "render_docx_template",
    "render_text",
    "render_text_template",
]
