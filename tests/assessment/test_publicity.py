"""Publicity sites (人口文化宣传阵地): counted under regular work, entered by assessors, photos
validated by their content and served only within scope."""
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from assessment.models import AnnualScore, PublicityPhoto, PublicitySite, Scheme
from assessment.services.scoring import scores_recompute, year_close

from .factories import PublicitySiteFactory, RegularCheckFactory, YearEndScoreFactory

D = Decimal
YEAR = datetime.date.today().year


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_sites_built_this_year_count_under_regular_work(township_a, township_b):
    """Default scheme: publicity 10% of the regular part, target 2. Checks 18/20 = 90 everywhere.
    A: 1 site (50%) → 90 × 90% + 50 × 10% = 86.00. B: 2 sites this year (100%) → 81 + 10 = 91.00;
    its site from last year and the one still being built do not count. C: no site → 81.00."""
    from ..factories import TownshipFactory

    township_c = TownshipFactory(code="411099003", name="西关镇")
    for town in (township_a, township_b, township_c):
        RegularCheckFactory(township=town, check_date=datetime.date(YEAR, 1, 2), score=D(18), maximum=D(20))
    PublicitySiteFactory(township=township_a, completion_date=datetime.date(YEAR, 1, 3))
    PublicitySiteFactory(township=township_b, completion_date=datetime.date(YEAR, 1, 3))
    PublicitySiteFactory(township=township_b, completion_date=datetime.date(YEAR, 1, 4))
    PublicitySiteFactory(township=township_b, completion_date=datetime.date(YEAR - 1, 6, 1))
    PublicitySiteFactory(township=township_b, status="building", completion_date=None)
    scores_recompute(year=YEAR)
    got = {r.township.name: (r.regular_part, r.publicity_done) for r in AnnualScore.objects.filter(year=YEAR)}
    assert got == {"城关镇": (D("86.00"), 1), "东关街道": (D("91.00"), 2), "西关镇": (D("81.00"), 0)}


def site_post(township, **overrides):
    data = {"township": township.pk, "name": "幸福路人口文化街", "kind": "street", "location": "幸福路",
            "status": "done", "completion_date": datetime.date(YEAR, 1, 1).isoformat(), "notes": ""}
    data.update(overrides)
    return data


def test_assessor_registers_a_site_and_the_score_follows(client_for, assessor, township_a):
    RegularCheckFactory(township=township_a, check_date=datetime.date(YEAR, 1, 1), score=D(20), maximum=D(20))
    scores_recompute(year=YEAR)
    assert AnnualScore.objects.get(year=YEAR, township=township_a).regular_part == D("90.00")  # 100 × 90% + 0 × 10%
    response = client_for(assessor).post(reverse("assessment:publicity_create"), site_post(township_a))
    site = PublicitySite.objects.get()
    assert response.status_code == 302 and response["Location"] == site.get_absolute_url()
    assert AnnualScore.objects.get(year=YEAR, township=township_a).regular_part == D("95.00")  # 100 × 90% + 50 × 10%


def test_done_without_a_date_is_refused_and_the_form_keeps_the_input(client_for, assessor, township_a):
    response = client_for(assessor).post(reverse("assessment:publicity_create"),
                                         site_post(township_a, completion_date=""))
    assert response.status_code == 200 and "已建成的阵地须填写建成日期" in response.content.decode()
    assert "幸福路人口文化街" in response.content.decode() and not PublicitySite.objects.exists()


def test_a_site_counted_in_a_closed_year_cannot_be_moved(client_for, assessor, township_a, leader):
    last = YEAR - 1
    Scheme.objects.create(year=last)
    RegularCheckFactory(township=township_a, check_date=datetime.date(last, 3, 1))
    YearEndScoreFactory(township=township_a, year=last)
    site = PublicitySiteFactory(township=township_a, completion_date=datetime.date(last, 5, 1))
    year_close(year=last, by=leader)
    response = client_for(assessor).post(reverse("assessment:publicity_edit", args=[site.pk]),
                                         site_post(township_a, status="building", completion_date=""))
    assert response.status_code == 200 and "已关闭" in response.content.decode()
    site.refresh_from_db()
    assert site.status == "done"
    # A change that does not touch the score (its notes) is fine.
    ok = client_for(assessor).post(reverse("assessment:publicity_edit", args=[site.pk]), site_post(
        township_a, name=site.name, status="done", completion_date=site.completion_date.isoformat(), notes="已验收"))
    assert ok.status_code == 302


