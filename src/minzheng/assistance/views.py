"""Pages of the assistance workflow: parse input, check permission, call one service or
selector, render. A case outside the user's region answers 404, like a missing one."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from django import forms as djforms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import get_scoped, region_prefix, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import ConcurrentEditError, DomainError, NotFoundOrNotYours
from minzheng.geo.models import Region
from minzheng.registry.models import Household, Membership, Person
from minzheng.web.decorators import perm_required
from minzheng.web.errors import form_domain_error, not_found_as_404
from minzheng.web.http import AuthedRequest

from . import forms, notices, workflow
from . import workflow_selectors as sel
from .inputs import InputError
from .models import Application, Notice, ParameterValue
from .parameters import ParameterError, Parameters

PAGE_SIZE = 20
EXPORT_LIMIT = 20_000


FIELD_MAP = {"amount_fen": "amount", "incident": "incident_kind"}


def _form_error(form: djforms.Form, exc: DomainError) -> None:
    form_domain_error(form, exc, FIELD_MAP)


# --- inbox --------------------------------------------------------------------------------------


def _inbox_query(request: AuthedRequest) -> tuple[forms.InboxFilterForm, dict[str, str]]:
    form = forms.InboxFilterForm(request.GET or None)
    return form, form.filters()


@perm_required(Perm.ASSISTANCE_VIEW)
def inbox(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    form, filters = _inbox_query(request)
    qs = sel.applications_for_user(request.user, today=today, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"app": a, "state": sel.due_state(getattr(getattr(a, "case", None), "due_on", None), today)}
        for a in page
    ]
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": params.urlencode(),
        "counts": sel.step_counts(request.user),
        "due_counts": sel.due_counts(request.user, today),
        "step_labels": sel.STEP_LABELS,
        "filters": filters,
        "can_apply": request.user.has_perm_code(Perm.ASSISTANCE_APPLY),
        "can_export": request.user.has_perm_code(Perm.EXPORT),
    }
    template = (
        "assistance/_inbox_table.html"
        if request.htmx and not request.htmx.boosted
        else "assistance/inbox.html"
    )
    return render(request, template, ctx)


@perm_required(Perm.ASSISTANCE_VIEW)
def inbox_export(request: AuthedRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    require_perm(request.user, Perm.EXPORT)
    today = timezone.localdate()
    _, filters = _inbox_query(request)
    qs = sel.applications_for_user(request.user, today=today, **filters)[:EXPORT_LIMIT]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "救助申请"
    headers = [
        "申请人",
        "救助项目",
        "乡镇",
        "村（社区）",
        "申请日期",
        "受理日期",
        "状态",
        "下一期限",
        "期限事项",
        "期限状态",
        "核算结论",
        "经办人",
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    states = {"overdue": "已逾期", "soon": "即将到期", "ok": "正常", "": ""}
    n = 0
    for a in qs:
        case = getattr(a, "case", None)
        due = case.due_on if case else None
        ws.append(
            [
                a.applicant.name,
                a.get_programme_display(),
                a.region.parent.name if a.region.parent_id and a.region.parent else "",
                a.region.name,
                a.submitted_on,
                a.accepted_on,
                a.get_status_display(),
                due,
                case.due_label if case else "",
                states[sel.due_state(due, today)],
                (a.assessment or {}).get("summary", ""),
                str(a.caseworker or ""),
            ]
        )
        n += 1
    for col, width in zip(
        "ABCDEFGHIJKL", (10, 18, 12, 14, 12, 12, 12, 12, 18, 10, 50, 12), strict=True
    ):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    audit.record(
        actor=request.user,
        action="assistance.export",
        object_type="assistance.application",
        region_code=region_prefix(request.user) or "",
        detail={"rows": n, "filters": filters},
    )
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"救助申请-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- application form ---------------------------------------------------------------------------


def _household(user: Any, public_id: Any) -> Household:
    return get_scoped(
        Household.objects.select_related("head", "region__parent"),
        user,
        via="region__code",
        public_id=public_id,
    )


def _household_panel_ctx(household: Household, applicant_id: Any = None) -> dict[str, Any]:
    from minzheng.registry.selectors import household_page

    page = household_page(household)
    members = page["members"]
    selected = (
        str(applicant_id)
        if applicant_id
        else (str(household.head.public_id) if household.head else "")
    )
    return {"household": household, **page, "selected_applicant": selected, "members": members}


@perm_required(Perm.ASSISTANCE_APPLY)
def application_create(request: AuthedRequest) -> HttpResponse:
    form = forms.ApplicationForm(request.POST or None)
    panel: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            household = _household(request.user, d["household"])
            panel = _household_panel_ctx(household, d.get("applicant"))
            applicant = _applicant(household, d.get("applicant"))
            app = workflow.application_submit(
                actor=request.user,
                household=household,
                applicant=applicant,
                programme=d["programme"],
                channel=d["channel"],
                submitted_on=d.get("submitted_on"),
                commitment_signed_on=d.get("commitment_signed_on"),
                authorisation_signed_on=d.get("authorisation_signed_on"),
                power_of_attorney=d.get("power_of_attorney") or False,
                near_relative=d.get("near_relative") or False,
                near_relative_note=d.get("near_relative_note") or "",
                choices=form.choices_payload(),
            )
        except NotFoundOrNotYours:
            form.add_error(None, gettext("请在您辖区内查找并选择家庭"))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, gettext("申请已提交"))
            return redirect("assistance:case", pk=app.public_id)
    elif request.method == "POST" and form.data.get("household"):
        try:
            panel = _household_panel_ctx(
                _household(request.user, form.data["household"]), form.data.get("applicant")
            )
        except (NotFoundOrNotYours, DomainError):
            panel = {}
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assistance/application_form.html",
        {"form": form, **panel, "is_cadre": "village_cadre" in request.user.role_codes},
        status=status,
    )


def _applicant(household: Household, public_id: Any) -> Person:
    if not public_id:
        if household.head is None:
            raise DomainError(gettext("请选择申请人"), field="applicant")
        return household.head
    m = (
        Membership.objects.filter(
            household=household, ended_on__isnull=True, person__public_id=public_id
        )
        .select_related("person")
        .first()
    )
    if m is None:
        raise DomainError(gettext("申请人须为本户现有成员"), field="applicant")
    return m.person


@perm_required(Perm.ASSISTANCE_APPLY)
def household_search(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    results = sel.household_choices_for(request.user, q) if q else []
    return render(request, "assistance/_household_results.html", {"q": q, "results": results})


@perm_required(Perm.ASSISTANCE_APPLY)
@not_found_as_404
def household_panel(request: AuthedRequest, pk: str) -> HttpResponse:
    household = _household(request.user, pk)
    response = render(request, "assistance/_household_panel.html", _household_panel_ctx(household))
    response["HX-Trigger-After-Settle"] = "assess-refresh"
    return response


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW)
def assess_preview(request: AuthedRequest) -> HttpResponse:
    """The engine's live assessment of the form as it is: registry data plus the choices."""
    form = forms.ApplicationForm(request.POST)
    ctx: dict[str, Any] = {}
    form.is_valid()  # partial input is fine: take what parsed
    d = getattr(form, "cleaned_data", {})
    if not d.get("household"):
        ctx["hint"] = gettext("请先查找并选择家庭，系统将按档案信息实时核算。")
    elif not d.get("programme"):
        ctx["hint"] = gettext("请选择救助项目。")
    else:
        try:
            household = _household(request.user, d["household"])
            applicant = _applicant(household, d.get("applicant"))
            region_code, _ = workflow._application_region(household, applicant, d["programme"])
            payload = sel.engine_payload(
                household=household,
                applicant=applicant,
                programme=d["programme"],
                on=d.get("submitted_on") or timezone.localdate(),
                region_code=region_code,
                choices=form.choices_payload(),
            )
            ctx["decision"] = sel.assess_payload(payload).model_dump(mode="json", exclude_none=True)
        except InputError as exc:
            ctx["errors"] = [f"{e.field}：{e.message}" for e in exc.errors]
        except (ParameterError, DomainError) as exc:
            ctx["errors"] = [exc.message]
    return render(request, "assistance/_assessment.html", ctx)


