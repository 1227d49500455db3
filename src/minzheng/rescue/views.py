"""Pages of the rescue station: the case list, reception, and the case page with its
services, identity, departure and follow-up visits. Records outside the user's region
answer 404 exactly like missing ones."""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import scope
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.geo.models import Region
from minzheng.registry.selectors import person_by_id_number
from minzheng.web.decorators import perm_required
from minzheng.web.errors import form_domain_error
from minzheng.web.http import AuthedRequest

from . import forms, selectors, services
from .models import RescueCase

FIELD_MAP = {"amount_fen": "amount", "person": "id_number"}


def _form_error(form: djforms.Form, exc: DomainError) -> None:
    form_domain_error(form, exc, FIELD_MAP)


def _regions(user: Any) -> QuerySet[Region]:
    levels = [Region.Level.TOWN, Region.Level.ZONE, Region.Level.VILLAGE, Region.Level.COMMUNITY]
    return (
        scope(Region.objects.filter(level__in=levels), user, via="code")
        .select_related("parent")
        .order_by("code")
    )


def _person(user: Any, raw: str) -> Any:
    person = person_by_id_number(user, raw)
    if person is None:
        raise DomainError(
            gettext(
                "档案中没有查到该身份证号码（或不在您负责的区域）；不在本县档案的，"
                "请留空，在自报姓名、籍贯和体貌特征中记录"
            ),
            field="id_number",
        )
    return person


@perm_required(Perm.REGISTRY_VIEW)
def case_list(request: AuthedRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "status": d["status"],
            "identity": d["identity"],
            "start": d["start"],
            "end": d["end"],
            "q": d["q"].strip(),
            "sort": d["sort"] or "-received",
        }
    qs = selectors.cases_for_user(request.user, **filters)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    total = selectors.cases_total_fen(qs)
    ctx = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "total_fen": total,
        "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT),
    }
    return render(request, "rescue/case_list.html", ctx)


@perm_required(Perm.REGISTRY_EDIT)
def case_new(request: AuthedRequest) -> HttpResponse:
    form = forms.CaseForm(request.POST or None, regions=_regions(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = _person(request.user, d["id_number"]) if d["id_number"].strip() else None
            case = services.case_receive(
                actor=request.user,
                received_on=d["received_on"],
                found_place=d["found_place"],
                region_code=d["region"],
                source=d["source"],
                person=person,
                stated_name=d["stated_name"],
                apparent_sex=d["apparent_sex"],
                apparent_age=d["apparent_age"],
                description=d["description"],
                hometown_stated=d["hometown_stated"],
            )
        except NotFoundOrNotYours:
            form.add_error("region", gettext("请选择您负责区域内的乡镇或村（社区）"))
        except PermissionDeniedError as exc:
            return render(request, "403.html", {"reason": exc.message}, status=403)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, gettext("已登记接收，案件编号 %(number)s") % {"number": case.case_number}
            )
            return redirect("rescue:case_detail", pk=case.public_id)
    return render(request, "rescue/case_new.html", {"form": form})


def _detail(request: AuthedRequest, case: RescueCase, **bound: djforms.Form) -> HttpResponse:
    ctx = {
        "case": case,
        "totals": selectors.case_totals(case),
        "services": case.services.select_related("recorded_by"),
        "visits": case.visits.select_related("recorded_by"),
        "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT),
        "service_form": bound.get("service") or forms.ServiceForm(initial={"quantity": 1}),
        "identify_form": bound.get("identify") or forms.IdentifyForm(),
        "close_form": bound.get("close") or forms.CloseForm(),
        "visit_form": bound.get("visit") or forms.VisitForm(),
        "open_part": next(iter(bound), ""),
    }
    return render(request, "rescue/case_detail.html", ctx, status=400 if bound else 200)


@perm_required(Perm.REGISTRY_VIEW)
def case_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    try:
        case = selectors.case_for_user(request.user, pk)
    except NotFoundOrNotYours as exc:
        raise Http404(exc.message) from exc
    return _detail(request, case)


PARTS = {
    "service": forms.ServiceForm,
    "identify": forms.IdentifyForm,
    "close": forms.CloseForm,
    "visit": forms.VisitForm,
}


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
def case_update(request: AuthedRequest, pk: str, part: str) -> HttpResponse:
    if part not in PARTS:
        raise Http404
    try:
        case = selectors.case_for_user(request.user, pk)
    except NotFoundOrNotYours as exc:
        raise Http404(exc.message) from exc
    form = PARTS[part](request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if part == "service":
                services.service_add(
                    actor=request.user,
                    case=case,
                    kind=d["kind"],
                    provided_on=d["provided_on"],
                    amount_fen=d["amount"],
                    quantity=d["quantity"],
                    note=d["note"],
                )
            elif part == "identify":
                services.case_identify(
                    actor=request.user, case=case, person=_person(request.user, d["id_number"])
                )
            elif part == "close":
                services.case_close(
                    actor=request.user,
                    case=case,
                    outcome=d["outcome"],
                    outcome_on=d["outcome_on"],
                    destination=d["destination"],
                    note=d["note"],
                )
            else:
                services.followup_add(
                    actor=request.user,
                    case=case,
                    visited_on=d["visited_on"],
                    method=d["method"],
                    situation=d["situation"],
                    returned_to_street=d["returned_to_street"],
                )
        except PermissionDeniedError as exc:
            return render(request, "403.html", {"reason": exc.message}, status=403)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, gettext("已保存"))
            return redirect("rescue:case_detail", pk=case.public_id)
    return _detail(request, case, **{part: form})
