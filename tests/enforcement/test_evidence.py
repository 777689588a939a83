"""Evidence files: type and size checked by content, SHA-256 stored and verified, access and audit."""

import hashlib
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent
from enforcement.models import Evidence, evidence_storage

from . import files
from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]


@pytest.fixture
def case(inspector, township_a):
    return make_case(township=township_a, by=inspector, status="investigating")


def upload(
    client, case, name, content, *, field="file", description="现场照片", content_type="application/octet-stream"
):
    return client.post(
        reverse("enforcement:evidence_upload", args=[case.pk]),
        {field: SimpleUploadedFile(name, content, content_type=content_type), "description": description},
    )


@pytest.mark.parametrize(
    ("name", "builder", "kind", "mime"),
    [
        ("笔录.pdf", files.pdf, "pdf", "application/pdf"),
        ("IMG_0001.JPG", files.jpeg, "jpeg", "image/jpeg"),
        ("现场.png", files.png, "png", "image/png"),
        ("询问笔录.xlsx", files.xlsx, "excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("说明.docx", files.docx, "word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("旧文档.doc", files.ole2, "office_legacy", "application/msword"),
        ("no-extension", files.png, "png", "image/png"),
    ],
)
def test_accepted_types_are_stored_with_their_sha256(client_for, inspector, case, media, name, builder, kind, mime):
    content = builder()
    response = upload(client_for(inspector), case, name, content)

    assert response.status_code == 302
    evidence = Evidence.objects.get(case=case)
    assert (evidence.kind, evidence.content_type, evidence.size, evidence.original_name) == (
        kind,
        mime,
        len(content),
        name,
    )
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == inspector
    # Stored under a random name in the evidence storage, never under the uploaded name.
    [path] = stored_files(media)
    assert name not in path
    if kind in ("jpeg", "png"):  # photos are stored re-encoded (core.images): the same picture
        with Image.open(path) as stored:
            assert stored.format == kind.upper() and stored.size == Image.open(io.BytesIO(content)).size
    else:
        assert open(path, "rb").read() == content
    assert AuditEvent.objects.filter(action="create", object_type="enforcement.evidence").count() == 1


def test_photo_from_the_camera_field_is_accepted(client_for, inspector, case):
    response = upload(client_for(inspector), case, "image.jpg", files.jpeg(), field="photo")
    assert response.status_code == 302
    assert Evidence.objects.get(case=case).kind == "jpeg"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", files.exe(), "不支持的文件类型"),  # an executable renamed .pdf
        ("setup.exe", files.exe(), "不支持的文件类型"),
        ("照片.pdf", files.png(), "文件内容与扩展名不符"),  # a PNG posing as a PDF
        ("报告.jpg", files.pdf(), "文件内容与扩展名不符"),
        ("半截.png", files.png()[:40], "不支持的文件类型"),  # truncated: no IEND
        ("未完.pdf", b"%PDF-1.4\n1 0 obj", "不支持的文件类型"),  # no trailer
        ("宏.docx", files.docx(macros=True), "含宏"),
        ("压缩包.docx", files.ooxml("other/thing.xml"), "不支持的文件类型"),  # a zip, but no Word document inside
        ("page.html", b"<html><script>alert(1)</script></html>", "不支持的文件类型"),
        ("空.pdf", b"", "空文件"),  # Django's own check on the form field
    ],
)
def test_refused_files_store_nothing(client_for, inspector, case, media, name, content, message):
    response = upload(client_for(inspector), case, name, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    # What was typed is kept.
    assert 'value="现场照片"' in response.content.decode()


def test_too_large_is_refused_before_anything_is_stored(client_for, inspector, case, media, settings):
    settings.ENFORCEMENT_EVIDENCE_MAX_BYTES = 1024 * 1024
    content = files.pdf(extra=b"%" + b"x" * (1024 * 1024) + b"\n")
    response = upload(client_for(inspector), case, "大文件.pdf", content)
    assert "文件过大" in response.content.decode() and "1 MB" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_a_file_or_a_photo_is_required_and_only_one(client_for, inspector, case):
    client = client_for(inspector)
    response = client.post(reverse("enforcement:evidence_upload", args=[case.pk]), {"description": "x"})
    assert "请拍一张照片或选择一个文件" in response.content.decode()
    response = client.post(
        reverse("enforcement:evidence_upload", args=[case.pk]),
        {
            "description": "x",
            "photo": SimpleUploadedFile("a.jpg", files.jpeg()),
            "file": SimpleUploadedFile("b.pdf", files.pdf()),
        },
    )
    assert "一次一个" in response.content.decode()
    assert not Evidence.objects.exists()


def test_closed_case_takes_no_more_evidence(client_for, inspector, township_a):
    closed = make_case(township=township_a, by=inspector, status="closed")
    response = client_for(inspector).get(reverse("enforcement:evidence_upload", args=[closed.pk]))
    assert response.status_code == 200
    response = upload(client_for(inspector), closed, "a.pdf", files.pdf())
    assert "案件已办结" in response.content.decode()
    assert not Evidence.objects.exists()


def _attached(client, case, content=None):
    upload(client, case, "现场.png", content or files.png())
    return Evidence.objects.get(case=case)


def test_download_verifies_the_hash_and_is_audited(client_for, inspector, case):
    client = client_for(inspector)
    content = files.png(3, 3)
    evidence = _attached(client, case, content)

    response = client.get(reverse("enforcement:evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:  # the re-encoded copy
        assert served.size == (3, 3) and served.getpixel((0, 0)) == (0xCC, 0x22, 0x22)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    row = AuditEvent.objects.filter(object_type="enforcement.evidence", action="view").get()
    assert row.success and row.user == inspector and row.township_id == case.township_id and "verified" in row.detail


def test_tampered_file_is_shown_as_tampered_not_served(client_for, inspector, case):
    client = client_for(inspector)
    evidence = _attached(client, case)
    with open(evidence_storage().path(evidence.file.name), "r+b") as handle:  # someone edits the file on disk
        handle.seek(20)
        handle.write(b"\x00\x01")

    response = client.get(reverse("enforcement:evidence_download", args=[evidence.pk]))

    assert response.status_code == 409
    assert "可能已被篡改" in response.content.decode()
    row = AuditEvent.objects.filter(object_type="enforcement.evidence", action="view").get()
    assert not row.success and "mismatch" in row.detail


def test_missing_file_is_reported_not_a_500(client_for, inspector, case):
    client = client_for(inspector)
    evidence = _attached(client, case)
    os.remove(evidence_storage().path(evidence.file.name))
    assert client.get(reverse("enforcement:evidence_download", args=[evidence.pk])).status_code == 409


def test_leaders_read_the_evidence_list_but_neither_open_nor_upload_files(client_for, inspector, leader, case):
    """Evidence files are for inspectors (issue #22): the leader sees what there is, not the file."""
    evidence = _attached(client_for(inspector), case)
    client = client_for(leader)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="evidence-item"' in page and evidence.description in page and evidence.sha256[:16] in page
    assert 'data-testid="download"' not in page
    assert reverse("enforcement:evidence_download", args=[evidence.pk]) not in page
    assert client.get(reverse("enforcement:evidence_download", args=[evidence.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="denied", user=leader).exists()
    assert not AuditEvent.objects.filter(action="view", user=leader, object_type="enforcement.evidence").exists()
    assert upload(client, case, "b.pdf", files.pdf()).status_code == 403
    assert Evidence.objects.count() == 1


def test_the_inspector_sees_the_download_link(client_for, inspector, case):
    client = client_for(inspector)
    evidence = _attached(client, case)
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("enforcement:evidence_download", args=[evidence.pk]) in page


@pytest.mark.parametrize("role", ["clerk_a", "bureau_staff", "clinician", "auditor", "admin"])
def test_other_roles_cannot_download_or_upload(client_for, cast, inspector, case, role):
    evidence = _attached(client_for(inspector), case)
    client = client_for(cast[role])
    assert client.get(reverse("enforcement:evidence_download", args=[evidence.pk])).status_code == 403
    assert upload(client, case, "b.pdf", files.pdf()).status_code == 403
    assert Evidence.objects.count() == 1
    denied = AuditEvent.objects.filter(action="denied", user=cast[role])
    assert denied.exists()


def test_unknown_evidence_is_404(client_for, inspector):
    assert client_for(inspector).get(reverse("enforcement:evidence_download", args=[999999])).status_code == 404


def test_evidence_storage_is_configurable(client_for, inspector, case, settings, tmp_path, media):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "vault")},
        },
    }
    settings.ENFORCEMENT_EVIDENCE_STORAGE = "evidence"
    client = client_for(inspector)
    evidence = _attached(client, case)
    assert stored_files(tmp_path / "vault") and stored_files(media) == []
    assert client.get(reverse("enforcement:evidence_download", args=[evidence.pk])).status_code == 200
