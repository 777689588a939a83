"""The import services: row rules not covered through the pages, confirm-time re-checks, the
query budget of the preview and a second confirm holding a stale batch."""
import datetime

import pytest

from households.models import Couple, ImportBatch, Person
from households.services import exchange

from ..factories import PersonFactory, VillageFactory, id_number
from .test_import_sheet import HUSBAND_BIRTH, WIFE_BIRTH, good_row, make_xlsx


def preview(clerk, records) -> ImportBatch:
    return exchange.import_batch_create(by=clerk, upload=make_xlsx(records), file_name="登记表.xlsx")


def errors(batch) -> list[str]:
    return [" ".join(r["errors"]) for r in batch.rows]


def test_husband_whose_id_says_female_is_refused(clerk_a, village_a):
    batch = preview(clerk_a, [good_row(1, 丈夫身份证号=id_number(1, sex="2", birth=HUSBAND_BIRTH))])
    assert "丈夫应为男性" in errors(batch)[0]


def test_same_id_for_wife_and_husband_is_refused(clerk_a, village_a):
    wife = good_row(1)["妻子身份证号"]
    batch = preview(clerk_a, [good_row(1, 丈夫身份证号=wife)])
    assert "妻子和丈夫的身份证号相同" in errors(batch)[0]


def test_id_of_a_voided_person_counts_as_registered(clerk_a, village_a):
    void = PersonFactory(household__village=village_a, is_void=True, birth_date=WIFE_BIRTH,
                         id_number=good_row(1)["妻子身份证号"])
    batch = preview(clerk_a, [good_row(1)])
    assert "已作废" in errors(batch)[0]
    assert batch.rows[0]["duplicate"] is True
    assert void.name not in errors(batch)[0]


def test_closed_village_is_refused(clerk_a, village_a):
    VillageFactory(township=village_a.township, name="旧村", code="411099001099", is_active=False)
    batch = preview(clerk_a, [good_row(1, **{"村/社区": "旧村"})])
    assert "已停用" in errors(batch)[0]


def test_future_dates_and_overlong_names_are_refused(clerk_a, village_a):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    batch = preview(clerk_a, [good_row(1, 结婚日期=tomorrow, 摸底日期=tomorrow, 妻子姓名="长" * 31)])
    text = errors(batch)[0]
    assert "结婚日期不能晚于今天" in text and "摸底日期不能晚于今天" in text and "妻子姓名过长" in text


def test_unreadable_id_date_and_count_cells_name_their_column(clerk_a, village_a):
    batch = preview(clerk_a, [good_row(1, 丈夫身份证号="41109919910230001X", 结婚日期="去年", 现有女孩数="两个")])
    text = errors(batch)[0]
    assert "丈夫身份证号：身份证号中的出生日期 19910230 不存在" in text
    assert "结婚日期：“去年”不是有效日期" in text
    assert "现有女孩数：“两个”不是整数" in text


def test_preview_reads_the_register_in_a_constant_number_of_queries(clerk_a, village_a, django_assert_num_queries):
    small = make_xlsx([good_row(n) for n in range(1, 6)])
    large = make_xlsx([good_row(n) for n in range(1, 31)])
    # the township's remembered column mapping, villages, registered IDs, households to join; the
    # batch INSERT and the audit row; savepoint pair.
    with django_assert_num_queries(8):
        exchange.import_batch_create(by=clerk_a, upload=small, file_name="a.xlsx")
    with django_assert_num_queries(8):
        exchange.import_batch_create(by=clerk_a, upload=large, file_name="b.xlsx")


def test_not_planned_couple_is_imported_with_its_survey_but_not_into_the_register(clerk_a, village_a):
    batch = preview(clerk_a, [good_row(1, 计划生育时间="未计划", 户主姓名="王芳1")])
    exchange.import_confirm(batch=batch, by=clerk_a)
    couple = Couple.objects.get()
    assert (couple.in_register, couple.planned_timing, couple.responsible) == (False, "5", None)
    assert couple.surveys.get().planned_timing == "5"
    assert (couple.wife.relation, couple.husband.relation) == ("0", "1")  # the wife heads this household


def test_village_closed_between_preview_and_confirm_skips_its_rows(clerk_a, village_a):
    other = VillageFactory(township=village_a.township, name="张庄村", code="411099001002")
    batch = preview(clerk_a, [good_row(1), good_row(2, **{"村/社区": "张庄村"})])
    other.is_active = False
    other.save()

    exchange.import_confirm(batch=batch, by=clerk_a)

    batch.refresh_from_db()
    assert [r["status"] for r in batch.rows] == ["imported", "skipped"]
    assert "村/社区不在本镇/街道或已停用" in batch.rows[1]["errors"][-1]
    assert Couple.objects.count() == 1


def test_batch_with_no_valid_rows_cannot_be_confirmed_and_stays_open(clerk_a, village_a):
    batch = preview(clerk_a, [good_row(1, 计划生育时间="马上")])
    with pytest.raises(exchange.ImportNotPending, match="没有可导入的行"):
        exchange.import_confirm(batch=batch, by=clerk_a)
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_cancelled_batch_cannot_be_cancelled_again(clerk_a, village_a):
    batch = preview(clerk_a, [good_row(1)])
    exchange.import_cancel(batch=batch, by=clerk_a)
    with pytest.raises(exchange.ImportNotPending):
        exchange.import_cancel(batch=batch, by=clerk_a)


def test_confirm_trusts_the_database_status_not_the_loaded_batch(clerk_a, village_a):
    """Two requests load the batch while it is awaiting confirmation; the first confirms. The
    second still holds a batch object saying "preview", and must import nothing: the claim is a
    conditional UPDATE on the row (under PostgreSQL's READ COMMITTED a racing UPDATE waits for
    the first to commit, then re-checks the condition and matches no row)."""
    batch = preview(clerk_a, [good_row(n) for n in range(1, 4)])
    second_request = ImportBatch.objects.get(pk=batch.pk)

    exchange.import_confirm(batch=ImportBatch.objects.get(pk=batch.pk), by=clerk_a)
    assert second_request.status == "preview"
    with pytest.raises(exchange.ImportNotPending, match="不能再次导入"):
        exchange.import_confirm(batch=second_request, by=clerk_a)

    assert Couple.objects.count() == 3
    assert Person.objects.count() == 6
