"""Report figures of the registry, for the dashboard: each scoped to the user's region."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.scoping import scope

from .models import Disability, Household, Person
from .selectors import aged_cutoff


def registry_figures(user: Any) -> dict[str, int]:
    """Living persons, households with members, living persons aged 80+, and living persons
    holding a disability certificate, in the user's region."""
    living = scope(Person.objects.filter(status=Person.Status.LIVING), user, via="region__code")
    disabled = scope(
        Disability.objects.filter(person__status=Person.Status.LIVING),
        user,
        via="person__region__code",
    )
    return {
        "persons": living.count(),
        "households": scope(
            Household.objects.filter(member_count__gt=0), user, via="region__code"
        ).count(),
        "aged_80": living.filter(birth_date__lte=aged_cutoff()).count(),
        "disabled": disabled.values("person_id").distinct().count(),
    }
