"""Pages of the social registry: parse input, check permission, call one service or selector.

A record outside the user's region answers 404, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms as djforms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.accounts.services import reveal_protected
from minzheng.core.exceptions import (
    ConcurrentEditError,
    DomainError,
    PermissionDeniedError,
)
from minzheng.web.decorators import perm_required
from minzheng.web.errors import form_domain_error, not_found_as_404
from minzheng.web.http import AuthedRequest

from . import forms, selectors, services
from .models import Household, IncomeItem, Person, Situation

PAGE_SIZE = 20
#: service field names → form field names
FIELD_MAP = {
    "monthly_amount_fen": "amount",
    "value_fen": "value",
    "died_on": "on",
    "moved_out_on": "on",
    "person": "person",
}


def _form_error(form: djforms.Form, exc: DomainError) -> None:
    form_domain_error(form, exc, FIELD_MAP)


def _form_page(
    request: AuthedRequest,
    form: djforms.Form,
    *,
    title: str,
    back: str,
    submit: str | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    ctx = {
        "form": form,
        "title": title,
        "back": back,
        "submit": submit or gettext("保存"),
        **extra,
    }
    return render(request, "registry/form_page.html", ctx, status=status)


def _household_url(household: Household) -> str:
    return reverse("registry:household_detail", args=[household.public_id])


def _person_by_public_id(members: list[Person], value: str) -> Person | None:
    if not value:
        return None
    for p in members:
        if str(p.public_id) == value:
            return p
    raise DomainError(gettext("请选择本户的成员"), field="person")


# --- household list and search -------------------------------------------------------------


@perm_required(Perm.REGISTRY_VIEW)
def household_list(request: AuthedRequest) -> HttpResponse:
    villages = selectors.villages_for_user(request.user)
    form = forms.HouseholdFilterForm(
        request.GET or None,
        villages=villages,
        sizes=selectors.SIZE_CHOICES,
        programmes=selectors.programme_choices(),
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "village": d["village"],
            "size": d["size"],
            "has_disabled": d["disabled"],
            "aged": d["aged"],
            "q": d["q"],
            "sort": d["sort"] or "village",
            "programme": d["programme"],
        }
    qs = selectors.households_for_user(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        return _export_households(request, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT),
        "can_export": request.user.has_perm_code(Perm.EXPORT),
        "can_reveal": request.user.has_perm_code(Perm.PII_REVEAL),
    }
    template = "registry/_household_table.html" if request.htmx else "registry/household_list.html"
    return render(request, template, ctx)


def _export_households(request: AuthedRequest, qs: Any) -> HttpResponse:
    """The filtered list as xlsx, masked unless the user asks for and may see full numbers."""
    from .exporting import registry_export

    try:
        result = registry_export(
            queryset=Household.objects.filter(pk__in=qs.values("pk")),  # the filter, bare
            actor=request.user,
            reveal=request.GET.get("reveal") == "1",
        )
    except DomainError as exc:
        return render(request, "403.html", {"reason": exc.message}, status=exc.status)
    response = HttpResponse(
        result.content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"家庭档案-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@perm_required(Perm.REGISTRY_VIEW)
def search(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    results = selectors.person_search(request.user, q) if q else []
    ctx = {
        "q": q,
        "results": results,
        "kind": selectors.classify_query(q).kind,
        "limit": selectors.SEARCH_LIMIT,
    }
    template = "registry/_search_results.html" if request.htmx else "registry/search.html"
    return render(request, template, ctx)


# --- households ------------------------------------------------------------------------------


@perm_required(Perm.REGISTRY_EDIT)
def household_create(request: AuthedRequest) -> HttpResponse:
    villages = selectors.villages_for_user(request.user)
    form = forms.HouseholdCreateForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            head = selectors.person_by_id_number(request.user, d["id_number"])
            if head is None:
                head = services.person_create(
                    actor=request.user,
                    id_number=d["id_number"],
                    name=d["name"],
                    region_code=d["region"],
                    hukou=d["hukou"],
                    ethnicity=d["ethnicity"],
                    phone=d["phone"],
                )
            household = services.household_create(
                actor=request.user,
                head=head,
                address=d["address"],
                region_code=d["region"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household))
    return _form_page(
        request,
        form,
        title=gettext("新建家庭"),
        back=reverse("registry:household_list"),
        submit=gettext("建立家庭档案"),
        intro=gettext("先登记户主。若该身份证号码已登记且不属于任何家庭，将直接以此人为户主。"),
    )


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def household_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    ctx = {
        "household": household,
        **selectors.household_page(household),
        "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT),
        "can_reveal": request.user.has_perm_code(Perm.PII_REVEAL),
        "document_form": forms.DocumentForm(),
    }
    return render(request, "registry/household_detail.html", ctx)


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def household_edit(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    villages = selectors.villages_for_user(request.user)
    initial = {
        "region": household.region_id,
        "address": household.address,
        "version": household.version,
    }
    form = forms.HouseholdEditForm(request.POST or None, initial=initial, villages=villages)
    conflict = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.household_update(
                actor=request.user,
                household=household,
                version=d["version"],
                changes={"address": d["address"], "region": d["region"]},
            )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household))
    return _form_page(
        request,
        form,
        title=gettext("修改家庭信息：%(household)s") % {"household": household},
        back=_household_url(household),
        conflict=conflict,
        status=409 if conflict else 200,
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def household_change_head(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    memberships = selectors.current_memberships(household)
    candidates = [m for m in memberships if m.person_id != household.head_id]
    old_head = household.head
    old_head_is_member = any(m.person_id == household.head_id for m in memberships)
    form = forms.HeadChangeForm(
        request.POST or None,
        initial={"version": household.version},
        candidates=candidates,
        old_head_name=old_head.name if old_head else "",
        old_head_is_member=old_head_is_member,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new_head = _person_by_public_id([m.person for m in candidates], d["new_head"])
            if new_head is None:
                raise DomainError(gettext("请选择新户主"), field="new_head")
            services.household_change_head(
                actor=request.user,
                household=household,
                new_head=new_head,
                old_head_relation=d.get("old_head_relation", ""),
                other_relations={
                    m.person_id: d[form.relation_field(m)]
                    for m in candidates
                    if m.person_id != new_head.pk and d.get(form.relation_field(m))
                },
                version=d["version"],
            )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household) + "#members")
    if old_head is None:
        intro = gettext("本户目前没有户主。请从本户现有成员中选择户主。")
    elif old_head_is_member:
        intro = gettext(
            "现户主：%(name)s。新户主须是本户现有的健在成员；变更后，新户主的关系记为"
            "“户主”，原户主和其他成员的关系改为下面所选（改为与新户主的关系）。"
            "变更记入家庭变更记录。"
        ) % {"name": old_head.name}
    else:
        intro = gettext(
            "原户主%(name)s状态为“%(status)s”，已不是本户现有成员。"
            "请从本户现有的健在成员中选择新户主，并核对其他成员与新户主的关系。"
            "变更记入家庭变更记录。"
        ) % {"name": old_head.name, "status": old_head.get_status_display()}
    if not candidates:
        intro += gettext("本户没有其他现有成员，无法变更户主；请先添加成员。")
    return _form_page(
        request,
        form,
        title=gettext("变更户主：%(household)s") % {"household": household},
        back=_household_url(household),
        submit=gettext("变更户主"),
        intro=intro,
        conflict=conflict,
        status=409 if conflict else 200,
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def member_add(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    villages = selectors.villages_for_user(request.user)
    form = forms.MemberAddForm(
        request.POST or None, villages=villages, initial={"region": household.region_id}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = selectors.person_by_id_number(request.user, d["id_number"])
            if person is None:
                if not d["name"]:
                    raise DomainError(gettext("此身份证号码尚未登记，请填写姓名"), field="name")
                person = services.person_create(
                    actor=request.user,
                    id_number=d["id_number"],
                    name=d["name"],
                    region_code=d["region"] or household.region_id,
                    hukou=d["hukou"],
                    ethnicity=d["ethnicity"],
                    phone=d["phone"],
                )
            if d["move"] and selectors.current_household_of(person) is not None:
                services.member_move(
                    actor=request.user,
                    person=person,
                    to_household=household,
                    relation=d["relation"],
                    moved_on=d["started_on"],
                    living_together=d["living_together"],
                )
            else:
                services.member_add(
                    actor=request.user,
                    household=household,
                    person=person,
                    relation=d["relation"],
                    living_together=d["living_together"],
                    started_on=d["started_on"],
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household))
    return _form_page(
        request,
        form,
        title=gettext("添加家庭成员：%(household)s") % {"household": household},
        back=_household_url(household),
        intro=gettext("输入身份证号码：已登记的人员直接加入本户；未登记的人员同时完成登记。"),
    )


# --- persons ---------------------------------------------------------------------------------


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def person_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    person = selectors.person_for_user(request.user, pk)
    ctx = {
        "person": person,
        "household": selectors.current_household_of(person),
        "age": selectors.age_on(person.birth_date, person.died_on),
        "history": selectors.person_history(person)[: selectors.HISTORY_LIMIT],
        "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT),
        "can_reveal": request.user.has_perm_code(Perm.PII_REVEAL),
    }
    return render(request, "registry/person_detail.html", ctx)


def _person_back(request: AuthedRequest, person: Person) -> str:
    household = selectors.current_household_of(person)
    if household is not None:
        return _household_url(household)
    return reverse("registry:person_detail", args=[person.public_id])


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def person_edit(request: AuthedRequest, pk: str) -> HttpResponse:
    person = selectors.person_for_user(request.user, pk)
    villages = selectors.villages_for_user(request.user)
    initial = {
        "name": person.name,
        "region": person.region_id,
        "hukou": person.hukou,
        "ethnicity": person.ethnicity,
        "version": person.version,
    }
    form = forms.PersonEditForm(request.POST or None, initial=initial, villages=villages)
    back = _person_back(request, person)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=gettext("修改人员信息：%(name)s") % {"name": person.name},
        back=back,
        conflict=conflict,
        person=person,
        status=409 if conflict else 200,
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def person_status(request: AuthedRequest, pk: str) -> HttpResponse:
    person = selectors.person_for_user(request.user, pk)
    form = forms.StatusForm(request.POST or None, initial={"version": person.version})
    back = _person_back(request, person)
    conflict = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["status"] == Person.Status.DECEASED:
                services.person_mark_deceased(
                    actor=request.user, person=person, version=d["version"], died_on=d["on"]
                )
            else:
                services.person_mark_moved_out(
                    actor=request.user, person=person, version=d["version"], moved_out_on=d["on"]
                )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=gettext("变更人员状态：%(name)s") % {"name": person.name},
        back=back,
        conflict=conflict,
        intro=gettext("标记为已故或迁出后，此人在当前家庭中的成员关系同时终止（保留在历史中）。"),
    )


REVEALABLE = {"id_number": gettext_noop("身份证号码"), "phone": gettext_noop("联系电话")}


@require_POST
@never_cache
@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def person_reveal(request: AuthedRequest, pk: str, field: str) -> HttpResponse:
    if field not in REVEALABLE:
        raise Http404
    person = selectors.person_for_user(request.user, pk)
    try:
        value = reveal_protected(
            actor=request.user,
            value=getattr(person, field),
            obj=person,
            field=field,
            region_code=person.region_id,
        )
    except PermissionDeniedError as exc:
        return HttpResponse(exc.message, status=403)
    return render(
        request, "registry/_revealed.html", {"value": value, "label": gettext(REVEALABLE[field])}
    )


# --- incomes (inline editing with htmx) ------------------------------------------------------


def _income_initial(item: IncomeItem) -> dict[str, Any]:
    return {
        "person": str(item.person.public_id) if item.person_id and item.person else "",
        "category": item.category,
        "amount": forms.fen_to_yuan(item.monthly_amount_fen),
        "started_on": item.started_on,
        "ended_on": item.ended_on,
        "source": item.source,
        "note": item.note,
        "version": item.version,
    }


def _income_values(form: forms.IncomeForm, members: list[Person]) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "person": _person_by_public_id(members, d["person"]),
        "category": d["category"],
        "monthly_amount_fen": forms.yuan_to_fen(d["amount"]),
        "started_on": d["started_on"],
        "ended_on": d["ended_on"],
        "source": d["source"],
        "note": d["note"],
    }


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def income_add(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    members = selectors.current_members(household)
    form = forms.IncomeForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.income_add(
                actor=request.user, household=household, **_income_values(form, members)
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household) + "#incomes")
    return _form_page(
        request,
        form,
        title=gettext("新增收入：%(household)s") % {"household": household},
        back=_household_url(household),
    )


@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def income_row(request: AuthedRequest, pk: str) -> HttpResponse:
    item = selectors.income_for_user(request.user, pk)
    return render(
        request,
        "registry/_income_row.html",
        {"income": item, "can_edit": request.user.has_perm_code(Perm.REGISTRY_EDIT)},
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def income_edit(request: AuthedRequest, pk: str) -> HttpResponse:
    """Inline edit of one income row (htmx swaps the table row); a full page without htmx."""
    item = selectors.income_for_user(request.user, pk)
    household = item.household
    members = selectors.current_members(household)
    form = forms.IncomeForm(request.POST or None, initial=_income_initial(item), members=members)
    form.fields["version"].required = True
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            item = services.income_update(
                actor=request.user,
                income=item,
                version=form.cleaned_data["version"],
                changes=_income_values(form, members),
            )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            if request.htmx:
                return render(
                    request, "registry/_income_row.html", {"income": item, "can_edit": True}
                )
            return redirect(_household_url(household) + "#incomes")
    if request.htmx:
        return render(
            request,
            "registry/_income_row_form.html",
            {"income": item, "form": form, "conflict": conflict},
        )
    return _form_page(
        request,
        form,
        title=gettext("修改收入：%(household)s") % {"household": household},
        back=_household_url(household),
        conflict=conflict,
    )


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def income_delete(request: AuthedRequest, pk: str) -> HttpResponse:
    item = selectors.income_for_user(request.user, pk)
    try:
        services.income_delete(
            actor=request.user, income=item, version=int(request.POST.get("version", 0))
        )
    except DomainError as exc:
        return render(request, "403.html", {"reason": exc.message}, status=exc.status)
    return redirect(_household_url(item.household) + "#incomes")


# --- assets ----------------------------------------------------------------------------------


def _asset_values(form: forms.AssetForm, members: list[Person]) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "person": _person_by_public_id(members, d["person"]),
        "kind": d["kind"],
        "description": d["description"],
        "value_fen": forms.yuan_to_fen(d["value"]),
        "count": d["count"],
        "source": d["source"],
    }


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def asset_add(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    members = selectors.current_members(household)
    form = forms.AssetForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_add(
                actor=request.user, household=household, **_asset_values(form, members)
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household) + "#assets")
    return _form_page(
        request,
        form,
        title=gettext("新增财产：%(household)s") % {"household": household},
        back=_household_url(household),
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def asset_edit(request: AuthedRequest, pk: str) -> HttpResponse:
    asset = selectors.asset_for_user(request.user, pk)
    household = asset.household
    members = selectors.current_members(household)
    initial = {
        "person": str(asset.person.public_id) if asset.person else "",
        "kind": asset.kind,
        "description": asset.description,
        "value": forms.fen_to_yuan(asset.value_fen),
        "count": asset.count,
        "source": asset.source,
        "version": asset.version,
    }
    form = forms.AssetForm(request.POST or None, initial=initial, members=members)
    form.fields["version"].required = True
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_update(
                actor=request.user,
                asset=asset,
                version=form.cleaned_data["version"],
                changes=_asset_values(form, members),
            )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household) + "#assets")
    return _form_page(
        request,
        form,
        title=gettext("修改财产：%(household)s") % {"household": household},
        back=_household_url(household),
        conflict=conflict,
        delete_url=reverse("registry:asset_delete", args=[asset.public_id]),
        version=asset.version,
    )


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def asset_delete(request: AuthedRequest, pk: str) -> HttpResponse:
    asset = selectors.asset_for_user(request.user, pk)
    try:
        services.asset_delete(
            actor=request.user, asset=asset, version=int(request.POST.get("version", 0))
        )
    except DomainError as exc:
        return render(request, "403.html", {"reason": exc.message}, status=exc.status)
    return redirect(_household_url(asset.household) + "#assets")


def _member_fact_add(
    request: AuthedRequest,
    pk: str,
    *,
    form_class: type[djforms.Form],
    save: Callable[[Person, dict[str, Any]], object],
    title: str,
    no_person: str,
    intro: str | None = None,
) -> HttpResponse:
    """The page that records a fact of one current member (a disability, an illness, work, a
    situation): pick the member, call ``save(person, cleaned_data)``, back to the members."""
    household = selectors.household_for_user(request.user, pk)
    members = selectors.current_members(household)
    form = form_class(request.POST or None, members=members)  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        try:
            person = _person_by_public_id(members, form.cleaned_data["person"])
            if person is None:
                raise DomainError(no_person, field="person")
            save(person, form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household) + "#members")
    return _form_page(
        request,
        form,
        title=title % {"household": household},
        back=_household_url(household),
        intro=intro,
    )


# --- disabilities, health, employment --------------------------------------------------------


def _disability_values(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": d["category"],
        "grade": d["grade"],
        "certificate_number": d["certificate_number"],
        "issued_on": d["issued_on"],
        "valid_until": d["valid_until"],
    }


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def disability_add(request: AuthedRequest, pk: str) -> HttpResponse:
    return _member_fact_add(
        request,
        pk,
        form_class=forms.DisabilityForm,
        save=lambda person, d: services.disability_add(
            actor=request.user, person=person, **_disability_values(d)
        ),
        title=gettext("登记残疾信息：%(household)s"),
        no_person=gettext("请选择残疾人"),
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def disability_edit(request: AuthedRequest, pk: str) -> HttpResponse:
    disability = selectors.disability_for_user(request.user, pk)
    person = disability.person
    household = selectors.current_household_of(person)
    back = (
        _household_url(household)
        if household
        else reverse("registry:person_detail", args=[person.public_id])
    )
    initial = {
        "person": str(person.public_id),
        "category": disability.category,
        "grade": disability.grade,
        "issued_on": disability.issued_on,
        "valid_until": disability.valid_until,
        "version": disability.version,
    }
    form = forms.DisabilityForm(request.POST or None, initial=initial, members=[person])
    form.fields["person"].disabled = True
    form.fields["version"].required = True
    form.fields["certificate_number"].help_text = (
        gettext("现为 %(masked)s，不修改请留空") % {"masked": disability.certificate_number.masked}
        if disability.certificate_number
        else ""
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        changes = _disability_values(form.cleaned_data)
        if not changes["certificate_number"]:
            changes.pop("certificate_number")
        try:
            services.disability_update(
                actor=request.user,
                disability=disability,
                version=form.cleaned_data["version"],
                changes=changes,
            )
        except ConcurrentEditError as exc:
            conflict = True
            _form_error(form, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(back + "#members")
    return _form_page(
        request,
        form,
        title=gettext("修改残疾信息：%(name)s") % {"name": person.name},
        back=back,
        conflict=conflict,
        delete_url=reverse("registry:disability_delete", args=[disability.public_id]),
        version=disability.version,
    )


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def disability_delete(request: AuthedRequest, pk: str) -> HttpResponse:
    disability = selectors.disability_for_user(request.user, pk)
    household = selectors.current_household_of(disability.person)
    try:
        services.disability_delete(
            actor=request.user, disability=disability, version=int(request.POST.get("version", 0))
        )
    except DomainError as exc:
        return render(request, "403.html", {"reason": exc.message}, status=exc.status)
    if household is None:
        return redirect("registry:person_detail", pk=disability.person.public_id)
    return redirect(_household_url(household) + "#members")


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def health_add(request: AuthedRequest, pk: str) -> HttpResponse:
    return _member_fact_add(
        request,
        pk,
        form_class=forms.HealthForm,
        save=lambda person, d: services.health_condition_add(
            actor=request.user,
            person=person,
            description=d["description"],
            serious_illness=d["serious_illness"],
            diagnosed_on=d["diagnosed_on"],
        ),
        title=gettext("登记健康状况：%(household)s"),
        no_person=gettext("请选择人员"),
    )


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def employment_add(request: AuthedRequest, pk: str) -> HttpResponse:
    return _member_fact_add(
        request,
        pk,
        form_class=forms.EmploymentForm,
        save=lambda person, d: services.employment_add(
            actor=request.user,
            person=person,
            work_ability=d["work_ability"],
            status=d["status"],
            employer=d["employer"],
            started_on=d["started_on"],
        ),
        title=gettext("登记就业与劳动能力：%(household)s"),
        no_person=gettext("请选择人员"),
    )


# --- situations ------------------------------------------------------------------------------


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def situation_add(request: AuthedRequest, pk: str) -> HttpResponse:
    return _member_fact_add(
        request,
        pk,
        form_class=forms.SituationForm,
        save=lambda person, d: services.situation_add(
            actor=request.user,
            person=person,
            kind=d["kind"],
            since=d["since"],
            until=d["until"],
            basis=d["basis"],
        ),
        title=gettext("登记特殊情形：%(household)s"),
        no_person=gettext("请选择人员"),
        intro=gettext(
            "服刑在押、被羁押、强制隔离戒毒、被执行其他限制人身自由的措施、失联或被宣告失踪，"
            "是认定事实无人抚养儿童时核查其父母的情形。"
        ),
    )


def _situation_back(situation: Situation) -> str:
    household = selectors.current_household_of(situation.person)
    if household is None:
        return reverse("registry:person_detail", args=[situation.person.public_id])
    return _household_url(household) + "#members"


def _situation_intro(situation: Situation, *, ended: bool) -> str:
    values = {
        "kind": situation.get_kind_display(),
        "period": situation.period_text(ended=ended),
        "basis": situation.basis or gettext("未填写"),
    }
    intro = gettext("%(kind)s，%(period)s；证明材料：%(basis)s。") % values
    if ended:
        intro += " " + gettext("此情形已经结束，无需再登记结束；如登记有误，可删除此记录。")
    return intro


@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def situation_end(request: AuthedRequest, pk: str) -> HttpResponse:
    situation = selectors.situation_for_user(request.user, pk)
    back = _situation_back(situation)
    ended = services.situation_ended(situation)
    form = forms.SituationEndForm(request.POST or None, initial={"until": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.situation_end(
                actor=request.user, situation=situation, until=form.cleaned_data["until"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(back)
    return _form_page(
        request,
        form,
        title=gettext("登记特殊情形结束：%(name)s") % {"name": situation.person.name},
        back=back,
        submit=gettext("登记结束"),
        intro=_situation_intro(situation, ended=ended),
        hide_form=ended and request.method != "POST",
        delete_url=reverse("registry:situation_delete", args=[situation.public_id]),
    )


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def situation_delete(request: AuthedRequest, pk: str) -> HttpResponse:
    situation = selectors.situation_for_user(request.user, pk)
    back = _situation_back(situation)
    try:
        services.situation_delete(actor=request.user, situation=situation)
    except DomainError as exc:
        return render(request, "403.html", {"reason": exc.message}, status=exc.status)
    return redirect(back)


# --- documents -------------------------------------------------------------------------------


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
@not_found_as_404
def document_upload(request: AuthedRequest, pk: str) -> HttpResponse:
    household = selectors.household_for_user(request.user, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                actor=request.user,
                household=household,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(_household_url(household) + "#documents")
    return _form_page(
        request,
        form,
        title=gettext("上传证明材料：%(household)s") % {"household": household},
        back=_household_url(household),
        multipart=True,
        status=400,
    )


@never_cache
@perm_required(Perm.REGISTRY_VIEW)
@not_found_as_404
def document_download(request: AuthedRequest, pk: str) -> HttpResponseBase:
    document = selectors.document_for_user(request.user, pk)
    services.document_opened(actor=request.user, document=document)
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=document.content_type == "application/pdf",
        # open() above has already refused a file without a name
        filename=f"{document.title}.{(document.file.name or '').rsplit('.', 1)[-1]}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
