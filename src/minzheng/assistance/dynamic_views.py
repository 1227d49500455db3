"""Pages of dynamic management: the task list, the enrollment page and its actions, the
notices, and recording a death with its one-step result. Views parse input, check the
permission, call one service or selector and render; a record outside the user's region
answers 404 exactly like a missing one."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.core import audit
from minzheng.core.exceptions import (
    ConcurrentEditError,
    DomainError,
    PermissionDeniedError,
)
from minzheng.registry import services as registry_services
from minzheng.registry.models import Person
from minzheng.web.decorators import perm_required
from minzheng.web.errors import form_domain_error, not_found_as_404
from minzheng.web.http import AuthedRequest

from . import dynamic, dynamic_forms
from . import dynamic_selectors as sel
from .models import Enrollment, EnrollmentDecision, Programme

FIELD_MAP = {"amount_fen": "amount", "objection": "action", "end_month": "end_month"}


def _form_error(form: djforms.Form, exc: DomainError) -> None:
    form_domain_error(form, exc, FIELD_MAP)


def _refused(request: AuthedRequest, exc: PermissionDeniedError) -> HttpResponse:
    return render(request, "403.html", {"reason": exc.message}, status=403)


# --- tasks ------------------------------------------------------------------------------------


def _task_filters(request: AuthedRequest) -> tuple[dynamic_forms.TaskFilterForm, dict[str, Any]]:
    form = dynamic_forms.TaskFilterForm(
        request.GET or None, villages=sel.villages_for_user(request.user)
    )
    filters: dict[str, Any] = {"status": "open", "due": "all", "sort": "due"}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "status": d["status"],
            "due": d["due"] or "all",
            "kind": d["kind"],
            "programme": d["programme"],
            "village": d["village"],
            "q": d["q"].strip(),
            "sort": d["sort"] or "due",
        }
    return form, filters


@perm_required(Perm.REGISTRY_VIEW)
def task_list(request: AuthedRequest) -> HttpResponse:
    form, filters = _task_filters(request)
    qs = sel.tasks_for_user(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        return _task_export(request, qs, filters)
    page = Paginator(qs, sel.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "today": timezone.localdate(),
        "counts": sel.task_counts(request.user),
        "can_decide": dynamic.can_decide(request.user),
        "can_export": request.user.has_perm_code(Perm.EXPORT),
    }
    template = (
        "assistance/dynamic/_task_table.html"
        if request.htmx
        else "assistance/dynamic/task_list.html"
    )
    return render(request, template, ctx)


def _task_export(request: AuthedRequest, qs: Any, filters: dict[str, Any]) -> HttpResponse:
    if not request.user.has_perm_code(Perm.EXPORT):
        return render(
            request, "403.html", {"reason": gettext("您的角色没有导出数据的权限")}, status=403
        )
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = sel.task_export_rows(qs)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "动态管理任务"
    for c, label in enumerate(sel.TASK_EXPORT_COLUMNS, start=1):
        ws.cell(1, c, label).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    audit.record(
        actor=request.user,
        action="assistance.tasks.export",
        object_type="assistance.reviewtask",
        region_code=request.user.region_id or "",
        detail={"rows": len(rows), "filters": filters},
    )
    resp = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"动态管理任务-{timezone.localdate():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = content_disposition_header(True, name)
    resp["Cache-Control"] = "no-store"
    return resp


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
def task_scan(request: AuthedRequest) -> HttpResponse:
    try:
        result = dynamic.dynamic_scan(actor=request.user)
    except PermissionDeniedError as exc:
        return _refused(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext(
                "已生成：定期复核 %(periodic)s 项，年满18周岁 %(age_18)s 项"
                "（其中终止孤儿、事实无人抚养儿童保障 %(age_ends)s 项），高龄补贴调档 %(age_bands)s 项。"
            )
            % {
                "periodic": result.periodic,
                "age_18": result.age_18_tasks,
                "age_ends": result.age_ends,
                "age_bands": result.age_bands,
            }
            + ("；".join(result.warnings) if result.warnings else ""),
        )
    return redirect("assistance_manage:task_list")


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def task_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    task = sel.task_for_user(request.user, pk)
    form = dynamic_forms.TaskCompleteForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm_code(Perm.REGISTRY_EDIT):
            return render(
                request, "403.html", {"reason": gettext("您的角色没有办理任务的权限")}, status=403
            )
        if form.is_valid():
            try:
                dynamic.review_task_complete(
                    actor=request.user,
                    task=task,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, gettext("任务已办结"))
                return redirect("assistance_manage:task_detail", pk=task.public_id)
    return render(
        request,
        "assistance/dynamic/task_detail.html",
        {
            "task": task,
            "form": form,
            "can_work": request.user.has_perm_code(Perm.REGISTRY_EDIT),
            "today": timezone.localdate(),
        },
    )


# --- enrollments ------------------------------------------------------------------------------


@perm_required(Perm.REGISTRY_VIEW)
def enrollment_list(request: AuthedRequest) -> HttpResponse:
    form = dynamic_forms.EnrollmentFilterForm(
        request.GET or None, villages=sel.villages_for_user(request.user)
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {k: (d[k] or "").strip() for k in ("q", "programme", "status", "village")}
    qs = sel.enrollments_for_user(request.user, **filters)
    page = Paginator(qs, sel.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    template = (
        "assistance/dynamic/_enrollment_table.html"
        if request.htmx
        else "assistance/dynamic/enrollment_list.html"
    )
    return render(request, template, {"form": form, "page": page, "query": params.urlencode()})


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def enrollment_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    e = sel.enrollment_for_user(request.user, pk)
    page = sel.enrollment_page(e)
    return render(
        request,
        "assistance/dynamic/enrollment_detail.html",
        {
            "p": page,
            "e": e,
            "can_decide": dynamic.can_decide(request.user),
            "can_work": request.user.has_perm_code(Perm.REGISTRY_EDIT),
            "today": timezone.localdate(),
        },
    )


@dataclass(frozen=True)
class Action:
    title: str
    form: type[djforms.Form]
    intro: str
    decide: bool = True
    submit: str = gettext_noop("作出决定")


ACTIONS = {
    "suspend": Action(
        gettext_noop("暂停发放"),
        dynamic_forms.SuspendForm,
        gettext_noop(
            "暂停期间不发放保障金，保障资格保留；恢复发放时另行决定。暂停须书面告知理由（审核确认办法第32条）。"
        ),
    ),
    "resume": Action(
        gettext_noop("恢复发放"),
        dynamic_forms.ResumeForm,
        gettext_noop("自所选月份起恢复发放，暂停记录保留在历史中。"),
    ),
    "amount": Action(
        gettext_noop("调整金额"),
        dynamic_forms.AmountForm,
        gettext_noop(
            "增发或减发自作出决定的次月起执行；减发须书面告知理由（审核确认办法第32条）。"
        ),
    ),
    "end": Action(
        gettext_noop("终止保障"),
        dynamic_forms.EndForm,
        gettext_noop(
            "终止须有法定事由并书面告知理由。特困人员终止供养须在村（社区）公示7天，无异议的自次月起终止（特困认定办法第25条）。"
        ),
    ),
    "jiantui": Action(
        gettext_noop("安排渐退"),
        dynamic_forms.JiantuiForm,
        gettext_noop(
            "因就业使家庭人均收入超过低保标准的，可给予渐退期（审核确认办法第33条，原则上不超过6个月）：金额逐月递减，期满后停止发放。"
        ),
    ),
    "referral": Action(
        gettext_noop("登记就业介绍"),
        dynamic_forms.ReferralForm,
        gettext_noop(
            "有劳动能力的成员连续3次无正当理由拒绝介绍的工作，可减发或停发其本人的保障金（审核确认办法第34条）。"
        ),
        decide=False,
        submit=gettext_noop("登记"),
    ),
    "share_stop": Action(
        gettext_noop("停发个人份额"),
        dynamic_forms.ShareStopForm,
        gettext_noop(
            "只停发连续3次无正当理由拒绝就业介绍的成员本人的一份保障金，其他家庭成员不受影响（审核确认办法第34条）。"
        ),
    ),
}


def _run_action(request: AuthedRequest, e: Enrollment, name: str, d: dict[str, Any]) -> str:
    """Call the action's service; the success message."""
    user = request.user
    if name == "suspend":
        dynamic.enrollment_suspend(
            actor=user,
            enrollment=e,
            from_month=d["from_month"],
            to_month=d["to_month"],
            reason=d["reason"],
        )
        return gettext("已暂停发放")
    if name == "resume":
        dynamic.enrollment_resume(
            actor=user, enrollment=e, from_month=d["from_month"], reason=d["reason"]
        )
        return gettext("已恢复发放")
    if name == "amount":
        dynamic.enrollment_amount_change(
            actor=user,
            enrollment=e,
            from_month=d["from_month"],
            amount_fen=d["amount"],
            reason=d["reason"],
        )
        return gettext("金额已调整")
    if name == "end":
        dec = dynamic.enrollment_end(
            actor=user,
            enrollment=e,
            ground=d["ground"],
            reason=d["reason"],
            end_month=d.get("end_month"),
        )
        if dec.status == EnrollmentDecision.Status.PUBLICITY:
            assert dec.publicity_to is not None
            return gettext("终止决定已进入公示，公示期至 %(date)s") % {
                "date": dec.publicity_to.isoformat()
            }
        return gettext("保障已终止")
    if name == "jiantui":
        dynamic.jiantui_plan(
            actor=user,
            enrollment=e,
            first_month=d["first_month"],
            months=d["months"],
            reason=d["reason"],
        )
        return gettext("渐退安排已生效")
    if name == "referral":
        r = dynamic.job_referral_record(
            actor=user,
            enrollment=e,
            person=d["person"],
            referred_on=d["referred_on"],
            job=d["job"],
            response=d["response"],
            note=d["note"],
        )
        extra = gettext("，已生成停发个人份额的待办任务") if r.task else ""
        return (
            gettext("已登记；%(name)s 连续无正当理由拒绝 %(n)s 次")
            % {
                "name": d["person"].name,
                "n": r.refusals_in_a_row,
            }
            + extra
        )
    if name == "share_stop":
        dynamic.enrollment_share_stop(
            actor=user,
            enrollment=e,
            person=d["person"],
            reason=d["reason"],
            from_month=d["from_month"],
        )
        return gettext("已停发 %(name)s 的个人份额") % {"name": d["person"].name}
    raise Http404


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def enrollment_action(request: AuthedRequest, pk: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    e = sel.enrollment_for_user(request.user, pk)
    if spec.decide and not dynamic.can_decide(request.user):
        return render(
            request,
            "403.html",
            {"reason": gettext("暂停、调整金额、渐退和终止保障由县民政局或受委托的乡镇作出决定")},
            status=403,
        )
    kw: dict[str, Any] = {}
    page = sel.enrollment_page(e)
    if spec.form in (dynamic_forms.ReferralForm, dynamic_forms.ShareStopForm):
        kw["members"] = page.members or [e.payee]
    if spec.form is dynamic_forms.EndForm:
        kw["publicity"] = e.programme == Programme.TEKUN
    if spec.form is dynamic_forms.JiantuiForm:
        kw["max_months"] = int(
            sel.parameter(e.county_code, "jiantui_max_months", timezone.localdate())
        )
    form = spec.form(request.POST or None, **kw)
    preview = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if action == "jiantui" and "confirm" not in request.POST:
            try:
                preview = dynamic.jiantui_schedule(
                    e, first_month=d["first_month"], months=d["months"]
                )
            except DomainError as exc:
                _form_error(form, exc)
        else:
            try:
                message = _run_action(request, e, action, d)
            except PermissionDeniedError as exc:
                return _refused(request, exc)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, message)
                return redirect("assistance_manage:enrollment_detail", pk=e.public_id)
    return render(
        request,
        "assistance/dynamic/action_form.html",
        {
            "e": e,
            "p": page,
            "form": form,
            "title": gettext(spec.title),
            "intro": gettext(spec.intro),
            "submit": gettext(spec.submit),
            "preview": preview,
            "action": action,
        },
    )


