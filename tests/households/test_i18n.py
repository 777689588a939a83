"""The register's pages in English: labels, values and the punctuation between them."""
from django.urls import reverse

from ..factories import RegisterCoupleFactory


def test_couple_page_in_english_uses_ascii_punctuation(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a)
    client = client_for(clerk_a)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("households:couple_detail", args=[couple.pk])).content.decode()

    assert f"Wife: {couple.wife.name}" in html
    assert "：" not in html.replace(couple.household.address, "")


def test_couple_page_in_chinese_uses_full_width_punctuation(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a)

    html = client_for(clerk_a).get(reverse("households:couple_detail", args=[couple.pk])).content.decode()

    assert f"妻子：{couple.wife.name}" in html
