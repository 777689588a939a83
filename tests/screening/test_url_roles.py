"""Every screening URL × every role of the cast answers as url_roles.py says."""
import datetime

import pytest
from django.urls import reverse

from screening.services.followups import outcome_follow_up_record, prenatal_screening_record

from .helpers import assessed, pregnant
from .url_roles import POST_ONLY, ROLES, URL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(couple_a, clinician):
    today = datetime.date.today()
    screening = assessed(couple_a, clinician, exam_date=today - datetime.timedelta(days=150))
    lmp = today - datetime.timedelta(days=84)
    early = pregnant(screening, clinician, lmp=lmp, followed_on=today - datetime.timedelta(days=20))
    prenatal = prenatal_screening_record(screening=screening, by=clinician, test="nt", tested_on=today,
                                         gestational_weeks=12, gestational_days=0, result="high")
    outcome = outcome_follow_up_record(screening=screening, by=clinician, followed_on=today, result="3")
    return {"couple": couple_a, "screening": screening, "early": early, "prenatal": prenatal, "outcome": outcome}


def test_every_screening_url_is_in_the_table():
    from screening.urls import urlpatterns

    assert {f"screening:{p.name}" for p in urlpatterns} == set(URL_ROLES) | set(POST_ONLY)


@pytest.mark.parametrize("role", ROLES)
def test_url_role_table(client_for, cast, objects, role):
    client = client_for(cast[role])
    for name, (arg, expected) in {**URL_ROLES, **POST_ONLY}.items():
        url = reverse(name, args=[objects[arg].pk] if arg else [])
        if name.startswith("screening:rate_list_"):
            url += "?start=2025-01-01&end=2026-01-01"
        assert client.get(url).status_code == expected[role], (name, role)


def test_every_screening_url_refuses_a_wrong_method(client_for, clinician, objects):
    client = client_for(clinician)
    for name, (arg, _expected) in {**URL_ROLES, **POST_ONLY}.items():
        url = reverse(name, args=[objects[arg].pk] if arg else [])
        assert client.put(url).status_code == 405, name