# --- case page and steps ------------------------------------------------------------------------


def _actions(request: AuthedRequest, app: Application) -> list[str]:
    """Which step forms the page offers; the services still decide."""
    u = request.user
    review = u.has_perm_code(Perm.ASSISTANCE_REVIEW)
    approve = u.has_perm_code(Perm.ASSISTANCE_APPROVE)
    S = Application.Status
    case = getattr(app, "case", None)
    emergency = (
        app.programme == "temporary_assistance"
        and ((app.choices or {}).get("incident") or {}).get("kind") == "emergency"
    )
    out: list[str] = []
    if review:
        out += {
            S.SUBMITTED: ["accept"] + (["first_aid"] if emergency else []),
            S.ACCEPTED: ["investigation_start"] + (["first_aid"] if emergency else []),
            S.INVESTIGATING: ["investigation"],
            S.TOWN_REVIEW: ["town_review", "investigation"],
            S.PUBLICITY: ["publicity_close", "objection"],
        }.get(S(app.status), [])
        if app.status == S.APPROVED and case is not None and case.records_pending:
            out.append("records_complete")
    if app.status == S.COUNTY_REVIEW and (
        approve or (review and app.programme == "temporary_assistance")
    ):
        if approve and case is not None and case.near_relative and case.county_visit_on is None:
            out.append("county_visit")
        out += ["approve", "refuse"]
    if (
        app.status in sel.OPEN_STATUSES
        and (review or approve)
        and case is not None
        and not case.extended
    ):
        rules = sel.deadlines_for(app.programme)
        if rules.overall_extended:
            out.append("extend")
    if app.status in sel.OPEN_STATUSES and (review or u.has_perm_code(Perm.ASSISTANCE_APPLY)):
        out.append("withdraw")
    return out


