"""Every date in a query string goes through core.http.query_date / core.forms.QueryDateField:
an impossible or far date answers a message, never a 500 (issue #22 finding 5)."""
import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import pass_second_factor

BAD = {
    "2026-02-30": "开始日期不是有效的日期",
    "9999-12-31": "开始日期应在 2000-01-01 至 2099-12-31 之间",
    "0001-01-01": "开始日期应在 2000-01-01 至 2099-12-31 之间",
    "2026-13-01": "开始日期不是有效的日期",
    "x" * 5000: "开始日期不是有效的日期",
    "\x00": "开始日期不是有效的日期",
}


def leader_client(leader):
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    pass_second_factor(client, leader)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("start", list(BAD))
def test_drilldown_periods_answer_a_clear_400(leader, township_a, start):
    client = leader_client(leader)
    urls = [
        reverse("screening:rate_list_coverage"),
        reverse("households:indicator_list_visits_recorded") + f"?township={township_a.pk}&",
        reverse("assessment:check_list"),
    ]
    for url in urls:
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url.rstrip('&')}{joiner}start={start}&end=2026-03-01")
        assert response.status_code == 400, (url, response.status_code)
        assert BAD[start] in response.content.decode(), url
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_period_ending_before_it_starts_or_too_long_is_explained(leader, township_a):
    client = leader_client(leader)
    url = reverse("screening:rate_list_coverage")
    assert "结束日期应晚于开始日期" in client.get(f"{url}?start=2026-03-01&end=2026-02-01").content.decode()
    response = client.get(f"{url}?start=2000-01-01&end=2099-01-01")
    assert response.status_code == 400 and "统计期间最长" in response.content.decode()
    assert client.get(f"{url}?start=2026-01-01&end=2026-03-01").status_code == 200


@pytest.mark.django_db
def test_the_check_list_without_a_period_still_lists_every_check(leader):
    assert leader_client(leader).get(reverse("assessment:check_list")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2026-02-30", "9999-12-31", "0001-01-01"])
def test_list_filters_refuse_a_far_or_impossible_date_with_the_fields_message(client_for, clerk_a, value):
    response = client_for(clerk_a).get(reverse("households:visit_list"), {"date_from": value})
    assert response.status_code == 200
    errors = response.context["form"].errors["date_from"]
    assert errors and ("随访日期从" in errors[0]), errors
