"""No value of ``?page=`` is a 500 on any page (issue #22 finding 4), and a page past the end is the
last page. Every URL of the URL × role tables is asked once with a huge page number by a role that
may open it; each one that turns out to be a paged list (its context has a ``page`` with rows) is
then asked with the rest of the hostile values."""
import pytest
from django.test import Client
from django.urls import reverse

from core.pagination import ListPage
from tests.conftest import pass_second_factor

from .test_url_roles import TABLE, world  # noqa: F401 - the shared world fixture
from .url_table import ROLES

HUGE = "999999999999999999"
HOSTILE = ["9" * 40, "99999", "0", "-1", "abc", "²", "1e309", "%00", "last", "1&page=2"]
# Paged lists that must be found (a table that stops reaching them would make this test vacuous).
PAGED_AT_LEAST = 15


def _client(w, role):
    client = Client(raise_request_exception=False)
    user = getattr(w, role)
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def _reader(entry):
    """A role that may open the URL (not the admin site's), or None."""
    return next((role for role in ROLES if role not in ("anonymous",) and entry.expect.get(role) == 200), None)


def _page(response):
    for context in response.context or []:
        page = context.get("page")
        if isinstance(page, ListPage):
            return page
    return None


@pytest.mark.django_db
def test_every_paged_list_answers_any_page_number_with_a_page(world, settings):  # noqa: F811
    settings.HOUSEHOLDS_PAGE_SIZE = 1  # every list with two rows has two pages
    paged, errors = [], []
    for name, entry in sorted(TABLE.items()):
        role = _reader(entry)
        if role is None or name.startswith("admin:"):
            continue
        url = reverse(name, kwargs=entry.kwargs(world) if entry.kwargs else None)
        query = f"{entry.query}&" if entry.query else ""
        client = _client(world, role)
        response = client.get(f"{url}?{query}page={HUGE}")
        if response.status_code >= 500:
            errors.append(f"{url}?page={HUGE} as {role}: {response.status_code}")
            continue
        page = _page(response)
        if page is None:
            continue
        paged.append(name)
        assert not page.has_next(), f"{url}?page={HUGE} is not the last page"
        last = _page(client.get(f"{url}?{query}page=last"))
        assert [getattr(r, "pk", r) for r in page] == [getattr(r, "pk", r) for r in last], url
        for value in HOSTILE:
            status = client.get(f"{url}?{query}page={value}").status_code
            if status >= 500:
                errors.append(f"{url}?page={value!r} as {role}: {status}")
    assert not errors, "\n".join(errors)
    assert len(paged) >= PAGED_AT_LEAST, paged