STEP_TITLES = {
    "accept": gettext_noop("受理"),
    "first_aid": gettext_noop("先行救助（急难型临时救助）"),
    "investigation_start": gettext_noop("开始入户调查"),
    "investigation": gettext_noop("登记调查记录"),
    "county_visit": gettext_noop("县级入户核查"),
    "town_review": gettext_noop("乡镇初审并公示"),
    "objection": gettext_noop("登记公示异议"),
    "publicity_close": gettext_noop("公示期满，报送县级"),
    "approve": gettext_noop("审核确认同意"),
    "refuse": gettext_noop("不予确认"),
    "extend": gettext_noop("延长办理期限"),
    "withdraw": gettext_noop("撤回申请"),
    "records_complete": gettext_noop("补齐先行救助手续"),
}


def _case_ctx(
    request: AuthedRequest, app: Application, bound: dict[str, djforms.Form] | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    actions = _actions(request, app)
    step_forms: list[tuple[str, str, djforms.Form]] = []
    for step in actions:
        if bound and step in bound:
            form = bound[step]
        else:
            initial: dict[str, Any] = {"version": app.version}
            if step == "approve":
                amount = (app.assessment or {}).get("amount_fen")
                if isinstance(amount, int):
                    initial["amount"] = f"{amount / 100:.2f}"
            form = forms.STEP_FORMS[step](initial=initial, prefix=step)
        step_forms.append((step, gettext(STEP_TITLES[step]), form))
    case = getattr(app, "case", None)
    return {
        "app": app,
        "case": case,
        **sel.case_page(app),
        "decision": app.assessment or {},
        "step_forms": step_forms,
        "due_state": sel.due_state(case.due_on if case else None, today),
        "today": today,
        "can_deliver": request.user.has_perm_code(Perm.ASSISTANCE_REVIEW)
        or request.user.has_perm_code(Perm.ASSISTANCE_APPROVE),
        "overall_limit": sel.overall_limit(app, case) if case else None,
    }


@perm_required(Perm.ASSISTANCE_VIEW)
@not_found_as_404
def case_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    app = sel.application_for_user(request.user, pk)
    return render(request, "assistance/case.html", _case_ctx(request, app))


def _run_step(request: AuthedRequest, app: Application, step: str, d: dict[str, Any]) -> Any:
    u = request.user
    v = int(d["version"])
    if step == "accept":
        return workflow.application_accept(
            actor=u,
            application=app,
            version=v,
            accepted_on=d.get("accepted_on"),
            delegated=d.get("delegated") or False,
        )
    if step == "investigation_start":
        return workflow.investigation_start(
            actor=u, application=app, version=v, started_on=d.get("started_on")
        )
    if step in ("investigation", "county_visit"):
        return workflow.investigation_record(
            actor=u,
            application=app,
            version=v,
            kind=d["kind"],
            visited_on=d.get("visited_on"),
            investigators=[d.get(f"investigator_{i}") or "" for i in (1, 2, 3)],
            findings=d.get("findings") or "",
            household_signed=d.get("household_signed") or False,
            attachments=d.get("attachments") or [],
        )
    if step == "town_review":
        return workflow.town_review(
            actor=u,
            application=app,
            version=v,
            opinion=d.get("opinion") or "",
            text=d.get("text") or "",
            reviewed_on=d.get("reviewed_on"),
            publicity_from=d.get("publicity_from"),
            democratic_review=d.get("democratic_review") or False,
            democratic_review_note=d.get("democratic_review_note") or "",
        )
    if step == "objection":
        return workflow.objection_record(
            actor=u,
            application=app,
            version=v,
            text=d.get("text") or "",
            raised_by=d.get("raised_by") or "",
            raised_on=d.get("raised_on"),
        )
    if step == "publicity_close":
        return workflow.publicity_close(actor=u, application=app, version=v, on=d.get("on"))
    if step == "approve":
        return workflow.application_approve(
            actor=u,
            application=app,
            version=v,
            decided_on=d.get("decided_on"),
            amount_fen=forms.yuan_to_fen(d.get("amount")),
            note=d.get("note") or "",
            case_by_case_note=d.get("case_by_case_note") or "",
        )
    if step == "refuse":
        return workflow.application_refuse(
            actor=u,
            application=app,
            version=v,
            reasons=d.get("reasons") or "",
            decided_on=d.get("decided_on"),
        )
    if step == "extend":
        return workflow.case_extend(
            actor=u, application=app, version=v, reason=d.get("reason") or ""
        )
    if step == "withdraw":
        return workflow.application_withdraw(
            actor=u, application=app, version=v, reason=d.get("reason") or ""
        )
    if step == "first_aid":
        return workflow.temporary_first_aid(
            actor=u,
            application=app,
            version=v,
            amount_fen=forms.yuan_to_fen(d.get("amount")),
            on=d.get("on"),
        )
    if step == "records_complete":
        return workflow.first_aid_records_complete(
            actor=u, application=app, version=v, note=d.get("note") or ""
        )
    raise Http404("没有这个办理环节")


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW)
@not_found_as_404
def case_step(request: AuthedRequest, pk: str, step: str) -> HttpResponse:
    app = sel.application_for_user(request.user, pk)
    if step not in forms.STEP_FORMS:
        raise Http404("没有这个办理环节")
    form = forms.STEP_FORMS[step](request.POST, request.FILES, prefix=step)
    status = 400
    if form.is_valid():
        try:
            _run_step(request, app, step, form.cleaned_data)
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
            return redirect("assistance:case", pk=app.public_id)
        except NotFoundOrNotYours:
            raise
        except DomainError as exc:
            status = exc.status if exc.status in (403, 409) else 400
            _form_error(form, exc)
        else:
            messages.success(
                request, gettext("已办理：%(step)s") % {"step": gettext(STEP_TITLES[step])}
            )
            return redirect("assistance:case", pk=app.public_id)
    app = sel.application_for_user(request.user, pk)
    ctx = _case_ctx(request, app, bound={step: form})
    ctx["open_step"] = step
    if step not in [s for s, _, _ in ctx["step_forms"]]:
        ctx["step_error"] = "; ".join(str(e) for e in form.non_field_errors()) or gettext(
            "无权办理此环节"
        )
    return render(request, "assistance/case.html", ctx, status=status)


