"""Pages of payments: parse input, check permission, call one service or selector, render.

A run, exception or account outside the user's region answers 404, like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours
from minzheng.geo.models import Region
from minzheng.registry.selectors import person_by_id_number
from minzheng.web.decorators import perm_required
from minzheng.web.errors import not_found_as_404
from minzheng.web.http import AuthedRequest

from . import exports, forms, selectors, services
from .models import PaymentRun

PAGE_SIZE = 20
STEP_LABELS = [
    gettext_noop("生成"),
    gettext_noop("复核"),
    gettext_noop("审批"),
    gettext_noop("导出银行文件"),
    gettext_noop("回盘对账"),
]
STEPS = [
    PaymentRun.Status.DRAFT,
    PaymentRun.Status.REVIEWED,
    PaymentRun.Status.APPROVED,
    PaymentRun.Status.EXPORTED,
    PaymentRun.Status.RECONCILED,
]


def _page(request: AuthedRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _region(user: Any, code: str) -> Region:
    from minzheng.geo.selectors import region_get_for_user

    return region_get_for_user(user, code)


# --- runs --------------------------------------------------------------------------------------


def _run_filters(request: AuthedRequest) -> tuple[forms.RunFilterForm, dict[str, Any]]:
    form = forms.RunFilterForm(request.GET or None, user=request.user)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "programme": d["programme"],
            "status": d["status"],
            "month": d["month"],
            "region": d["region"],
            "sort": d["sort"] or "-month",
        }
    return form, filters


@perm_required(Perm.PAYMENTS_VIEW)
def run_list(request: AuthedRequest) -> HttpResponse:
    form, filters = _run_filters(request)
    page = _page(request, selectors.runs_for_user(request.user, **filters))
    ctx = {
        "form": form,
        "page": page,
        "sort": filters.get("sort", "-month"),
        "can_prepare": request.user.has_perm_code(Perm.PAYMENTS_PREPARE),
        "can_export": request.user.has_perm_code(Perm.EXPORT),
    }
    return render(request, "payments/run_list.html", ctx)


@perm_required(Perm.EXPORT)
def run_list_export(request: AuthedRequest) -> HttpResponse:
    _form, filters = _run_filters(request)
    fmt = request.GET.get("format", "xlsx")
    try:
        content, name, ctype = exports.runs_export(
            actor=request.user, runs=selectors.runs_for_user(request.user, **filters), fmt=fmt
        )
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
        return redirect("payments:run_list")
    return _download(content, name, ctype)


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(content, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["Cache-Control"] = "no-store"
    return resp


@perm_required(Perm.PAYMENTS_PREPARE)
def run_create(request: AuthedRequest) -> HttpResponse:
    initial = {"month": f"{timezone.localdate():%Y-%m}", "region": request.user.region_id}
    form = forms.RunCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            started = services.payroll_run_start(
                actor=request.user,
                programme=d["programme"],
                month=d["month"],
                region=_region(request.user, d["region"]),
            )
        except NotFoundOrNotYours:
            form.add_error("region", gettext("所选区域不存在或不在您的管辖范围内"))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            level = messages.SUCCESS if started.created else messages.WARNING
            messages.add_message(
                request, level, started.message, extra_tags="" if started.created else "warning"
            )
            return redirect("payments:run_detail", started.run.public_id)
    return render(request, "payments/run_create.html", {"form": form})


@perm_required(Perm.PAYMENTS_VIEW)
@not_found_as_404
def run_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    run = selectors.run_for_user(request.user, pk)
    status = request.GET.get("line_status", "")
    lines = _page(request, selectors.run_lines(run, status=status))
    user = request.user
    ctx = {
        "run": run,
        "lines": lines,
        "line_status": status,
        "line_statuses": selectors.L.choices,
        "status_counts": selectors.run_status_counts(run),
        "paid_fen": selectors.run_paid_fen(run),
        "summary": selectors.summary_tables(run),
        "steps": list(zip(STEPS, [gettext(s) for s in STEP_LABELS], strict=True)),
        # a reconciled run has done every step
        "step_index": (
            len(STEPS)
            if run.status == PaymentRun.Status.RECONCILED
            else STEPS.index(PaymentRun.Status(run.status))
            if run.status in STEPS
            else -1
        ),
        "can_prepare": user.has_perm_code(Perm.PAYMENTS_PREPARE),
        "can_approve": user.has_perm_code(Perm.PAYMENTS_APPROVE) and run.prepared_by_id != user.pk,
        "is_preparer": run.prepared_by_id == user.pk,
        "can_export": user.has_perm_code(Perm.PAYMENTS_EXPORT),
        "cancel_form": forms.CancelForm(),
        "export_form": forms.ExportForm(initial={"layout": run.layout_id}),
        "return_form": forms.ReturnForm(),
    }
    return render(request, "payments/run_detail.html", ctx)


@perm_required(Perm.PAYMENTS_VIEW)
@not_found_as_404
def run_progress(request: AuthedRequest, pk: str) -> HttpResponse:
    run = selectors.run_for_user(request.user, pk)
    if run.status != PaymentRun.Status.GENERATING:
        resp = HttpResponse(status=204)
        resp["HX-Refresh"] = "true"
        return resp
    return render(request, "payments/_progress.html", {"run": run, "job": run.job})


def _run_action(
    request: AuthedRequest, pk: str, action: Callable[[PaymentRun], Any], done: str
) -> HttpResponse:
    run = selectors.run_for_user(request.user, pk)
    try:
        action(run)
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(request, done)
    return redirect("payments:run_detail", run.public_id)


@require_POST
@perm_required(Perm.PAYMENTS_PREPARE)
@not_found_as_404
def run_review(request: AuthedRequest, pk: str) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run: services.payroll_run_review(actor=request.user, run=run),
        gettext("已复核，待审批"),
    )


@require_POST
@perm_required(Perm.PAYMENTS_APPROVE)
@not_found_as_404
def run_approve(request: AuthedRequest, pk: str) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run: services.payroll_run_approve(actor=request.user, run=run),
        gettext("已审批，可以导出银行代发文件"),
    )


@require_POST
@perm_required(Perm.PAYMENTS_PREPARE)
@not_found_as_404
def run_cancel(request: AuthedRequest, pk: str) -> HttpResponse:
    form = forms.CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run_action(
        request,
        pk,
        lambda run: services.payroll_run_cancel(actor=request.user, run=run, reason=reason),
        gettext("批次已作废，占用的月份已释放"),
    )


@require_POST
@perm_required(Perm.PAYMENTS_EXPORT)
@not_found_as_404
def run_export(request: AuthedRequest, pk: str) -> HttpResponse:
    run = selectors.run_for_user(request.user, pk)
    form = forms.ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择银行文件格式和文件类型"), extra_tags="danger")
        return redirect("payments:run_detail", run.public_id)
    try:
        f = services.payroll_run_export(
            actor=request.user,
            run=run,
            layout=form.cleaned_data["layout"],
            fmt=form.cleaned_data["fmt"],
        )
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
        return redirect("payments:run_detail", run.public_id)
    return _download(f.content, f.filename, f.content_type)


@require_POST
@perm_required(Perm.PAYMENTS_PREPARE)
@not_found_as_404
def run_return(request: AuthedRequest, pk: str) -> HttpResponse:
    run = selectors.run_for_user(request.user, pk)
    form = forms.ReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(
            request, gettext("未导入：%(errors)s") % {"errors": errors}, extra_tags="danger"
        )
        return redirect("payments:run_detail", run.public_id)
    upload = form.cleaned_data["file"]
    try:
        result = services.bank_return_import(
            actor=request.user,
            run=run,
            content=upload.read(),
            filename=upload.name,
            unlisted_paid=form.cleaned_data["unlisted_paid"],
        )
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(request, result.message)
    return redirect("payments:run_detail", run.public_id)


# --- exceptions -----------------------------------------------------------------------------


@perm_required(Perm.PAYMENTS_VIEW)
def exception_list(request: AuthedRequest) -> HttpResponse:
    form = forms.ExceptionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = _page(request, selectors.exceptions_for_user(request.user, **filters))
    ctx = {
        "form": form,
        "page": page,
        "can_prepare": request.user.has_perm_code(Perm.PAYMENTS_PREPARE),
    }
    return render(request, "payments/exception_list.html", ctx)


def _exception_action(request: AuthedRequest, pk: str, ready: bool) -> HttpResponse:
    exc = selectors.exception_for_user(request.user, pk)
    form = forms.ResolutionForm(request.POST)
    text = form.cleaned_data["resolution"] if form.is_valid() else ""
    try:
        if ready:
            services.exception_mark_ready(actor=request.user, exception=exc, resolution=text)
            messages.success(
                request,
                gettext("%(name)s的%(year)s年%(month)s月款项将在下一批次重发")
                % {"name": exc.person.name, "year": exc.month.year, "month": f"{exc.month:%m}"},
            )
        else:
            services.exception_close(actor=request.user, exception=exc, resolution=text)
            messages.success(request, gettext("已结案"))
    except DomainError as e:
        messages.error(request, e.message, extra_tags="danger")
    return redirect(reverse("payments:exception_list") + "?" + request.GET.urlencode())


@require_POST
@perm_required(Perm.PAYMENTS_PREPARE)
@not_found_as_404
def exception_ready(request: AuthedRequest, pk: str) -> HttpResponse:
    return _exception_action(request, pk, ready=True)


@require_POST
@perm_required(Perm.PAYMENTS_PREPARE)
@not_found_as_404
def exception_close(request: AuthedRequest, pk: str) -> HttpResponse:
    return _exception_action(request, pk, ready=False)


# --- payee accounts -------------------------------------------------------------------------


@perm_required(Perm.PAYMENTS_VIEW)
def account_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    ctx = {
        "q": q,
        "page": _page(request, selectors.accounts_for_user(request.user, q=q)),
        "missing": selectors.payees_without_account(request.user)[:20],
        "missing_count": selectors.payees_without_account(request.user).count(),
        "can_prepare": request.user.has_perm_code(Perm.PAYMENTS_PREPARE),
    }
    return render(request, "payments/account_list.html", ctx)


@perm_required(Perm.PAYMENTS_PREPARE)
def account_create(request: AuthedRequest) -> HttpResponse:
    form = forms.AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = person_by_id_number(request.user, d["id_number"])
        if person is None:
            form.add_error("id_number", gettext("辖区内没有该身份证号的人员"))
        else:
            try:
                services.payee_account_set(
                    actor=request.user,
                    person=person,
                    account_type=d["account_type"],
                    bank_name=d["bank_name"],
                    account_number=d["account_number"],
                    holder_name=d["holder_name"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    gettext("已为%(name)s登记收款账户（原账户自动停用）") % {"name": person.name},
                )
                return redirect("payments:account_list")
    return render(request, "payments/account_form.html", {"form": form})


# --- back-pay and recovery ------------------------------------------------------------------


@perm_required(Perm.PAYMENTS_VIEW)
def adjustments(request: AuthedRequest) -> HttpResponse:
    user = request.user
    back_pay = forms.BackPayForm(
        request.POST if request.POST.get("form") == "back_pay" else None,
        user=user,
        initial={"region": user.region_id},
    )
    recovery = forms.RecoveryForm(request.POST if request.POST.get("form") == "recovery" else None)
    if request.method == "POST" and user.has_perm_code(Perm.PAYMENTS_PREPARE):
        try:
            if back_pay.is_bound and back_pay.is_valid():
                d = back_pay.cleaned_data
                decision = services.back_pay_compute(
                    actor=user,
                    programme=d["programme"],
                    from_month=d["from_month"],
                    to_month=d["to_month"],
                    region=_region(user, d["region"]),
                    reason=d["reason"],
                )
                messages.success(
                    request,
                    gettext("已核算补发 %(n)s 笔，共 %(amount)s 元，将纳入下一个发放批次")
                    % {"n": decision.item_count, "amount": f"{decision.total_fen / 100:.2f}"},
                )
                return redirect("payments:adjustments")
            if recovery.is_bound and recovery.is_valid():
                d = recovery.cleaned_data
                person = person_by_id_number(user, d["id_number"])
                if person is None:
                    recovery.add_error("id_number", gettext("辖区内没有该身份证号的人员"))
                else:
                    rd = services.recovery_decide(
                        actor=user,
                        person=person,
                        from_month=d["from_month"],
                        basis=d["basis"],
                        reason=d["reason"],
                    )
                    messages.success(
                        request,
                        gettext("已登记追回决定：追回 %(amount)s 元，撤销未发放 %(n)s 笔")
                        % {"amount": f"{rd.claim_fen / 100:.2f}", "n": rd.cancelled_lines},
                    )
                    return redirect("payments:adjustments")
        except (DomainError, NotFoundOrNotYours) as exc:
            target = back_pay if back_pay.is_bound else recovery
            target.add_error(None, exc.message)
    ctx = {
        "back_pay": back_pay,
        "recovery": recovery,
        "changes": selectors.standard_changes_for_user(user)[:20],
        "recoveries": selectors.recoveries_for_user(user)[:20],
        "can_prepare": user.has_perm_code(Perm.PAYMENTS_PREPARE),
    }
    return render(request, "payments/adjustments.html", ctx)


# --- statistics -------------------------------------------------------------------------------


def _stats_form(request: AuthedRequest) -> forms.StatsForm:
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("start", f"{today:%Y}-01")
    data.setdefault("end", f"{today:%Y-%m}")
    data.setdefault("region", request.user.region_id or "")
    data.setdefault("by", "programme")
    return forms.StatsForm(data, user=request.user)


def _month_end(m: dt.date) -> dt.date:
    from .payroll import add_months

    return add_months(m, 1) - dt.timedelta(days=1)


@perm_required(Perm.PAYMENTS_VIEW)
def stats(request: AuthedRequest) -> HttpResponse:
    form = _stats_form(request)
    rows: list[selectors.StatsRow] = []
    region = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            region = _region(request.user, d["region"])
        except NotFoundOrNotYours:
            form.add_error("region", gettext("所选区域不存在或不在您的管辖范围内"))
        else:
            rows = selectors.statistics(
                start=d["start"],
                end=_month_end(d["end"]),
                prefix=region.prefix,
                by=d["by"],
                programme=d["programme"],
            )
    totals = {
        "recipients": sum(r.recipients for r in rows),
        "disbursed_fen": sum(r.disbursed_fen for r in rows),
        "recovered_fen": sum(r.recovered_fen for r in rows),
    }
    ctx = {"form": form, "rows": rows, "totals": totals, "region": region}
    return render(request, "payments/stats.html", ctx)


@perm_required(Perm.PAYMENTS_VIEW)
def stats_entries(request: AuthedRequest) -> HttpResponse:
    """The drill-down: the ledger entries behind a statistics cell."""
    form = _stats_form(request)
    if not form.is_valid():
        return redirect("payments:stats")
    d = form.cleaned_data
    try:
        region = _region(request.user, request.GET.get("cell_region") or d["region"])
    except NotFoundOrNotYours as exc:
        raise Http404(exc.message) from exc
    start, end = d["start"], _month_end(d["end"])
    month = request.GET.get("cell_month", "")
    if month:
        m = forms.MonthField().clean(month)
        start, end = max(start, m), min(end, _month_end(m))
    qs = selectors.ledger_in_scope(start, end, region.prefix).select_related("person", "region")
    programme = request.GET.get("cell_programme") or d["programme"]
    if programme:
        qs = qs.filter(programme=programme)
    ctx = {
        "form": form,
        "region": region,
        "start": start,
        "end": end,
        "programme": selectors.programme_label(programme),
        "page": _page(request, qs.order_by("booked_on", "id")),
    }
    return render(request, "payments/stats_entries.html", ctx)
