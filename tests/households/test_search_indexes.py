"""Searches stay inside the clerk's township by an index, and a whole ID number uses the unique one.

Not timings: PostgreSQL's EXPLAIN for the queries the lists run, on a few thousand people. With
sequential scans switched off, a query whose shape no index matches still shows a "Seq Scan" on
the people or households: that is what a rewrite of a search that loses its index looks like
(issue #7: every search read the county's 600,000 people).
"""
import datetime
import random

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper

from accounts.models import Township, Village
from accounts.validators import build_id_number
from households.models import Couple, Household, Person
from households.selectors.register import household_list, person_match
from households.selectors.visits import register_couples, visits_in_scope

pytestmark = pytest.mark.django_db

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "秀英华兰芳玉梅丽娟敏静燕红霞伟强军磊勇杰"


@pytest.fixture
def people(clerk_a, village_a, village_b):
    """3,000 people in 1,000 households over two townships, a couple in every other household,
    then ANALYZE."""
    rng = random.Random(7)
    households = Household.objects.bulk_create(
        Household(township_id=v.township_id, village=v, address=f"{i}号", head_name=rng.choice(SURNAMES) + "某",
                  phone=f"139{rng.randrange(10**8):08d}")
        for i in range(1000) for v in [(village_a, village_b)[i % 2]]
    )
    rows = []
    for n, household in enumerate(households):
        for k in range(3):
            birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n * 3 + k)
            sex = "1" if k == 0 else "2"
            rows.append(Person(
                household=household, township_id=household.township_id, relation=str(k), sex=sex, birth_date=birth,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), phone=f"138{n:04d}{k:04d}",
                id_number=build_id_number("411099", birth, 2 * rng.randrange(400) + (sex == "1"))))
    Person.objects.bulk_create(rows)
    by_household = {}
    for p in rows:
        by_household.setdefault(p.household_id, []).append(p)
    Couple.objects.bulk_create(
        Couple(township_id=h.township_id, household=h, husband=by_household[h.pk][0], wife=by_household[h.pk][1],
               in_register=True, planned_timing="1", next_visit_due=datetime.date(2026, 1, 1))
        for h in households[::2])
    with connection.cursor() as cursor:
        for table in ("households_person", "households_household", "households_couple"):
            cursor.execute(f"ANALYZE {table}")
    return Person.objects.filter(township_id=clerk_a.township_id).order_by("id")


def plan(queryset, *, keep=()) -> str:
    """The plan with sequential scans off and the township's plain B-tree indexes hidden (both
    undone when the test's transaction rolls back). On a few thousand rows "all of the township,
    then filter" is as cheap as any index; at a county's size it is not, so the test asks which
    index the search itself can use. ``keep``: B-tree indexes the search under test relies on."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('households_person', 'households_household') "
            "AND indexdef LIKE '%%USING btree (township_id%%'")
        for (name,) in cursor.fetchall():
            if name not in keep:
                cursor.execute(f'DROP INDEX "{name}"')
    return queryset.explain()


def test_person_township_follows_the_household(village_a):
    household = Household.objects.create(village=village_a, address="1号", head_name="王某")
    person = Person.objects.create(household=household, name="王某", sex="1", birth_date=datetime.date(1990, 1, 1))
    person.refresh_from_db()
    assert person.township_id == village_a.township_id


@pytest.mark.parametrize("term", ["王", "秀英", "王秀英"])
def test_name_search_of_any_length_has_an_index_and_stays_inside_the_township(people, clerk_a, term):
    # The name condition alone is answered by the characters' GIN index (1 and 2 characters too,
    # where trigrams have nothing to index)…
    assert "households_person_name_chars" in plan(Person.objects.filter(person_match(term)).order_by())
    # …and the clerk's search reads no other township's people.
    found = Person.objects.visible_to(clerk_a).filter(person_match(term)).order_by()
    assert "Seq Scan on households_person" not in plan(found)
    assert all(term in p.name for p in found)
    assert set(found.values_list("pk", flat=True)) == set(
        Person.objects.filter(township_id=clerk_a.township_id, name__contains=term).values_list("pk", flat=True))


def test_whole_id_number_uses_the_unique_index_and_nothing_else(people, clerk_a):
    number = people[10].id_number
    found = Person.objects.visible_to(clerk_a).filter(person_match(number))
    text = plan(found)
    assert "households_person_id_number_unique" in text
    assert "phone" not in text and "name" not in text  # not also a phone or name search
    assert list(found) == [people[10]]


def test_last_four_of_id_and_phone_fragments_use_their_indexes(people, clerk_a):
    tail = people[20].id_number[-4:]
    text = plan(Person.objects.visible_to(clerk_a).filter(person_match(tail)).order_by(),
                keep=["households_person_id_tail"])
    assert "households_person_id_tail" in text
    assert "Seq Scan on households_person" not in text
    phone = people[30].phone[3:10]
    assert "households_person_phone_trgm" in plan(Person.objects.filter(person_match(phone)).order_by())
    assert "Seq Scan on households_person" not in plan(
        Person.objects.visible_to(clerk_a).filter(person_match(phone)).order_by())


@pytest.mark.parametrize("term", ["王", "秀英"])
def test_household_search_reads_neither_the_county_people_nor_households(people, clerk_a, term):
    text = plan(household_list(user=clerk_a, q=term))
    assert "Seq Scan on households_person" not in text
    assert "Seq Scan on households_household" not in text
    assert "households_person_name_chars" in text and "households_household_head_chars" in text


def test_register_and_visit_search_read_no_table_whole(people, clerk_a):
    for queryset in (register_couples(user=clerk_a, q="秀英"), visits_in_scope(user=clerk_a, q="秀英")):
        text = plan(queryset)
        for table in ("households_person", "households_couple", "households_followupvisit"):
            assert f"Seq Scan on {table}" not in text


def test_sqlite_fallback_is_a_plain_case_insensitive_like():
    """``make run`` without PostgreSQL: has_text and last4 compile to portable SQL (no GIN, no arrays)."""
    sqlite = SqliteWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:",
                            "OPTIONS": {}})
    queryset = Person.objects.filter(person_match("秀英")).order_by()
    sql, params = queryset.query.get_compiler(connection=sqlite).as_sql()
    assert "lower(\"households_person\".\"name\") LIKE %s ESCAPE '\\'" in sql and "%秀英%" in params
    assert "string_to_array" not in sql
    sql, params = Person.objects.filter(person_match("123X")).order_by().query.get_compiler(connection=sqlite).as_sql()
    assert "SUBSTR" in sql.upper() and "123X" in params


def test_village_filter_on_other_township_is_still_404(client_for, clerk_a, village_b):
    response = client_for(clerk_a).get("/households/", {"village": village_b.pk})
    assert response.status_code == 404
    assert Village.objects.filter(pk=village_b.pk).exists() and Township.objects.count() == 2
