"""What a case leaves on paper and on screen: the stored engine explanation, the notices as
PDF (the refusal's reasons), the 公示名单 with masked names, and the pages across regions."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from minzheng.assistance import workflow
from minzheng.assistance.models import Application, Notice
from tests.assistance.fixtures import days_ago

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    out = subprocess.run([exe, str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


# --- the engine's explanation -----------------------------------------------------------------


def test_the_engine_explanation_is_stored_at_submission(cadre_a, dibao_household):
    app = workflow.application_submit(
        actor=cadre_a, household=dibao_household, applicant=dibao_household.head,
        programme="dibao", channel="village_cadre", commitment_signed_on=days_ago(0),
        authorisation_signed_on=days_ago(0),
    )  # fmt: skip
    decision = app.assessment
    assert decision["verdict"] == "eligible"
    assert decision["amount_fen"] == 185000
    assert decision["assessed_at_step"] == "submit"
    texts = [line["text"] for line in decision["lines"]]
    assert any("李四娘（配偶）为申请人配偶，计入家庭成员" in t for t in texts)
    assert decision["parameters"]["status"] == "待民政局确认"


def test_the_assessment_is_recomputed_from_the_registry_at_each_decisive_step(
    walk, officer_a, dibao_household
):
    from tests.registry.factories import IncomeFactory

    app = walk(dibao_household, to="town_review")
    assert app.assessment["amount_fen"] == 185000
    # the investigation found a second income: the registry is corrected
    IncomeFactory(
        household=dibao_household, monthly_amount_fen=50000, started_on=dt.date(2020, 1, 1)
    )

    app = workflow.town_review(
        actor=officer_a, application=app, version=app.version, opinion="agree", text="同意",
        reviewed_on=days_ago(20), publicity_from=days_ago(20),
    )  # fmt: skip

    assert app.assessment["amount_fen"] == 185000 - 50000
    assert app.assessment["assessed_at_step"] == "town_review"
    event = app.events.get(step="town_review")
    assert event.data["assessment"]["amount_fen"] == 135000


def test_the_case_page_shows_the_explanation_and_the_history(
    walk, officer_a, dibao_household, client
):
    app = walk(dibao_household, to="accepted")
    client.force_login(officer_a)

    html = client.get(reverse("assistance:case", args=[app.public_id])).content.decode()

    assert "家庭月人均收入 233.33 元 低于低保标准 850.00 元" in html
    assert "1850.00 元/月" in html
    assert "受理，出具受理通知书" in html


# --- notices ----------------------------------------------------------------------------------


def test_refusal_notice_pdf_states_the_reasons(
    walk, county_officer, dibao_household, client, tmp_path
):
    app = walk(dibao_household)
    notice = workflow.application_refuse(
        actor=county_officer, application=app, version=app.version,
        reasons="家庭成员名下有小汽车一辆\n人均金融资产超过规定",
    )  # fmt: skip
    client.force_login(county_officer)

    resp = client.get(reverse("assistance:notice_pdf", args=[notice.public_id]))

    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    text = pdf_text(resp.content, tmp_path)
    assert "不予确认通知书" in text
    assert "1.家庭成员名下有小汽车一辆" in text
    assert "2.人均金融资产超过规定" in text
    assert "张三丰：" in text
    assert "当涂县民政局" in text
    assert "行政复议" in text


def test_acceptance_notice_pdf_names_the_time_limit(
    walk, officer_a, dibao_household, client, tmp_path
):
    app = walk(dibao_household, to="accepted")
    notice = Notice.objects.get(application=app, kind="acceptance")
    client.force_login(officer_a)

    text = pdf_text(
        client.get(reverse("assistance:notice_pdf", args=[notice.public_id])).content, tmp_path
    )

    assert "社会救助申请受理通知书" in text
    assert "自受理之日起30个工作日" in text
    assert "塘南镇人民政府" in text


def test_a_notice_of_another_town_is_not_found(walk, officer_b, dibao_household, client):
    app = walk(dibao_household, to="accepted")
    notice = Notice.objects.get(application=app)
    client.force_login(officer_b)
    assert client.get(reverse("assistance:notice_pdf", args=[notice.public_id])).status_code == 404


def test_publicity_list_pdf_masks_names_and_shows_no_id_or_phone(
    walk, officer_a, dibao_household, client, tmp_path
):
    from minzheng.registry.models import Person

    head = dibao_household.head
    Person.objects.filter(pk=head.pk).update(phone=None)
    head.refresh_from_db()
    walk(dibao_household, to="publicity")
    id_number = head.id_number.reveal()
    client.force_login(officer_a)

    resp = client.get(reverse("assistance:publicity_pdf") + "?town=340521104")

    assert resp.status_code == 200
    text = pdf_text(resp.content, tmp_path)
    assert "塘南镇社会救助对象初审公示名单" in text
    assert "张*丰" in text
    assert "张三丰" not in text
    assert "桃元村" in text
    assert "1850.00元/月" in text
    assert id_number not in text
    assert id_number[-4:] not in text
    assert not re.search(r"\d{15,18}", text)


def test_publicity_page_shows_masked_rows_of_the_users_town_only(
    walk, officer_a, officer_b, dibao_household, client
):
    walk(dibao_household, to="publicity")
    client.force_login(officer_a)
    html = client.get(reverse("assistance:publicity")).content.decode()
    assert "张*丰" in html and "张三丰" not in html

    client.force_login(officer_b)
    html = client.get(reverse("assistance:publicity") + "?town=340521104").content.decode()
    assert "张*丰" not in html
    assert client.get(reverse("assistance:publicity_pdf") + "?town=340521104").status_code == 404


# --- pages across regions ---------------------------------------------------------------------


def test_inbox_lists_the_towns_cases_and_not_the_others(
    walk, officer_a, officer_b, dibao_household, client
):
    walk(dibao_household, to="accepted")
    client.force_login(officer_a)
    html = client.get(reverse("assistance:inbox")).content.decode()
    assert "张三丰" in html and "开始入户调查" in html

    client.force_login(officer_b)
    assert "张三丰" not in client.get(reverse("assistance:inbox")).content.decode()


def test_case_page_of_another_town_is_not_found(walk, officer_b, dibao_household, client):
    app = walk(dibao_household, to="submitted")
    client.force_login(officer_b)
    assert client.get(reverse("assistance:case", args=[app.public_id])).status_code == 404


def test_inbox_filters_by_step_and_exports_xlsx(walk, officer_a, dibao_household, client):
    from io import BytesIO

    from openpyxl import load_workbook

    walk(dibao_household, to="accepted")
    client.force_login(officer_a)
    assert "张三丰" not in client.get(reverse("assistance:inbox") + "?step=county").content.decode()

    resp = client.get(reverse("assistance:inbox_export") + "?step=investigate")

    assert resp.status_code == 200
    rows = list(load_workbook(BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "申请人"
    assert [r[0] for r in rows[1:]] == ["张三丰"]
    assert rows[1][6] == "已受理"


def test_inbox_page_needs_the_assistance_permission(make_user, client):
    hotline = make_user("hotline", "hotline_operator", "340521")
    client.force_login(hotline)
    assert client.get(reverse("assistance:inbox")).status_code == 403


def test_inbox_queries_do_not_grow_with_the_cases(
    walk, officer_a, dibao_household, client, django_assert_max_num_queries
):
    walk(dibao_household, to="accepted")
    client.force_login(officer_a)
    client.get(reverse("assistance:inbox"))  # warm caches
    with django_assert_max_num_queries(25):
        client.get(reverse("assistance:inbox"))


def test_application_form_submits_through_the_page(cadre_a, dibao_household, client):
    client.force_login(cadre_a)
    data = {
        "household": dibao_household.public_id,
        "applicant": dibao_household.head.public_id,
        "programme": "dibao",
        "channel": "village_cadre",
        "commitment_signed_on": days_ago(0).isoformat(),
        "authorisation_signed_on": days_ago(0).isoformat(),
    }
    resp = client.post(reverse("assistance:application_create"), data)

    app = Application.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("assistance:case", args=[app.public_id])


def test_assess_endpoint_returns_the_explanation_lines(cadre_a, dibao_household, client):
    client.force_login(cadre_a)
    data = {"household": dibao_household.public_id, "programme": "dibao"}

    html = client.post(reverse("assistance:assess"), data).content.decode()

    assert "符合条件" in html
    assert "共同生活的家庭成员共 3 人" in html


def test_assess_endpoint_does_not_reach_another_region(officer_b, dibao_household, client):
    client.force_login(officer_b)
    data = {"household": dibao_household.public_id, "programme": "dibao"}
    html = client.post(reverse("assistance:assess"), data).content.decode()
    assert "符合条件" not in html
    assert "记录不存在或无权访问" in html
