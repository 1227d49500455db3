"""The likely-duplicates report: staff merge a duplicate into the kept person, or dismiss a
group with a reason. Merges are audited and can be undone from the audit event."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from minzheng.accounts.roles import Perm
from minzheng.core.exceptions import DomainError
from minzheng.web.decorators import perm_required
from minzheng.web.http import AuthedRequest

from . import duplicates

MAX_GROUPS = 200


@perm_required(Perm.REGISTRY_EDIT)
def duplicate_list(request: AuthedRequest) -> HttpResponse:
    kind = request.GET.get("kind") or None
    groups = duplicates.duplicate_candidates(request.user, kinds=[kind] if kind else None)
    return render(
        request,
        "registry/duplicates.html",
        {
            "groups": groups[:MAX_GROUPS],
            "total": len(groups),
            "kinds": duplicates.KINDS,
            "kind": kind or "",
            "cut": len(groups) > MAX_GROUPS,
        },
    )


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
def duplicate_merge(request: AuthedRequest) -> HttpResponse:
    try:
        event = duplicates.persons_merge(
            actor=request.user,
            keep=request.POST.get("keep", ""),
            duplicate=request.POST.get("duplicate", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("已合并（审计记录 #%(seq)s，可撤销）") % {"seq": event.seq}
        )
    return redirect("registry:duplicates")


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
def duplicate_undo(request: AuthedRequest) -> HttpResponse:
    try:
        duplicates.persons_merge_undo(
            actor=request.user, merge_seq=int(request.POST.get("seq", "0"))
        )
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", gettext("撤销失败：记录编号不正确")))
    else:
        messages.success(request, gettext("已撤销合并"))
    return redirect("registry:duplicates")


@require_POST
@perm_required(Perm.REGISTRY_EDIT)
def duplicate_dismiss(request: AuthedRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    group = next((g for g in duplicates.duplicate_candidates(request.user) if g.key == key), None)
    if group is None:
        messages.error(request, gettext("该组疑似重复记录已不存在或无权访问"))
        return redirect("registry:duplicates")
    try:
        duplicates.duplicate_dismiss(
            actor=request.user, group=group, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已排除，该组不再显示"))
    return redirect("registry:duplicates")
