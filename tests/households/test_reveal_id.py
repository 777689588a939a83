"""显示完整号码: detail pages mask ID numbers; a clerk of the person's township reveals one on purpose
(POST, its own audit row, never cached). Other township: 404; bureau staff and other roles: 403."""
import pytest

from accounts.models import AuditEvent
from accounts.validators import mask_id_number
from tests.factories import CoupleFactory, HouseholdFactory, PersonFactory, WorkGroupFactory


def url(person) -> str:
    return f"/households/members/{person.pk}/id-number/"


@pytest.fixture
def person_a(village_a):
    return PersonFactory(household=HouseholdFactory(village=village_a), name="林娜", sex="2")


def reveal_rows(person):
    return AuditEvent.objects.filter(
        object_type="households.person", object_id=str(person.pk), detail="viewed full ID number")


def test_clerk_reveals_a_full_id_number_with_its_own_audit_row_and_no_store(client_for, clerk_a, person_a):
    household = person_a.household
    response = client_for(clerk_a).post(url(person_a), {"next": f"/households/{household.pk}/"})

    assert response.status_code == 200
    page = response.content.decode()
    assert person_a.id_number in page
    assert 'data-testid="full-id"' in page
    # Sex and age stay beside it: what a visit needs.
    assert "女" in page and f"{person_a.age} 岁" in page
    # Back to where the clerk came from.
    assert f'href="/households/{household.pk}/" data-testid="back"' in page
    assert "no-store" in response["Cache-Control"]
    row = reveal_rows(person_a).get()
    assert (row.action, row.user, row.township_id, row.success) == ("view", clerk_a, household.township_id, True)


def test_detail_pages_show_the_number_masked_with_the_reveal_button(client_for, clerk_a, village_a):
    couple = CoupleFactory(household=HouseholdFactory(village=village_a))
    client = client_for(clerk_a)

    for page_url in (f"/households/{couple.household_id}/", f"/households/couples/{couple.pk}/"):
        page = client.get(page_url).content.decode()
        assert couple.wife.id_number not in page
        assert mask_id_number(couple.wife.id_number) in page
        assert f'action="/households/members/{couple.wife.pk}/id-number/"' in page
        assert 'data-testid="reveal-id"' in page
    # Opening the pages is audited as a view, but no number was revealed.
    assert not reveal_rows(couple.wife).exists()


def test_bureau_staff_see_masked_numbers_and_may_not_reveal(client_for, bureau_staff, person_a, village_a):
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    client = client_for(bureau_staff)

    page = client.get(f"/households/{person_a.household_id}/").content.decode()
    assert person_a.id_number not in page
    assert mask_id_number(person_a.id_number) in page
    assert 'data-testid="reveal-id"' not in page

    response = client.post(url(person_a))
    assert response.status_code == 403
    assert person_a.id_number not in response.content.decode()
    assert not reveal_rows(person_a).exists()
    assert AuditEvent.objects.filter(action="denied", user=bureau_staff).exists()


@pytest.mark.parametrize("who", ["clinician", "inspector", "leader", "auditor", "admin_user"])
def test_other_roles_may_not_reveal(request, client_for, person_a, who):
    response = client_for(request.getfixturevalue(who)).post(url(person_a))
    assert response.status_code == 403
    assert person_a.id_number not in response.content.decode()
    assert not reveal_rows(person_a).exists()


def test_clerk_of_another_township_gets_404(client_for, clerk_b, person_a):
    response = client_for(clerk_b).post(url(person_a))

    assert response.status_code == 404
    assert person_a.id_number not in response.content.decode()
    assert not reveal_rows(person_a).exists()
    person_a.refresh_from_db()  # nothing about the person changed
    assert person_a.name == "林娜"


def test_reveal_is_post_only(client_for, clerk_a, person_a):
    # A link or a prefetch must not reveal (nor log) a number.
    response = client_for(clerk_a).get(url(person_a))
    assert response.status_code == 405
    assert not reveal_rows(person_a).exists()


@pytest.mark.parametrize("target", ["abc", "https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_reveal_back_link_stays_on_the_site(client_for, clerk_a, person_a, target):
    response = client_for(clerk_a).post(url(person_a), {"next": target})
    assert response.status_code == 200
    assert f'href="{person_a.get_absolute_url()}" data-testid="back"' in response.content.decode()
