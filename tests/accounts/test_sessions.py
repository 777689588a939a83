"""Sessions: the idle timeout without a database write per request (accounts/sessions.py)."""
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.sessions import REFRESHED_KEY

pytestmark = pytest.mark.django_db


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_page_views_within_a_minute_neither_read_nor_write_the_session_table(client_for, clerk_a):
    client = client_for(clerk_a)
    before = expiry(client)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert expiry(client) == before


def test_a_page_view_after_the_refresh_interval_moves_the_expiry(client_for, clerk_a, settings):
    client = client_for(clerk_a)
    before = expiry(client)
    session = client.session
    session[REFRESHED_KEY] = 0  # last written long ago
    session.save()
    client.get("/")
    assert expiry(client) > before
    assert client.session[REFRESHED_KEY] > 0


def test_a_session_past_its_idle_timeout_is_logged_out(client_for, clerk_a):
    client = client_for(clerk_a)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date="2000-01-01T00:00:00Z")
    from django.core.cache import cache

    cache.clear()  # the cached copy expires with the same age; drop it as Redis would
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
