"""The one place where region scoping is decided.

Every selector that reads region-bound records passes its queryset through ``scope``; every
lookup by id goes through ``get_scoped``, which answers a record in another region exactly as
it answers a missing one (``NotFoundOrNotYours``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet

from minzheng.core.exceptions import NotFoundOrNotYours, PermissionDeniedError

M = TypeVar("M", bound=Model)


def region_prefix(user: Any) -> str | None:
    """The code prefix of the user's subtree, or None when the user sees no business data."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_admin_role or user.region_id is None:
        return None  # 三员 administrators see no business records
    return user.region.prefix


def scope(qs: QuerySet[M], user: Any, *, via: str = "region__code") -> QuerySet[M]:
    """Limit ``qs`` to rows whose region code lies under the user's region.

    ``via`` names the column holding the code: a path to the region code (``region__code``,
    ``household__region__code``; Django reads the FK column, no join) or a plain code field (``region_code``). Codes are prefixes of
    their children's codes, so this is one indexed ``LIKE 'prefix%'`` without a join.
    """
    prefix = region_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(**{f"{via}__startswith": prefix})


def get_scoped(qs: QuerySet[M], user: Any, *, via: str = "region__code", **lookup: Any) -> M:
    try:
        return scope(qs, user, via=via).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrNotYours() from exc


def require_perm(user: Any, perm: str) -> None:
    if not getattr(user, "is_authenticated", False) or not user.has_perm_code(perm):
        raise PermissionDeniedError()


def region_allowed(user: Any, code: str) -> bool:
    prefix = region_prefix(user)
    return prefix is not None and code.startswith(prefix)


# --- Accounts, for the 三员 administrators -----------------------------------------------------
# Administrators see no business records (``region_prefix`` is None for them), but they manage
# the staff accounts of their own region subtree; an administrator without a region (an
# installer account) manages every account.


def account_scope(qs: QuerySet[M], actor: Any, *, via: str = "region__code") -> QuerySet[M]:
    """Limit a queryset of accounts to those the administrator ``actor`` may manage."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.region_id is None:
        return qs
    return qs.filter(**{f"{via}__startswith": actor.region.prefix})


def account_in_scope(actor: Any, user: Any) -> bool:
    if actor is None or actor.region_id is None:
        return True
    return user.region_id is not None and str(user.region_id).startswith(actor.region.prefix)
