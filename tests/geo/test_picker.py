import pytest

pytestmark = pytest.mark.django_db


def test_town_officer_picks_among_own_villages(login_as, officer_a):
    body = login_as(officer_a).get("/geo/picker/").content.decode()
    assert "桃元村" in body
    assert "沛东村" not in body  # a village of 石桥镇


def test_children_of_another_town_are_not_offered(login_as, officer_a):
    body = login_as(officer_a).get("/geo/picker/?parent=340521103").content.decode()
    assert '<option value="340521103' not in body


def test_county_user_gets_towns_then_villages(login_as, county_admin):
    client = login_as(county_admin)
    assert "石桥镇" in client.get("/geo/picker/").content.decode()
    assert "沛东村" in client.get("/geo/picker/?parent=340521103").content.decode()


def test_administrators_get_no_business_regions(login_as, admins):
    resp = login_as(admins["security_admin"]).get("/geo/picker/")
    assert resp.status_code == 403


def test_real_village_names_are_not_marked_as_examples(login_as, county_admin):
    body = login_as(county_admin).get("/geo/picker/?parent=340521104").content.decode()
    assert ">桃元村<" in body
    assert "（示例）" in body  # the generated names are
