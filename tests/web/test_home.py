import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_the_login_page(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp["Location"].startswith("/accounts/login/")


def test_dashboard_shows_the_users_region_figures(login_as, officer_a):
    client = login_as(officer_a)
    resp = client.get("/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "工作台 · 塘南镇" in body
    # 塘南镇 in the shipped region data: its villages and communities, none of other towns
    from minzheng.geo.models import Region

    villages = Region.objects.filter(parent_id="340521104", level="village").count()
    assert f'data-testid="fig-villages">{villages}<' in body
    assert "石桥镇" not in body


def test_county_dashboard_lists_every_town(login_as, county_admin):
    body = login_as(county_admin).get("/").content.decode()
    for town in ("姑孰镇", "塘南镇", "石桥镇", "江心乡"):
        assert town in body


def test_chinese_is_the_default_whatever_the_browser_asks(login_as, officer_a):
    client = login_as(officer_a)
    resp = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert resp["Content-Language"] == "zh-hans"


def test_the_language_switch_chooses_english(login_as, officer_a):
    client = login_as(officer_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"
