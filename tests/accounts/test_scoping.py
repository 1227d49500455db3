"""Region scoping decided in one place: a record elsewhere looks like a missing one."""

import pytest

from minzheng.accounts.scoping import get_scoped, region_prefix, scope
from minzheng.core.exceptions import NotFoundOrNotYours
from minzheng.geo.models import Region

pytestmark = pytest.mark.django_db


def test_town_officer_sees_only_its_own_town(officer_a):
    codes = set(scope(Region.objects.all(), officer_a, via="code").values_list("code", flat=True))
    assert "340521104" in codes and "340521104201" in codes
    assert not any(c.startswith("340521103") for c in codes)


def test_other_town_looks_exactly_like_a_missing_record(officer_a):
    with pytest.raises(NotFoundOrNotYours) as other:
        get_scoped(Region.objects.all(), officer_a, via="code", code="340521103")
    with pytest.raises(NotFoundOrNotYours) as missing:
        get_scoped(Region.objects.all(), officer_a, via="code", code="340521199")
    assert other.value.message == missing.value.message


def test_village_cadre_sees_only_its_village(cadre_a):
    assert region_prefix(cadre_a) == "340521104201"


def test_administrators_see_no_business_records(admins):
    for admin in admins.values():
        assert scope(Region.objects.all(), admin, via="code").count() == 0


def test_deactivated_user_sees_nothing(officer_a):
    officer_a.is_active = False
    assert region_prefix(officer_a) is None