def _notice_for_user(user: Any, pk: str) -> Notice:
    return get_scoped(
        Notice.objects.select_related(
            "application__applicant", "application__region__parent", "application__case"
        ),
        user,
        via="application__region__code",
        public_id=pk,
    )


@perm_required(Perm.ASSISTANCE_VIEW)
@not_found_as_404
def notice_pdf(request: AuthedRequest, pk: str) -> HttpResponse:
    notice = _notice_for_user(request.user, pk)
    pdf = notices.notice_pdf(notice)
    audit.record(
        actor=request.user,
        action="assistance.notice.print",
        obj=notice,
        region_code=notice.application.region_id,
        detail={"kind": notice.kind},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{_quote(notices.notice_filename(notice))}"
    )
    return response


@require_POST
@perm_required(Perm.ASSISTANCE_VIEW)
@not_found_as_404
def notice_delivered(request: AuthedRequest, pk: str) -> HttpResponse:
    notice = _notice_for_user(request.user, pk)
    form = forms.DeliveredForm(request.POST)
    if form.is_valid():
        try:
            workflow.notice_delivered(
                actor=request.user,
                notice=notice,
                delivered_on=form.cleaned_data.get("delivered_on"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已登记送达"))
    return redirect("assistance:case", pk=notice.application.public_id)


# --- publicity list -----------------------------------------------------------------------------


def _towns(user: Any) -> list[Region]:
    prefix = region_prefix(user) or "-"
    qs = Region.objects.filter(level__in=(Region.Level.TOWN, Region.Level.ZONE))
    if len(prefix) >= 9:
        return list(qs.filter(code=prefix[:9]))
    return list(qs.filter(code__startswith=prefix).order_by("code"))


@perm_required(Perm.ASSISTANCE_VIEW)
def publicity(request: AuthedRequest) -> HttpResponse:
    towns = _towns(request.user)
    code = request.GET.get("town") or (towns[0].code if towns else "")
    town = next((t for t in towns if t.code == code), None)
    rows = sel.publicity_rows(request.user, town.code) if town else []
    return render(
        request, "assistance/publicity.html", {"towns": towns, "town": town, "rows": rows}
    )


@perm_required(Perm.ASSISTANCE_VIEW)
def publicity_pdf(request: AuthedRequest) -> HttpResponse:
    towns = _towns(request.user)
    town = next((t for t in towns if t.code == request.GET.get("town")), None)
    if town is None:
        raise Http404("请选择本辖区的乡镇")
    today = timezone.localdate()
    rows = sel.publicity_rows(request.user, town.code)
    pdf = notices.publicity_pdf(town, rows, on=today)
    audit.record(
        actor=request.user,
        action="assistance.publicity.print",
        object_type="geo.region",
        object_id=town.code,
        object_repr=town.name,
        region_code=town.code,
        detail={"rows": len(rows)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{_quote(f'公示名单-{town.name}-{today:%Y%m%d}.pdf')}"
    )
    return response


# --- parameters ---------------------------------------------------------------------------------


def _county_of(user: Any) -> str:
    prefix = region_prefix(user) or ""
    if len(prefix) < 6:
        raise NotFoundOrNotYours("请使用县级或县以下账号查看本县救助参数")
    return prefix[:6]


@perm_required(Perm.ASSISTANCE_VIEW)
@not_found_as_404
def parameter_list(request: AuthedRequest) -> HttpResponse:
    county = _county_of(request.user)
    on = _parse_day(request.GET.get("on")) or timezone.localdate()
    keys = sel.parameter_overview(county, on)
    rows = [
        {
            "k": k,
            "text": sel.parameter_value_text(k.key, k.current.value)
            if k.current
            else gettext("（该日无生效记录）"),
        }
        for k in keys
    ]
    return render(
        request,
        "assistance/parameters.html",
        {
            "rows": rows,
            "on": on,
            "county": Region.objects.filter(code=county).first(),
            "pending": sum(1 for k in keys if k.pending),
            "can_edit": request.user.has_perm_code(Perm.ASSISTANCE_PARAMETERS),
        },
    )


def _parse_day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@perm_required(Perm.ASSISTANCE_VIEW)
@not_found_as_404
def parameter_detail(request: AuthedRequest, key: str) -> HttpResponse:
    county = _county_of(request.user)
    if key not in Parameters.model_fields:
        raise Http404("没有这个参数")
    form = forms.ParameterChangeForm(request.POST or None, key=key)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm_code(Perm.ASSISTANCE_PARAMETERS):
            return render(
                request,
                "403.html",
                {"reason": gettext("只有县局业务管理员可以调整救助参数")},
                status=403,
            )
        status = 400
        if form.is_valid():
            try:
                value = form.parsed_value()
                workflow.parameter_change(
                    actor=request.user,
                    county_code=county,
                    key=key,
                    value=value,
                    effective_from=form.cleaned_data["effective_from"],
                    basis=form.cleaned_data["basis"],
                )
            except djforms.ValidationError as exc:
                form.add_error("value", exc)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, gettext("已保存新取值（待民政局确认）"))
                return redirect("assistance:parameter", key=key)
    history = list(sel.parameter_rows(county).filter(key=key).select_related("created_by"))
    return render(
        request,
        "assistance/parameter_detail.html",
        {
            "key": key,
            "description": Parameters.model_fields[key].description or key,
            "history": [
                {"row": r, "text": sel.parameter_value_text(key, r.value)} for r in history
            ],
            "form": form,
            "can_edit": request.user.has_perm_code(Perm.ASSISTANCE_PARAMETERS),
            "money": key.endswith("_fen"),
        },
        status=status,
    )


@require_POST
@perm_required(Perm.ASSISTANCE_PARAMETERS)
@not_found_as_404
def parameter_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    county = _county_of(request.user)
    row = ParameterValue.objects.filter(county_code=county, pk=pk).first()
    if row is None:
        raise Http404("没有这条参数记录")
    try:
        workflow.parameter_confirm(actor=request.user, row=row)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已确认"))
    return redirect(reverse("assistance:parameter", kwargs={"key": row.key}) + "?" + urlencode({}))
