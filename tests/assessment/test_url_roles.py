"""Every URL in url_roles.py answers each role of the cast as the table says."""
import pytest
from django.urls import reverse

from .url_roles import URL_ROLES


@pytest.mark.parametrize("url_name", sorted(URL_ROLES))
def test_url_answers_each_role_as_the_table_says(client, cast, url_name):
    got = {}
    for who, user in cast.items():
        client.force_login(user)
        got[who] = client.get(reverse(url_name)).status_code
    assert got == URL_ROLES[url_name]