@pytest.mark.parametrize("who", ["leader", "clerk_a", "bureau_staff"])
def test_sites_are_entered_by_assessors_only(request, client_for, who, township_a):
    response = client_for(request.getfixturevalue(who)).post(reverse("assessment:publicity_create"),
                                                              site_post(township_a))
    assert response.status_code == 403 and not PublicitySite.objects.exists()


def test_photo_upload_is_validated_by_content_and_stored(client_for, assessor, township_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    site = PublicitySiteFactory(township=township_a)
    client = client_for(assessor)
    url = reverse("assessment:photo_upload", args=[site.pk])
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'not an image'; ?>", content_type="image/jpeg")
    refused = client.post(url, {"image": fake})
    assert refused.status_code == 400 and "文件不是有效的图片" in refused.content.decode()
    truncated = SimpleUploadedFile("photo.png", png_bytes()[:60], content_type="image/png")
    assert client.post(url, {"image": truncated}).status_code == 400
    assert not PublicityPhoto.objects.exists()
    good = SimpleUploadedFile("../../evil name.gif", png_bytes(), content_type="application/octet-stream")
    assert client.post(url, {"image": good, "caption": "街景"}).status_code == 302
    photo = PublicityPhoto.objects.get()
    assert photo.extension == "png" and (photo.width, photo.height) == (40, 30)
    assert photo.image.name.startswith(f"assessment/publicity/{site.pk}/") and "evil" not in photo.image.name
    served = client.get(photo.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as stored:  # re-encoded, same picture
        assert stored.format == "PNG" and stored.size == (40, 30) and stored.getpixel((0, 0)) == (200, 30, 30)


def test_photos_and_sites_of_another_township_answer_404_to_a_clerk(client_for, assessor, clerk_a, township_b,
                                                                     settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    site = PublicitySiteFactory(township=township_b)
    client_for(assessor).post(reverse("assessment:photo_upload", args=[site.pk]),
                              {"image": SimpleUploadedFile("a.png", png_bytes())})
    photo = PublicityPhoto.objects.get()
    clerk = client_for(clerk_a)
    assert clerk.get(site.get_absolute_url()).status_code == 404
    assert clerk.get(photo.get_absolute_url()).status_code == 404
    assert clerk.get(reverse("assessment:publicity_list"), {"township": township_b.pk}).status_code == 404


def test_clerk_lists_own_sites_only(client_for, clerk_a, township_a, township_b):
    PublicitySiteFactory(township=township_a, name="本镇阵地")
    PublicitySiteFactory(township=township_b, name="外镇阵地")
    html = client_for(clerk_a).get(reverse("assessment:publicity_list")).content.decode()
    assert "本镇阵地" in html and "外镇阵地" not in html


def test_site_list_query_count_is_constant(client_for, leader, township_a, django_assert_num_queries):
    from ..households.querycount import REQUEST

    PublicitySiteFactory(township=township_a)
    client = client_for(leader)
    client.get(reverse("assessment:publicity_list"))
    with django_assert_num_queries(REQUEST + 4) as first:
        client.get(reverse("assessment:publicity_list"))
    for _ in range(10):
        PublicitySiteFactory(township=township_a)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("assessment:publicity_list"))


def test_the_township_page_shows_highlight_progress_against_the_target(client_for, leader, township_a):
    """亮点: highlight, publicity street and upgrade sites built this year count; a board does not."""
    year = datetime.date.today().year
    Scheme.objects.create(year=year, publicity_target=2)
    for kind in (PublicitySite.Kind.UPGRADE, PublicitySite.Kind.BOARD):
        PublicitySiteFactory(township=township_a, kind=kind, completion_date=datetime.date(year, 1, 1))
    response = client_for(leader).get(reverse("assessment:township", args=[township_a.pk, year]))
    assert response.context["highlights_done"] == 1
    assert "已建成 1 个 / 年度目标 2 个" in response.content.decode()
