"""“已在其他镇/街道登记” tells a clerk something about a person outside their township: every such
answer is audited, and each user gets a limited number of distinct answers an hour (issue #8)."""
import datetime

from django.urls import reverse

from accounts.models import AuditEvent
from households.models import Household, ImportBatch

from ..factories import HouseholdFactory, PersonFactory, id_number
from .test_duplicates import BIRTH, CREATE, NUMBER, create_data
from .test_import_sheet import WIFE_BIRTH, good_row, make_xlsx

UPLOAD = reverse("households:import_upload")


def foreign_people(village_b, n):
    return [PersonFactory(household__village=village_b, sex="2", birth_date=WIFE_BIRTH,
                          id_number=id_number(200 + i, sex="2", birth=WIFE_BIRTH)) for i in range(n)]


def sheet_with(people):
    return make_xlsx([good_row(i + 1, 妻子身份证号=p.id_number) for i, p in enumerate(people)])


def test_each_answer_in_an_import_is_audited_under_the_other_township(client_for, clerk_a, village_a, village_b):
    people = foreign_people(village_b, 2)
    client_for(clerk_a).post(UPLOAD, {"file": sheet_with(people)})

    assert all("已在其他镇/街道登记" in " ".join(r["errors"]) for r in ImportBatch.objects.get().rows)
    events = AuditEvent.objects.filter(action="view", object_type="households.person", success=True)
    assert sorted(int(e.object_id) for e in events) == sorted(p.pk for p in people)
    assert {e.township_id for e in events} == {village_b.township_id}
    assert all(e.user == clerk_a and "(import)" in e.detail for e in events)


def test_over_the_hourly_limit_the_sheet_is_refused_and_nothing_is_stored(client_for, clerk_a, village_a,
                                                                          village_b, settings):
    settings.HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR = 3
    client = client_for(clerk_a)
    client.post(UPLOAD, {"file": sheet_with(foreign_people(village_b, 2))})
    assert ImportBatch.objects.count() == 1

    more = [PersonFactory(household__village=village_b, sex="2", birth_date=WIFE_BIRTH,
                          id_number=id_number(300 + i, sex="2", birth=WIFE_BIRTH)) for i in range(2)]
    response = client.post(UPLOAD, {"file": sheet_with(more)})

    page = response.content.decode()
    assert response.status_code == 200 and "次数已达上限" in page
    assert ImportBatch.objects.count() == 1
    assert AuditEvent.objects.filter(success=False, detail__contains="hourly limit reached").exists()


def test_the_same_answers_again_cost_nothing(client_for, clerk_a, village_a, village_b, settings):
    settings.HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR = 2
    client = client_for(clerk_a)
    sheet_people = foreign_people(village_b, 2)
    for _ in range(3):  # a clerk re-uploading the same corrected sheet
        client.post(UPLOAD, {"file": sheet_with(sheet_people)})
    assert ImportBatch.objects.count() == 3


def test_limit_is_per_user(client_for, clerk_a, village_a, village_b, settings):
    from ..factories import UserFactory

    settings.HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR = 1
    people = foreign_people(village_b, 1)
    colleague = UserFactory(role="clerk", township=clerk_a.township)
    client_for(clerk_a).post(UPLOAD, {"file": sheet_with(people)})
    client_for(colleague).post(UPLOAD, {"file": sheet_with(people)})
    assert ImportBatch.objects.count() == 2


def test_registration_form_answer_is_audited_and_limited(client_for, clerk_a, village_a, village_b, settings):
    PersonFactory(household=HouseholdFactory(village=village_b), id_number=NUMBER, birth_date=BIRTH)
    settings.HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR = 1
    client = client_for(clerk_a)

    first = client.post(CREATE, create_data(village_a)).content.decode()
    assert "该身份证号已在其他镇/街道登记" in first
    assert AuditEvent.objects.filter(detail__contains="(registration form)", success=True).count() == 1

    other = PersonFactory(household=HouseholdFactory(village=village_b),
                          id_number=id_number(77, sex="2", birth=datetime.date(1990, 8, 8)), birth_date=BIRTH)
    second = client.post(CREATE, create_data(village_a, id_number=other.id_number)).content.decode()
    assert "暂时无法登记" in second and "其他镇/街道登记" not in second.split("暂时无法登记")[0][-50:]
    assert Household.objects.filter(village=village_a).count() == 0
