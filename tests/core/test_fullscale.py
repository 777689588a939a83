"""The full-county generator (bench/fullscale.py and each bench/<app>/data.py) on a county of 300
households: every rule it promises holds, and the rule checks do catch a broken row."""
import io

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.audit_chain import verify_chain
from accounts.models import AuditEvent, User
from bench import fullscale
from households.models import Couple, FollowUpVisit, Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    ctx = fullscale.FullScale(households=300, audit_rows=3000, out=io.StringIO())
    return fullscale.generate(ctx)


def broken(rule_part: str) -> int:
    return sum(count for _module, rule, count in fullscale.run_checks() if rule_part in rule)


def test_small_county_keeps_every_rule(county):
    results = fullscale.run_checks()
    assert len(results) >= 20
    assert [r for r in results if r[2]] == []
    assert Household.objects.count() == 300
    assert 2.5 < Person.objects.count() / 300 < 4
    assert 0.7 < Couple.objects.count() / 300 < 0.95
    assert Couple.objects.filter(in_register=True).count() > 100
    assert FollowUpVisit.objects.count() > 900
    assert AuditEvent.objects.count() == 3000
    # The generated trail is one unbroken hash chain, and the table's guards are back on.
    report = verify_chain(record=False)
    assert report.ok and report.rows == 3000, report.problems
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).update(detail="rewritten")
    # The demo users log in as in the small demo (same usernames and password).
    assert User.objects.get(username="clerk1").check_password("Demo@2026")


def test_checks_catch_broken_rows(county):
    couple = Couple.objects.filter(in_register=True, last_visit_date__isnull=False).first()
    person = Person.objects.exclude(id_number="").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE households_couple SET pregnancy_status = 'delivered', next_visit_due = NULL "
                       "WHERE id = %s", [couple.pk])
        cursor.execute("UPDATE households_person SET id_number = overlay(id_number placing "
                       "CASE WHEN right(id_number, 1) = '1' THEN '2' ELSE '1' END from 18) WHERE id = %s", [person.pk])
        cursor.execute("UPDATE households_person SET township_id = (SELECT max(id) FROM accounts_township "
                       "WHERE id <> %s) WHERE id = %s", [person.township_id, person.pk])
    assert broken("latest active visit") == 1
    assert broken("wrong check character") == 1
    assert broken("person township") == 1


def test_refuses_a_database_with_households(county):
    with pytest.raises(RuntimeError, match="empty database"):
        fullscale.generate(fullscale.FullScale(households=10, audit_rows=10))


def test_fingerprint_follows_the_generator_code():
    assert fullscale.fingerprint() == fullscale.fingerprint()
    assert len(fullscale.fingerprint()) == 16
    assert "bench.households.data" in fullscale.generator_modules()
