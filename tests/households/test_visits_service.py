"""services/visits.py: recording and voiding follow-up visits, and the couple's denormalised status."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from households.models import FollowUpVisit, PregnancyStatus
from households.services.visits import default_next_due, visit_record, visit_void

from ..factories import IntentionSurveyFactory, RegisterCoupleFactory

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def couple(village_a, clerk_a):
    return RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)


def record(couple, by, **kwargs):
    kwargs.setdefault("visit_date", TODAY())
    kwargs.setdefault("pregnancy_status", PregnancyStatus.NOT_PREGNANT)
    return visit_record(couple=couple, by=by, **kwargs)


@pytest.mark.parametrize(("status", "days"), [
    ("not_pregnant", 90), ("pregnant", 30), ("delivered", 42), ("terminated", 30),
])
def test_default_next_due_follows_the_interval_setting_per_status(settings, status, days):
    settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS = {"not_pregnant": 90, "pregnant": 30, "delivered": 42, "terminated": 30}
    assert default_next_due(datetime.date(2025, 1, 31), status) == datetime.date(2025, 1, 31) + datetime.timedelta(days=days)


def test_default_next_due_reads_the_setting_not_a_constant(settings):
    settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS = {**settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS, "pregnant": 14}
    assert default_next_due(datetime.date(2025, 3, 1), "pregnant") == datetime.date(2025, 3, 15)


def test_visit_updates_couple_status_and_defaults_next_due(couple, clerk_a):
    day = TODAY() - 2 * DAY
    visit = record(couple, clerk_a, visit_date=day, pregnancy_status="pregnant",
                   last_menstrual_period=day - 40 * DAY, services=["prenatal_care", "prenatal_care"], notes="  已发叶酸 ")

    couple.refresh_from_db()
    assert visit.next_due == default_next_due(day, "pregnant")
    assert (couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due) == ("pregnant", day, visit.next_due)
    assert visit.services == ["prenatal_care"]
    assert visit.notes == "已发叶酸"
    assert (visit.township_id, visit.visitor, visit.created_by) == (couple.township_id, clerk_a, clerk_a)


def test_visit_writes_an_audit_row(couple, clerk_a):
    visit = record(couple, clerk_a)
    event = AuditEvent.objects.get(action="create", object_type="households.followupvisit")
    assert (event.object_id, event.user, event.township_id) == (str(visit.pk), clerk_a, couple.township_id)


def test_explicit_next_due_is_kept(couple, clerk_a):
    chosen = TODAY() + 10 * DAY
    record(couple, clerk_a, next_due=chosen)
    couple.refresh_from_db()
    assert couple.next_visit_due == chosen


def test_backdated_visit_does_not_overwrite_the_newer_visit(couple, clerk_a):
    newer = record(couple, clerk_a, visit_date=TODAY() - DAY, pregnancy_status="pregnant",
                   last_menstrual_period=TODAY() - 50 * DAY)
    record(couple, clerk_a, visit_date=TODAY() - 30 * DAY, pregnancy_status="not_pregnant")

    couple.refresh_from_db()
    assert couple.pregnancy_status == "pregnant"
    assert couple.last_visit_date == newer.visit_date
    assert couple.next_visit_due == newer.next_due


def test_two_visits_on_one_day_the_later_entry_wins(couple, clerk_a):
    record(couple, clerk_a, pregnancy_status="not_pregnant")
    record(couple, clerk_a, pregnancy_status="delivered")
    couple.refresh_from_db()
    assert couple.pregnancy_status == "delivered"


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"visit_date": "tomorrow"}, "visit_date", "随访日期不能晚于今天。"),
    ({"pregnancy_status": "pregnant"}, "last_menstrual_period", "孕情为“已孕”时必须填写末次月经日期。"),
    ({"pregnancy_status": "pregnant", "last_menstrual_period": "tomorrow", "visit_date": "today"},
     "last_menstrual_period", "末次月经日期不能晚于随访日期。"),
    ({"next_due": "yesterday"}, "next_due", "下次随访日期不能早于随访日期。"),
    ({"services": ["sex_determination"]}, "services", "提供的服务中有无效的选项。"),
    ({"pregnancy_status": "unknown"}, "pregnancy_status", "请选择孕情。"),
])
def test_invalid_visit_is_refused_in_chinese_and_nothing_changes(couple, clerk_a, kwargs, field, message):
    dates = {"today": TODAY(), "tomorrow": TODAY() + DAY, "yesterday": TODAY() - DAY}
    kwargs = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    before = (couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due)

    with pytest.raises(ValidationError) as refused:
        record(couple, clerk_a, **kwargs)

    assert refused.value.message_dict[field] == [message]
    assert not FollowUpVisit.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()
    couple.refresh_from_db()
    assert (couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due) == before


def test_lmp_is_dropped_when_not_pregnant(couple, clerk_a):
    visit = record(couple, clerk_a, pregnancy_status="delivered", last_menstrual_period=TODAY() - 300 * DAY)
    assert visit.last_menstrual_period is None


def test_couple_outside_the_register_cannot_be_visited(village_a, clerk_a):
    couple = RegisterCoupleFactory(household__village=village_a, in_register=False, planned_timing="5")
    with pytest.raises(ValidationError, match="不在摸底造册名单中"):
        record(couple, clerk_a)
    assert not FollowUpVisit.objects.exists()


def test_void_couple_cannot_be_visited(couple, clerk_a):
    couple.is_void = True
    couple.save()
    with pytest.raises(ValidationError, match="已作废"):
        record(couple, clerk_a)
    assert not FollowUpVisit.objects.exists()


def test_voiding_the_latest_visit_falls_back_to_the_one_before(couple, clerk_a):
    older = record(couple, clerk_a, visit_date=TODAY() - 20 * DAY, pregnancy_status="not_pregnant")
    newer = record(couple, clerk_a, visit_date=TODAY() - DAY, pregnancy_status="pregnant",
                   last_menstrual_period=TODAY() - 45 * DAY)

    visit_void(visit=newer, by=clerk_a, reason="录错夫妇")

    couple.refresh_from_db()
    newer.refresh_from_db()
    assert (newer.is_void, newer.void_reason, newer.voided_by) == (True, "录错夫妇", clerk_a)
    assert (couple.pregnancy_status, couple.last_visit_date, couple.next_visit_due) == (
        "not_pregnant", older.visit_date, older.next_due)
    assert AuditEvent.objects.filter(action="delete", object_id=str(newer.pk)).exists()


def test_voiding_the_only_visit_returns_to_the_survey_default(couple, clerk_a):
    survey = IntentionSurveyFactory(couple=couple, surveyor=clerk_a, surveyed_on=TODAY() - 10 * DAY)
    visit = record(couple, clerk_a, pregnancy_status="delivered")

    visit_void(visit=visit, by=clerk_a, reason="重复录入")

    couple.refresh_from_db()
    assert couple.pregnancy_status == "not_pregnant"
    assert couple.last_visit_date is None
    assert couple.next_visit_due == default_next_due(survey.surveyed_on, "not_pregnant")


def test_void_needs_a_reason_and_cannot_repeat(couple, clerk_a):
    visit = record(couple, clerk_a)
    with pytest.raises(ValidationError) as refused:
        visit_void(visit=visit, by=clerk_a, reason="  ")
    assert refused.value.message_dict == {"reason": ["请填写作废原因。"]}
    visit_void(visit=visit, by=clerk_a, reason="重复")
    with pytest.raises(ValidationError, match="已作废"):
        visit_void(visit=visit, by=clerk_a, reason="再次")
