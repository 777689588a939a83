"""One checker for uploaded images (core.images, issue #22 findings 1 and 2): a decompression bomb
is refused from its header before any pixel is decoded, and what is stored is re-encoded (no
metadata, no polyglot payload) while the record keeps the SHA-256 of what was uploaded."""
import hashlib
import io
import json
import os
import subprocess  # nosec B404 - runs this project's Python on a script of this test
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent
from assessment.models import PublicityPhoto
from core.images import RefusedImage, checked_image
from enforcement.models import Evidence, evidence_storage
from tests.assessment.conftest import assessor  # noqa: F401 - the granted assessor fixture
from tests.assessment.factories import PublicitySiteFactory
from tests.enforcement import files
from tests.enforcement.factories import make_case

ROOT = Path(__file__).resolve().parents[2]
POLYGLOT = b"<html><body><script>alert(document.cookie)</script></body></html>"

# Runs in a fresh interpreter so its peak memory (ru_maxrss) is the check's alone.
MEASURE = """
import json, os, resource, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from assessment.forms import PhotoForm
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
form = PhotoForm(data={"caption": ""}, files={"image": SimpleUploadedFile("bomb.png", data)})
valid = form.is_valid()
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"valid": valid, "grew_kb": grew, "errors": form.errors.get("image", [])}))
"""


@pytest.mark.parametrize("side", [13000, 7500])  # past the longest side; within it, past the pixel count
def test_a_png_bomb_is_refused_before_it_is_decoded(tmp_path, side):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(files.png_bomb(side))
    result = subprocess.run(  # nosec B603 - our own interpreter and script
        [sys.executable, "-c", MEASURE, str(bomb)], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert not measured["valid"] and "照片尺寸过大" in measured["errors"][0], measured
    # Decoded, the 13,000² image is about 500 MB (7,500²: 170 MB); refused from the header: nothing like it.
    assert measured["grew_kb"] < 40 * 1024, measured


def test_pillows_own_limit_is_the_projects(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.UPLOAD_IMAGE_MAX_PIXELS


def test_the_checker_refuses_a_bomb_by_its_header_and_reencodes_a_photo():
    with pytest.raises(RefusedImage, match="照片尺寸过大"):
        checked_image(files.png_bomb(7500))
    original = files.jpeg(64, 48, comment=POLYGLOT, exif=files.gps_exif())
    image = checked_image(original)
    assert (image.format, image.width, image.height) == ("JPEG", 64, 48)
    assert image.original_sha256 == hashlib.sha256(original).hexdigest() and image.original_size == len(original)
    assert b"<script" in original and b"<script" not in image.content
    with Image.open(io.BytesIO(image.content)) as clean:
        assert not clean.getexif() and "comment" not in clean.info


@pytest.mark.django_db
def test_evidence_photo_is_stored_reencoded_and_keeps_the_uploads_sha256(client_for, inspector, township_a,
                                                                          settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(township=township_a, by=inspector, status="investigating")
    original = files.jpeg(64, 48, comment=POLYGLOT, exif=files.gps_exif())
    client = client_for(inspector)

    response = client.post(reverse("enforcement:evidence_upload", args=[case.pk]), {
        "file": SimpleUploadedFile("现场.jpg", original), "description": "B超室现场照片"})

    assert response.status_code == 302
    evidence = Evidence.objects.get(case=case)
    assert evidence.sha256 == hashlib.sha256(original).hexdigest() and evidence.size == len(original)
    stored = evidence_storage().open(evidence.file.name, "rb").read()
    assert b"<script" not in stored and b"PhoneMaker" not in stored and stored != original
    with Image.open(io.BytesIO(stored)) as clean:
        assert clean.size == (64, 48) and not clean.getexif()
    download = client.get(reverse("enforcement:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == stored  # verified, served
    assert AuditEvent.objects.filter(object_type="enforcement.evidence", detail__contains="sha256 verified").exists()


@pytest.mark.django_db
def test_evidence_bomb_is_refused_with_a_message_and_nothing_is_stored(client_for, inspector, township_a,
                                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(township=township_a, by=inspector, status="investigating")
    response = client_for(inspector).post(reverse("enforcement:evidence_upload", args=[case.pk]), {
        "file": SimpleUploadedFile("现场.png", files.png_bomb(13000)), "description": "B超室现场照片"})
    assert response.status_code == 200 and "照片尺寸过大" in response.content.decode()
    assert not Evidence.objects.exists() and not any(tmp_path.rglob("*.png"))


@pytest.mark.django_db
def test_publicity_photo_loses_its_gps_position(client_for, assessor, township_a, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    site = PublicitySiteFactory(township=township_a)
    original = files.jpeg(40, 30, comment=POLYGLOT, exif=files.gps_exif())
    response = client_for(assessor).post(reverse("assessment:photo_upload", args=[site.pk]),
                                         {"image": SimpleUploadedFile("p.jpg", original), "caption": "街景"})
    assert response.status_code == 302
    photo = PublicityPhoto.objects.get()
    stored = photo.image.read()
    assert b"<script" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as clean:
        assert not clean.getexif() and clean.size == (40, 30)
    row = AuditEvent.objects.get(object_type="assessment.publicityphoto", action="create")
    assert hashlib.sha256(original).hexdigest() in row.detail
