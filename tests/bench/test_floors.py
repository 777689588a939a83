"""Every SQL floor of ``make bench`` against the product, on a small county from the same generator.

A floor (bench/<app>/pages.py) restates a product rule by hand — a list's order and its tie-break,
what a search term matches, which couples a visit interval makes due, who is in a clerk's queue —
so that the bench can say how far a page is from the least work its data needs. If the product's
rule changes and the floor does not, the bench compares the product with a different question.
This test asks both the same question on a 300-household county (bench/fullscale.py, the code
``make bench`` loads the full county with):

- every floor statement of every page runs (no floor refers to a column or table that is gone);
- a list page's floor returns the same rows, in the same order, as the page shows (the statement
  that reads a page: ``LIMIT 25``; a "last page" floor reads the order backwards), and the same
  capped total (the ``count(*)`` statement) as the page prints;
- an export's floor (``EXPORTS``) returns as many rows as the product's export writes, in the
  same order: the columns both hold alike (the spec's ``same``) are compared row by row.
"""
import datetime
import io

import pytest
from django.http import QueryDict

from bench import fullscale
from core import exports

from ..conftest import pass_second_factor

pytestmark = pytest.mark.django_db
LIST_KINDS = {"list", "deep", "search"}


@pytest.fixture
def county():
    return fullscale.generate(fullscale.FullScale(households=300, audit_rows=300, out=io.StringIO()))


def run_floor(statements) -> list[list[tuple]]:
    from django.db import connection

    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def unique_first_column(rows) -> list:
    """The page's ids: a floor that joins each row's members repeats the row once per member."""
    seen, ids = set(), []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            ids.append(row[0])
    return ids


