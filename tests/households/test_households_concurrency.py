"""Races between two requests, played with two database connections: the second request must
end in a form error (ValidationError), never in an IntegrityError (a 500).

The main thread opens a transaction and writes without committing; a second thread makes the
competing call and blocks on the first one's lock or index entry; the main thread commits and
the second one's outcome is checked.
"""
import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from households.models import Couple, Person
from households.services.register import DuplicateIdNumber, couple_create, person_add, person_update
from tests.factories import HouseholdFactory, PersonFactory, id_number

pytestmark = pytest.mark.django_db(transaction=True)


def race(first, second):
    """Run ``first`` in an open transaction, start ``second`` in another thread (own connection),
    give it time to block, commit ``first``; return what ``second`` returned or raised."""
    outcome = {}

    def run_second():
        try:
            outcome["result"] = second()
        except BaseException as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcome["error"] = exc
        finally:
            from django.db import connection as thread_connection
            thread_connection.close()

    with transaction.atomic():
        first()
        thread = threading.Thread(target=run_second)
        thread.start()
        time.sleep(0.7)  # the second call reaches its lock / unique index entry and waits
        assert thread.is_alive(), "the second call should be waiting for the first transaction"
    thread.join(timeout=10)
    assert not thread.is_alive()
    connection.close()
    return outcome


def test_double_submitted_couple_is_a_wife_error_not_an_integrity_error(clerk_a, village_a):
    household = HouseholdFactory(village=village_a)
    wife = PersonFactory(household=household, sex="2", relation="1", birth_date=datetime.date(1994, 6, 1))
    husband = PersonFactory(household=household, sex="1", relation="0", birth_date=datetime.date(1990, 6, 1))

    def create():
        return couple_create(household=household, wife=Person.objects.get(pk=wife.pk),
                             husband=Person.objects.get(pk=husband.pk), by=clerk_a)

    outcome = race(create, create)

    error = outcome.get("error")
    assert isinstance(error, ValidationError), repr(error)
    assert "wife" in error.message_dict
    assert Couple.objects.filter(wife=wife).count() == 1


def test_member_edit_racing_a_registration_of_the_same_number_is_a_duplicate_error(clerk_a, village_a):
    number = id_number(77, sex="1", birth=datetime.date(1985, 1, 1))
    person = PersonFactory(household=HouseholdFactory(village=village_a), name="改号人", sex="1",
                           birth_date=datetime.date(1985, 1, 1))
    other = HouseholdFactory(village=village_a)

    def register():
        person_add(household=other, by=clerk_a, name="新登记", id_number=number)

    def edit():
        stale = Person.objects.get(pk=person.pk)
        return person_update(person=stale, by=clerk_a, expected_version=stale.version, data={
            "name": stale.name, "id_number": number, "sex": "", "birth_date": None, "relation": "0",
            "marital_status": "20", "phone": ""})

    outcome = race(register, edit)

    error = outcome.get("error")
    assert isinstance(error, DuplicateIdNumber), repr(error)
    assert error.existing.name == "新登记"
    person.refresh_from_db()
    assert person.id_number != number
