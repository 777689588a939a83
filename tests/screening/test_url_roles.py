"""Every screening URL refuses a wrong method (the GET answers per role are in url_roles.py, run by
tests/security/test_url_roles.py with every other app's)."""
import pytest
from django.urls import reverse

from screening.urls import urlpatterns

from .url_roles import URLS, build


def test_every_screening_url_is_in_the_table():
    assert {f"screening:{p.name}" for p in urlpatterns} <= set(URLS)


@pytest.mark.django_db
def test_every_screening_url_refuses_a_wrong_method(client_for, cast, couple_a, clinician):
    from types import SimpleNamespace

    world = SimpleNamespace(**cast, couple_a=couple_a)
    build(world)
    client = client_for(clinician)
    for name, entry in URLS.items():
        if not name.startswith("screening:"):
            continue
        url = reverse(name, kwargs=entry.kwargs(world) if entry.kwargs else None)
        assert client.put(url).status_code == 405, name