def cell(value) -> str | None:
    """A value as the sheet and the cursor both give it: openpyxl reads a date back as midnight."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    return None if value is None else str(value)


def compare_list(page_spec, statements, results, listed) -> list[str]:
    problems = []
    reads_page = [r for (sql, _p), r in zip(statements, results, strict=True) if "LIMIT 25" in " ".join(sql.split())]
    counts = [r for (sql, _p), r in zip(statements, results, strict=True) if sql.lstrip().startswith("SELECT count(*)")]
    product_ids = [getattr(row, "pk", None) or row.id for row in listed.object_list]
    if len(reads_page) != 1 or len(counts) != 1:
        return [f"{page_spec['name']}: floor has {len(reads_page)} page and {len(counts)} count statements"]
    floor_ids = unique_first_column(reads_page[0])
    if page_spec["kind"] == "deep":
        floor_ids = floor_ids[::-1]  # read backwards from the end of the order
    page_sql = " ".join(next(sql for sql, _p in statements if "LIMIT 25" in " ".join(sql.split())).split())
    if "ORDER BY" not in page_sql.rsplit("LIMIT 25", 1)[1]:
        # The page is chosen in order inside a subquery, its rows then joined unordered (the
        # product too orders the page's rows itself): the same rows, in any order.
        floor_ids, product_ids = sorted(floor_ids), sorted(product_ids)
    if floor_ids != product_ids:
        problems.append(f"{page_spec['name']}: floor rows {floor_ids[:8]}… ≠ page rows {product_ids[:8]}…")
    if counts[0][0][0] != listed.count:
        problems.append(f"{page_spec['name']}: floor total {counts[0][0][0]} ≠ page total {listed.count}")
    return problems


def data_searches(ctx) -> list[dict]:
    """The bench's search pages use fixed terms (王, 秀英) that a 300-household county may not
    hold; the same floors with terms taken from the county: the commonest surname of clerk1's
    township (many matches, ties at the page's edge) and a given name found there."""
    from bench.enforcement import pages as enforcement
    from bench.households import pages as households
    from bench.screening import pages as screening

    township = ctx.township_id("clerk1")
    surname = ctx.value("SELECT left(name, 1) FROM households_person WHERE township_id = %s AND NOT is_void "
                        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1", [township])
    given = ctx.value("SELECT substr(name, 2) FROM households_person WHERE township_id = %s AND NOT is_void "
                      "AND sex = '2' AND length(name) = 3 ORDER BY id LIMIT 1", [township])
    specs = []
    for term in (surname, given):
        like = households._like(term)
        specs += [
            dict(name=f"household search {term}", user="clerk1", path=f"/households/?q={term}", kind="search",
                 floor=households._households_floor(households.NAME_SEARCH, params=like)),
            dict(name=f"register search {term}", user="clerk1", path=f"/households/register/?q={term}",
                 kind="search", floor=households._register_floor(f"c.id IN ({households.COUPLES_OF})", params=like)),
            dict(name=f"visit search {term}", user="clerk1", path=f"/households/visits/?q={term}", kind="search",
                 floor=households._visits_floor(f"x.couple_id IN ({households.COUPLES_OF})", params=like)),
            dict(name=f"screening list search {term}", user="clinic", path=f"/screening/screenings/?q={term}",
                 kind="search", floor=screening._screenings_floor(screening.SEARCH, params=screening._terms(term))),
            dict(name=f"enf case search {term}", user="inspector", path=f"/enforcement/?q={term}", kind="search",
                 floor=enforcement._cases_floor(enforcement.CASE_SEARCH, params=enforcement._like(term))),
        ]
    return specs


def test_every_floor_agrees_with_the_product(county, client):
    from bench.run import Context, collect_pages

    ctx = Context()
    problems, compared, ran = [], 0, 0
    searched = 0
    for page_spec in collect_pages() + data_searches(ctx):
        if page_spec["kind"] == "start" or not page_spec.get("floor"):
            continue
        user = ctx.user(page_spec["user"])
        client.force_login(user)
        pass_second_factor(client, user)
        path = page_spec["path"](ctx) if callable(page_spec["path"]) else page_spec["path"]
        response = client.get(path)  # the product first: it may refresh stored rows the floor reads
        if response.status_code != 200:
            problems.append(f"{page_spec['name']}: {path} answered {response.status_code}")
            continue
        statements = page_spec["floor"](ctx)
        results = run_floor(statements)
        ran += len(statements)
        listed = (response.context or {}).get("page") if page_spec["kind"] in LIST_KINDS else None
        if listed is not None and hasattr(listed, "count_capped"):
            problems += compare_list(page_spec, statements, results, listed)
            compared += 1
            searched += page_spec["kind"] == "search" and listed.count > 0
    problems += compare_exports(ctx)
    assert problems == [], "\n".join(problems)
    # The lists of every app were compared, searches with matches among them.
    assert compared >= 40 and ran >= 90 and searched >= 8, (compared, ran, searched)


def compare_exports(ctx) -> list[str]:
    from openpyxl import load_workbook

    from bench.export_jobs import collect

    problems, compared = [], 0
    for _app, _index, spec in collect():
        user = ctx.user(spec["user"])
        export = exports.get_spec(spec["export"])
        query = export.build(user, QueryDict(mutable=True) if not spec.get("params") else
                             exports.dict_to_params(spec["params"]))
        buffer = io.BytesIO()
        written = exports.export_write(spec=export, query=query, user=user, target=buffer)
        sheet = list(load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active.iter_rows(values_only=True))
        header = next(i for i, row in enumerate(sheet) if row and row[0] == str(query.columns[0].header))
        same = spec.get("same", (0,))
        product = [[cell(row[i]) for i in same] for row in sheet[header + 1:]]
        sql, params = spec["floor"](ctx)
        (rows,) = run_floor([(sql, params)])
        floor = [[cell(row[i]) for i in same] for row in rows]
        if len(rows) != written or floor != product:
            wrong = next((n for n, (a, b) in enumerate(zip(floor, product, strict=False)) if a != b), None)
            problems.append(f"{spec['name']}: floor {len(rows)} rows ≠ export {written} rows, or row {wrong} "
                            f"differs: {floor[wrong] if wrong is not None else ''} ≠ "
                            f"{product[wrong] if wrong is not None else ''}")
        compared += 1
    return problems + ([] if compared >= 4 else [f"only {compared} export floors"])
