"""What the fuzzing found, pinned as plain tests (each was a 500)."""
from django.urls import reverse

from tests.factories import RegisterCoupleFactory


def test_a_visit_dated_9999_12_31_is_refused_not_a_500(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    response = client_for(clerk_a).post(reverse("households:visit_create", args=[couple.pk]), {
        "visit_date": "9999-12-31", "pregnancy_status": "not_pregnant", "services": ["health_education"],
        "notes": "", "next_due": "", "next_due_default": ""})
    assert response.status_code == 200
    assert "随访日期不能晚于今天" in response.content.decode()
    couple.refresh_from_db()
    assert couple.last_visit_date is None


def test_audit_filter_to_9999_12_31_is_refused_not_a_500(client_for, auditor):
    response = client_for(auditor).get("/accounts/audit/", {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "日期应在" in response.content.decode()


def test_the_harness_sees_a_write_made_in_the_tests_transaction(clerk_a, village_a):
    """The fuzz harness skips reading every table when this count did not move: it must move."""
    from tests.fuzz.harness import Snapshots, project_tables

    tables = Snapshots(project_tables())
    tables.before()
    assert not tables.wrote()
    RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    assert tables.wrote()
