"""The report page, downloads and drill-down lists. Every figure is for a region the user
may see (``ReportParamsForm`` checks it through ``accounts.scoping``); every download is
audited (``report.export``), and so is every refused one."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts.roles import Perm
from minzheng.web.decorators import perm_required
from minzheng.web.http import AuthedRequest

from . import selectors, services
from .exports import FORMATS, Export, drilldown_xlsx, export_report
from .forms import ReportParamsForm, TemplateUploadForm
from .registry import Metric, Scope, registry
from .templating import ReportTemplateError

#: audited in Chinese; translated on the 403 page
REFUSED = gettext_noop("所选区域不存在或不在您的管辖范围内")
DOWNLOADS = (
    ("docx", gettext_lazy("Word 公文")),
    ("pdf", gettext_lazy("PDF 公文")),
    ("xlsx", gettext_lazy("Excel 统计表")),
    ("txt", gettext_lazy("纯文本")),
    ("json", gettext_lazy("JSON 数据")),
)


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    year = dt.date(today.year, 1, 1)
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    this_month = today.replace(day=1)
    last_month_end = this_month - dt.timedelta(days=1)
    return [
        (gettext("本年至今"), year, today),
        (gettext("本季度至今"), quarter, today),
        (gettext("上月"), last_month_end.replace(day=1), last_month_end),
        (gettext("上年全年"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ]


def _params_form(request: AuthedRequest, source: Any) -> ReportParamsForm:
    today = timezone.localdate()
    data = {
        "from": dt.date(today.year, 1, 1).isoformat(),
        "to": today.isoformat(),
        "region": request.user.region_id or "",
    }
    data.update({k: source[k] for k in ("from", "to", "region") if source.get(k)})
    form = ReportParamsForm(data, user=request.user)
    form.is_valid()
    return form


def _scope(form: ReportParamsForm) -> Scope:
    assert form.region_obj is not None
    return Scope(
        start=form.cleaned_data["from"], end=form.cleaned_data["to"], region=form.region_obj
    )


def _refused(request: AuthedRequest) -> HttpResponse:
    return render(request, "403.html", {"reason": gettext(REFUSED)}, status=403)


def _attachment(export: Export) -> HttpResponse:
    resp = HttpResponse(export.content, content_type=export.content_type)
    resp["Content-Disposition"] = content_disposition_header(True, export.filename)
    resp["Cache-Control"] = "no-store"
    return resp


def _query(s: Scope) -> str:
    return urlencode(
        {"from": s.start.isoformat(), "to": s.end.isoformat(), "region": s.region.code}
    )


def _region_options(user: Any) -> list[tuple[str, str]]:
    regions = selectors.region_choices_for_user(user)
    if not regions:
        return []
    top = selectors.level_step(regions[0].level)
    return [(r.code, "\u3000" * (selectors.level_step(r.level) - top) + r.name) for r in regions]


def _index_context(request: AuthedRequest, form: ReportParamsForm, **extra: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "form": form,
        "region_options": _region_options(request.user),
        "selected_region": form.data.get("region"),
        "presets": [
            (
                label,
                urlencode(
                    {
                        "from": a.isoformat(),
                        "to": b.isoformat(),
                        "region": form.data.get("region", ""),
                    }
                ),
            )
            for label, a, b in _presets(timezone.localdate())
        ],
        "can_export": request.user.has_perm_code(Perm.EXPORT),
        "downloads": DOWNLOADS,
        "upload_form": TemplateUploadForm(),
        **extra,
    }
    if form.is_valid():
        s = _scope(form)
        report = selectors.build_report(region=s.region, start=s.start, end=s.end)
        ctx.update(
            report=report,
            region=s.region,
            groups=report.by_domain(registry.domains),
            connected=[f for f in report.figures.values() if f.connected],
            missing=[report.figures[k] for k in report.missing()],
            query=_query(s),
        )
    return ctx


@require_GET
@perm_required(Perm.REPORTS_VIEW)
def index(request: AuthedRequest) -> HttpResponse:
    form = _params_form(request, request.GET)
    if form.region_refused:
        return _refused(request)
    status = 200 if form.is_valid() else 400
    return render(request, "reports/index.html", _index_context(request, form), status=status)


@require_GET
@perm_required(Perm.REPORTS_VIEW)
@perm_required(Perm.EXPORT)
def download(request: AuthedRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    form = _params_form(request, request.GET)
    if form.region_refused:
        services.report_export_refused(
            actor=request.user, region_code=form.data.get("region", ""), fmt=fmt, reason=REFUSED
        )
        return _refused(request)
    if not form.is_valid():
        return render(request, "reports/index.html", _index_context(request, form), status=400)
    s = _scope(form)
    report = selectors.build_report(region=s.region, start=s.start, end=s.end)
    export = export_report(report, fmt)
    services.report_export_audit(
        actor=request.user,
        scope=s,
        export=export,
        not_connected=len(report.missing(export.used_keys)),
    )
    return _attachment(export)


@require_POST
@perm_required(Perm.REPORTS_VIEW)
@perm_required(Perm.EXPORT)
def fill_template(request: AuthedRequest) -> HttpResponse:
    form = _params_form(request, request.POST)
    upload = TemplateUploadForm(request.POST, request.FILES)
    uploaded = request.FILES.get("template")
    name = str(getattr(uploaded, "name", "") or "")
    if form.region_refused:
        services.report_export_refused(
            actor=request.user,
            region_code=form.data.get("region", ""),
            fmt="template",
            reason=REFUSED,
            template_name=name,
        )
        return _refused(request)
    if not form.is_valid() or not upload.is_valid():
        ctx = _index_context(request, form)
        ctx["upload_form"] = upload
        return render(request, "reports/index.html", ctx, status=400)
    s = _scope(form)
    report = selectors.build_report(region=s.region, start=s.start, end=s.end)
    f = upload.cleaned_data["template"]
    try:
        export = export_report(report, "", template=f.read(), template_name=f.name)
    except ReportTemplateError as exc:
        services.report_export_refused(
            actor=request.user,
            region_code=s.region.code,
            fmt="template",
            reason=exc.message,
            template_name=f.name,
        )
        ctx = _index_context(request, form, template_error=exc.message)
        return render(request, "reports/index.html", ctx, status=400)
    services.report_export_audit(
        actor=request.user,
        scope=s,
        export=export,
        not_connected=len(report.missing(export.used_keys)),
        template_name=f.name,
    )
    return _attachment(export)


def _drilldown_metric(key: str) -> Metric:
    if key not in registry or not registry.get(key).has_drilldown:
        raise Http404
    return registry.get(key)


@require_GET
@perm_required(Perm.REPORTS_VIEW)
def drilldown(request: AuthedRequest, key: str) -> HttpResponse:
    metric = _drilldown_metric(key)
    form = _params_form(request, request.GET)
    if form.region_refused:
        return _refused(request)
    if not form.is_valid():
        return render(request, "reports/index.html", _index_context(request, form), status=400)
    s = _scope(form)
    figure = selectors.compute_figure(metric, s)
    page = Paginator(selectors.drilldown_rows(metric, s), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/drilldown.html",
        {
            "metric": metric,
            "figure": figure,
            "scope": s,
            "page": page,
            "query": _query(s),
            "can_export": request.user.has_perm_code(Perm.EXPORT),
        },
    )


@require_GET
@perm_required(Perm.REPORTS_VIEW)
@perm_required(Perm.EXPORT)
def drilldown_export(request: AuthedRequest, key: str) -> HttpResponse:
    metric = _drilldown_metric(key)
    form = _params_form(request, request.GET)
    if form.region_refused:
        services.report_export_refused(
            actor=request.user, region_code=form.data.get("region", ""), fmt="xlsx", reason=REFUSED
        )
        return _refused(request)
    if not form.is_valid():
        return render(request, "reports/index.html", _index_context(request, form), status=400)
    s = _scope(form)
    rows = list(selectors.drilldown_rows(metric, s))
    title = f"{metric.definition.label}明细 · {s.region.name} · {s.start.isoformat()}至{s.end.isoformat()}"
    export = Export(
        drilldown_xlsx(metric, rows, title=title),
        f"{metric.definition.label}明细-{s.region.name}-{s.start:%Y%m%d}-{s.end:%Y%m%d}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        frozenset({metric.key}),
    )
    services.report_export_audit(actor=request.user, scope=s, export=export, metric=metric.key)
    return _attachment(export)
