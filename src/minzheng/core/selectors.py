"""Reads of core records on behalf of a user."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from .exceptions import NotFoundOrNotYours
from .models import JobProgress


def job_list_for_user(user: Any, *, status: str | None = None) -> QuerySet[JobProgress]:
    """The background jobs the user started, newest first. Nobody sees another's jobs."""
    if not getattr(user, "is_authenticated", False):
        return JobProgress.objects.none()
    qs = JobProgress.objects.filter(owner_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def job_get_for_user(user: Any, public_id: uuid.UUID | str) -> JobProgress:
    """One of the user's jobs; another user's job answers exactly like a missing one."""
    try:
        return job_list_for_user(user).get(public_id=public_id)
    except (JobProgress.DoesNotExist, ValueError) as exc:
        raise NotFoundOrNotYours() from exc
