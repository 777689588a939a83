"""Hostile uploads through the import page (issue #8): refused with a Chinese message on the form,
quickly, and nothing stored — no batch, no audit row of a preview."""
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from households.models import ImportBatch

from ..core.test_excel_reader import package

UPLOAD = reverse("households:import_upload")
ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


def bomb_shared_strings():
    return package(ROW, shared=("<si><t>" + "村" * 300_000 + "</t></si>" for _ in range(200)))


def bomb_tiny_strings():
    return package(ROW, shared=("<si><t>a</t></si>" * 100_000 for _ in range(100)))


def huge_cell():
    return package('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 10_000 + "</t></is></c></row>")


def far_column():
    return package('<row r="1"><c r="A1"><v>1</v></c><c r="ZZ1"><v>2</v></c></row>')


@pytest.mark.parametrize("build, message", [
    (bomb_shared_strings, "解压后过大"), (bomb_tiny_strings, "解压后过大"), (huge_cell, "内容过长"),
    (far_column, "最多读取 60 列"),
])
def test_hostile_workbook_is_refused_on_the_form_and_nothing_is_stored(client_for, clerk_a, village_a, build,
                                                                       message):
    content = build()
    assert len(content) < 5 * 1024 * 1024
    started = time.monotonic()
    response = client_for(clerk_a).post(UPLOAD, {"file": SimpleUploadedFile("摸底表.xlsx", content)})
    assert time.monotonic() - started < 10
    assert response.status_code == 200 and message in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not AuditEvent.objects.filter(object_type="households.importbatch").exists()
