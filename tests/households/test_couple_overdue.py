"""A couple's page marks an overdue next visit the way the due list does (issue #6)."""
import datetime

from django.utils import timezone

from ..factories import RegisterCoupleFactory

DAY = datetime.timedelta(days=1)


def test_couple_page_marks_an_overdue_next_visit(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a,
                                   next_visit_due=timezone.localdate() - 12 * DAY)

    html = client_for(clerk_a).get(couple.get_absolute_url()).content.decode()

    assert 'data-testid="overdue" data-days="12"' in html
    assert "逾期 12 天" in html


def test_couple_page_shows_no_mark_when_the_visit_is_not_due_yet(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a,
                                   next_visit_due=timezone.localdate() + 5 * DAY)

    html = client_for(clerk_a).get(couple.get_absolute_url()).content.decode()

    assert 'data-testid="overdue"' not in html


def test_household_page_marks_its_overdue_couple_too(client_for, clerk_a, village_a):
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a,
                                   next_visit_due=timezone.localdate() - 3 * DAY)

    html = client_for(clerk_a).get(couple.household.get_absolute_url()).content.decode()

    assert 'data-testid="overdue" data-days="3"' in html
