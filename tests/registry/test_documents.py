"""Uploaded documents: type by content sniffing, 10 MB limit, stored under MEDIA_ROOT, scoped."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.core.exceptions import DomainError
from minzheng.core.models import AuditEvent
from minzheng.registry import services
from minzheng.registry.models import Document

from .factories import HouseholdFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n" + b"0" * 100
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
MB = 1024 * 1024


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("低保申请书.pdf", PDF, "application/pdf"),
        ("户口本.PNG", PNG, "image/png"),
        ("照片.jpeg", JPG, "image/jpeg"),
    ],
)
def test_pdf_png_and_jpg_are_stored_under_media_root(officer_a, settings, name, data, kind):
    household = HouseholdFactory()
    doc = services.document_upload(
        actor=officer_a, household=household, upload=upload(name, data), title="材料"
    )
    path = Path(doc.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == data
    assert doc.content_type == kind
    assert name not in path.name  # stored under a random name
    assert AuditEvent.objects.filter(action="registry.document.upload").count() == 1


def test_a_text_file_named_pdf_is_refused(officer_a):
    household = HouseholdFactory()
    with pytest.raises(DomainError, match="只能上传 PDF、JPG 或 PNG"):
        services.document_upload(
            actor=officer_a,
            household=household,
            upload=upload("x.pdf", b"<html>hi</html>"),
            title="假PDF",
        )
    assert not Document.objects.exists()


def test_an_executable_is_refused_whatever_the_browser_says(officer_a):
    household = HouseholdFactory()
    with pytest.raises(DomainError, match="只能上传"):
        services.document_upload(
            actor=officer_a,
            household=household,
            upload=upload("scan.png", b"MZ\x90\x00" + b"\x00" * 50, "image/png"),
            title="x",
        )


def test_a_png_named_pdf_is_refused_as_a_mismatch(officer_a):
    household = HouseholdFactory()
    with pytest.raises(DomainError, match=r"扩展名 \.pdf 与文件内容（PNG）不符"):
        services.document_upload(
            actor=officer_a, household=household, upload=upload("x.pdf", PNG), title="x"
        )


def test_a_file_over_10_mb_is_refused(officer_a):
    household = HouseholdFactory()
    with pytest.raises(DomainError, match="不能超过 10 MB"):
        services.document_upload(
            actor=officer_a,
            household=household,
            upload=upload("big.pdf", b"%PDF-" + b"0" * (10 * MB)),
            title="大文件",
        )
    assert not Document.objects.exists()


def test_a_file_of_exactly_10_mb_is_accepted(officer_a):
    household = HouseholdFactory()
    data = b"%PDF-" + b"0" * (10 * MB - 5)
    doc = services.document_upload(
        actor=officer_a, household=household, upload=upload("ok.pdf", data), title="刚好10MB"
    )
    assert doc.size == 10 * MB


def test_upload_through_the_household_page(login_as, officer_a):
    household = HouseholdFactory()
    client = login_as(officer_a)
    resp = client.post(
        f"/registry/households/{household.public_id}/documents/",
        {"title": "残疾证复印件", "file": upload("c.png", PNG, "image/png")},
    )
    assert resp.status_code == 302
    html = client.get(f"/registry/households/{household.public_id}/").content.decode()
    assert "残疾证复印件" in html
    assert "上传材料：残疾证复印件" in html  # history


def test_a_refused_upload_shows_the_reason(login_as, officer_a):
    household = HouseholdFactory()
    resp = login_as(officer_a).post(
        f"/registry/households/{household.public_id}/documents/",
        {"title": "x", "file": upload("x.pdf", b"not a pdf at all")},
    )
    assert resp.status_code == 400
    assert "只能上传 PDF、JPG 或 PNG 文件" in resp.content.decode()


@pytest.fixture
def document(officer_a):
    household = HouseholdFactory()
    return services.document_upload(
        actor=officer_a, household=household, upload=upload("a.pdf", PDF), title="申请书"
    )


def test_documents_of_another_town_cannot_be_downloaded(login_as, officer_b, document):
    resp = login_as(officer_b).get(f"/registry/documents/{document.public_id}/")
    assert resp.status_code == 404
    assert not AuditEvent.objects.filter(action="registry.document.open").exists()


def test_document_download_is_audited_and_not_sniffable(login_as, officer_a, document):
    resp = login_as(officer_a).get(f"/registry/documents/{document.public_id}/")
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == PDF
    assert resp["Content-Type"] == "application/pdf"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action="registry.document.open", actor_id=officer_a.pk
    ).exists()
