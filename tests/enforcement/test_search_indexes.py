"""The enforcement searches use their indexes (migration 0002), not a read of every row.

Not timings: PostgreSQL's EXPLAIN with sequential scans off, on a few hundred rows (at that size
any plan is cheap; the test asks whether an index *can* answer the search, as
tests/households/test_search_indexes.py does). A rewrite that loses the index shows a "Seq Scan".
"""
import random

import pytest
from django.db import connection
from django.utils import timezone

from accounts.demo import demo_name
from enforcement.models import Case, CaseParty, Facility
from enforcement.selectors.lists import case_list, facility_list

from .factories import FacilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(township_a, inspector):
    rng = random.Random(11)
    facilities = [FacilityFactory(township=township_a, name=f"{demo_name(rng)}诊所", address=f"人民路{i}号")
                  for i in range(60)]
    today = timezone.localdate()
    cases = Case.objects.bulk_create(
        Case(year=today.year, seq=i + 1, township=township_a, source="referral", title=f"{facilities[i].name}涉嫌鉴定胎儿性别",
             registered_on=today, created_by=inspector) for i in range(60))
    CaseParty.objects.bulk_create(
        [CaseParty(case=c, kind="facility", facility=facilities[i], role="performer") for i, c in enumerate(cases)]
        + [CaseParty(case=c, kind="person", name=demo_name(rng), role="intermediary") for c in cases])
    with connection.cursor() as cursor:
        for table in ("enforcement_case", "enforcement_caseparty", "enforcement_facility"):
            cursor.execute(f"ANALYZE {table}")
    return facilities


def plan(queryset) -> str:
    """The plan with sequential scans off and the tables' plain B-tree indexes hidden (undone when
    the test's transaction rolls back): on 60 rows "every active facility, then filter" is as cheap
    as any index, so the test asks which index the search itself can use."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Nor a whole primary-key index read in place of a table read (bitmap scans stay on).
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('enforcement_case', 'enforcement_caseparty', "
            "'enforcement_facility') AND indexdef LIKE '%%USING btree%%' AND indexdef NOT LIKE '%%UNIQUE%%' "
            "AND indexname NOT IN ('enf_party_facility')")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
    return queryset.explain()


@pytest.mark.parametrize("term", ["王", "诊所", "鉴定胎儿"])
def test_case_search_reads_titles_and_parties_by_their_character_indexes(records, inspector, term):
    found = case_list(user=inspector, today=timezone.localdate(), q=term)
    text = plan(found.select_related(None).prefetch_related(None).order_by())
    for index in ("enforcement_case_title_chars", "enforcement_party_name_chars", "enforcement_facility_name_chars"):
        assert index in text, text
    for table in ("enforcement_case", "enforcement_caseparty", "enforcement_facility"):
        assert f"Seq Scan on {table}" not in text, text
    expected = {c.pk for c in Case.objects.all() if term in c.title or any(
        term in (p.facility.name if p.facility_id else p.name) for p in c.parties.all())}
    assert {c.pk for c in found} == expected


def test_facility_search_reads_names_addresses_and_licences_by_index(records, inspector):
    term = records[5].name[:2]
    found = facility_list(user=inspector, today=timezone.localdate(), q=term)
    text = plan(found.order_by())
    for index in ("enforcement_facility_name_chars", "enforcement_facility_address_chars",
                  "enforcement_facility_licence_trgm"):
        assert index in text, text
    assert "Seq Scan on enforcement_facility" not in text
    assert records[5] in found
    licence = Facility.objects.filter(pk=records[7].pk).values_list("licence_number", flat=True).get()
    assert list(facility_list(user=inspector, today=timezone.localdate(), q=licence.lower())) == [records[7]]