# --- decisions and notices --------------------------------------------------------------------


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def decision_notice(request: AuthedRequest, pk: str) -> HttpResponse:
    d = sel.decision_for_user(request.user, pk)
    form = dynamic_forms.PublicityForm(request.POST or None)
    pending = d.status in (EnrollmentDecision.Status.PUBLICITY, EnrollmentDecision.Status.OBJECTION)
    if request.method == "POST":
        if not dynamic.can_decide(request.user):
            return render(
                request, "403.html", {"reason": gettext("您没有办结公示的权限")}, status=403
            )
        if form.is_valid():
            act, note = form.cleaned_data["action"], form.cleaned_data["note"]
            try:
                if act in ("close", "objection"):
                    dynamic.decision_publicity_close(
                        actor=request.user, decision=d, objection=act == "objection", note=note
                    )
                elif act == "republish":
                    dynamic.decision_republish(actor=request.user, decision=d, reason=note)
                else:
                    dynamic.decision_withdraw(actor=request.user, decision=d, reason=note)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, gettext("已办理"))
                return redirect("assistance_manage:decision_notice", pk=d.public_id)
    return render(
        request,
        "assistance/dynamic/notice.html",
        {
            "d": d,
            "e": d.enrollment,
            "county": sel.county_name(d.county_code),
            "ground_label": dynamic.EndGround.LABELS.get(d.ground, ""),
            "form": form,
            "pending": pending,
            "can_decide": dynamic.can_decide(request.user),
        },
    )


# --- persons and death ------------------------------------------------------------------------


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def person_enrollments(request: AuthedRequest, pk: str) -> HttpResponse:
    person = sel.person_for_user(request.user, pk)
    return render(
        request,
        "assistance/dynamic/person.html",
        {
            "person": person,
            "enrollments": sel.enrollments_of_person(request.user, person),
            "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT),
        },
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def death_record(request: AuthedRequest, pk: str) -> HttpResponse:
    person = sel.person_for_user(request.user, pk)
    if person.status == Person.Status.DECEASED:
        return redirect("assistance_manage:death_result", pk=person.public_id)
    form = dynamic_forms.DeathForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            registry_services.person_mark_deceased(
                actor=request.user,
                person=person,
                version=form.cleaned_data["version"],
                died_on=form.cleaned_data["died_on"],
            )
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except PermissionDeniedError as exc:
            return _refused(request, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("assistance_manage:death_result", pk=person.public_id)
    return render(
        request,
        "assistance/dynamic/death_form.html",
        {
            "person": person,
            "form": form,
            "enrollments": sel.enrollments_of_person(request.user, person).exclude(
                status=Enrollment.Status.ENDED
            ),
        },
    )


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def death_result(request: AuthedRequest, pk: str) -> HttpResponse:
    person = sel.person_for_user(request.user, pk)
    if person.status != Person.Status.DECEASED:
        return redirect(reverse("assistance_manage:person", kwargs={"pk": person.public_id}))
    return render(
        request,
        "assistance/dynamic/death_result.html",
        {"person": person, "outcome": sel.death_outcome(request.user, person)},
    )
