"""Hypothesis drives every form each role can reach (tests/fuzz/harness.py) with arbitrary input.

Never a 500; refused input writes nothing; accepted input reads back as typed; every export the
role can reach still opens afterwards. Bounded: FUZZ_EXAMPLES submissions per form (default 10),
no per-example deadline (the machine is shared), derandomized under CI so a run is repeatable.
"""
import io
import os
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from households.models import Relation
from tests.factories import (
    FollowUpVisitFactory,
    HouseholdFactory,
    OutreachVisitFactory,
    PersonFactory,
    RegisterCoupleFactory,
    WorkGroupFactory,
)

from .harness import (
    ANY_VALUE,
    AS_LIST,
    DATES,
    NON_UTF8,
    NUMBERS,
    TEXT_TYPES,
    crawl,
    encoded,
    hostile_values,
    normalize,
    plausible,
    Snapshots,
    project_tables,
    snapshot,
    strings_in,
)

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# Hostile values per field (tests/fuzz/harness.py HOSTILE, 38 of them): a sample in `make test`,
# every one of them with FUZZ_HOSTILE=all (the full run, `make fuzz`; docs/operations.md).
_HOSTILE = os.environ.get("FUZZ_HOSTILE", "4")
HOSTILE_SAMPLE = None if _HOSTILE == "all" else int(_HOSTILE)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")), database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def world(clerk_a, village_a, bureau_staff):
    """A little of everything, so that detail pages and their forms exist for the crawl."""
    household = HouseholdFactory(village=village_a)
    PersonFactory(household=household, relation=Relation.SELF, sex="1", name=household.head_name)
    couple = RegisterCoupleFactory(household__village=village_a, responsible=clerk_a)
    FollowUpVisitFactory(couple=couple, visitor=clerk_a)
    group = WorkGroupFactory()
    group.members.add(bureau_staff)
    group.villages.add(village_a)
    OutreachVisitFactory(household=household, visitor=bureau_staff)
    return {"household": household, "couple": couple}


def values_for(form, overrides: dict) -> dict:
    """The form's own (or plausible) values, with the fuzzed fields replaced."""
    today = timezone.localdate()
    data = {f.name: plausible(f, today) for f in form.fields}
    data = {name: value for name, value in data.items() if value not in ("", [])}
    data.update(overrides)
    return data


def fuzz_value(field):
    if field.kind == "date" or field.name.endswith(("date", "_on", "_from", "_to", "period")):
        return st.one_of(DATES, ANY_VALUE)
    if field.kind == "number":
        return st.one_of(NUMBERS, ANY_VALUE)
    if field.kind in ("select", "radio", "checkbox"):
        return st.one_of(st.sampled_from(field.options or [""]), ANY_VALUE,
                         st.lists(ANY_VALUE, max_size=3) if field.multiple else ANY_VALUE)
    return ANY_VALUE


def edges(field) -> list:
    """The corners every field gets once, whatever Hypothesis draws: the issue's list of bad input."""
    if field.kind == "date" or field.name.endswith(("date", "_on", "_from", "_to", "period")):
        return ["9999-12-31", "0001-01-01", "2024-02-30"]
    if field.kind == "number":
        return ["99999999999999999999999", "-1"]
    if field.kind == "hidden":
        return ["-1", "99999999999999999999"]
    if field.kind in ("select", "radio", "checkbox"):
        return ["not-an-option\x00"]
    return ["\x00\x01\x0b王𠮷\u202e=cmd|' /C calc'!A0", "長" * 5000]


def submit_once(client, form, overrides: dict, tables, stats) -> None:
    markers = {name: v for name, v in overrides.items() if v is NON_UTF8 or v is AS_LIST}
    payload = values_for(form, {k: v for k, v in overrides.items() if k not in markers})
    if form.method == "post":
        tables.before()
    if markers:  # raw bytes or a repeated field: the body is written by hand
        [(name, marker)] = markers.items()
        body = encoded(payload, name, marker)
        if form.method == "post":
            response = client.post(form.action, body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(f"{form.action}?{body}")
        overrides = {}  # nothing typed to read back
    elif form.method == "post":
        response = client.post(form.action, payload)
    else:
        response = client.get(form.action, payload)
    stats["requests"] = stats.get("requests", 0) + 1
    assert response.status_code < 500, f"{form.key} answered {response.status_code} for {overrides or markers!r}"
    if form.method != "post":
        stats["get"] += 1
        return
    if response.status_code == 200:  # the form came back: refused, nothing written
        if tables.wrote():  # something touched a table: compare the contents
            after = snapshot(tables.tables)
            changed = [t for t in tables.tables if tables.snap[t] != after[t]]
            assert not changed, f"{form.key} refused {overrides!r} but changed {changed}"
        stats["refused"] += 1
    elif response.status_code == 302:
        stored = strings_in(snapshot(tables.tables))
        by_name = {f.name: f for f in form.fields}
        for name, value in overrides.items():
            f = by_name[name]
            if f.kind in TEXT_TYPES and isinstance(value, str) and normalize(value):
                assert read_back(normalize(value), stored), (
                    f"{form.key} accepted {name}={value!r} but does not read it back as typed")
        stats["accepted"] += 1


def _number(text: str):
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def read_back(typed: str, stored: set[str]) -> bool:
    """The typed text is stored as typed; a number typed into a text box (a score, 5) may be stored as
    the same number in a numeric column (5.00)."""
    if typed in stored:
        return True
    number = _number(typed)
    return number is not None and any(_number(value) == number for value in stored)


def check_form(client, form, tables, stats):
    fields = [f for f in form.fields if f.name != "csrfmiddlewaretoken"]
    if not fields:
        return
    for index, f in enumerate(fields):
        for value in [*edges(f), *hostile_values(index, HOSTILE_SAMPLE)]:
            submit_once(client, form, {f.name: value}, tables, stats)
        stats["fields"] = stats.get("fields", 0) + 1

    @FUZZ_SETTINGS
    @given(data=st.data())
    def submit(data):
        chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=min(3, len(fields)),
                                    unique_by=lambda f: f.name), label="fields")
        submit_once(client, form, {f.name: data.draw(fuzz_value(f), label=f.name) for f in chosen}, tables, stats)

    submit()


def open_workbook(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(content))


def check_export(client, path, filter_forms):
    """The export with its list's filters fuzzed: never a 500, and a file that opens."""
    fields = [f for form in filter_forms for f in form.fields]
    if not fields:
        return
    for index, f in enumerate(fields):
        for value in [*edges(f), *hostile_values(index, HOSTILE_SAMPLE)]:
            if value is NON_UTF8 or value is AS_LIST:
                response = client.get(f"{path}?{encoded({}, f.name, value)}")
            else:
                response = client.get(path, {f.name: value})
            assert response.status_code < 500, f"{path} answered {response.status_code} for {f.name}={value!r}"

    @FUZZ_SETTINGS
    @given(data=st.data())
    def export(data):
        chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique_by=lambda f: f.name))
        response = client.get(path, {f.name: data.draw(fuzz_value(f), label=f.name) for f in chosen})
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml"):
            open_workbook(response)

    export()


def run_role(client, start="/", limit=60):
    found = crawl(client, start=start, limit=limit)
    tables = Snapshots(project_tables())
    stats = {"accepted": 0, "refused": 0, "get": 0}
    for form in found.forms:
        check_form(client, form, tables, stats)
    # Whatever the fuzzing stored, every export the role reaches still opens.
    for url in found.exports:
        response = client.get(url)
        assert response.status_code == 200, url
        open_workbook(response)
    for path, filter_forms in found.export_filters.items():
        check_export(client, path, filter_forms)
    return found, stats


def test_fuzz_every_form_a_township_clerk_reaches(client_for, clerk_a, world):
    found, stats = run_role(client_for(clerk_a))
    assert len(found.forms) >= 8, [f.key for f in found.forms]  # the crawl really reached the register's forms
    assert found.exports, "the clerk's exports were reached"
    assert stats["accepted"] and stats["refused"], stats
    report("clerk", found, stats)


def test_fuzz_every_form_bureau_staff_reach(client_for, bureau_staff, world):
    found, stats = run_role(client_for(bureau_staff))
    assert any("outreach" in f.action for f in found.forms), [f.key for f in found.forms]
    report("bureau_staff", found, stats)


def test_fuzz_the_auditors_filters_and_export(client_for, auditor, world, clerk_a):
    found, stats = run_role(client_for(auditor))
    assert any("/accounts/audit/" in f.action for f in found.forms)
    assert found.exports
    report("auditor", found, stats)


def test_fuzz_the_leaders_pages(client_for, leader, world):
    found, stats = run_role(client_for(leader))
    report("leader", found, stats)


def test_fuzz_the_admin_site(client_for, admin_user, world):
    found, stats = run_role(client_for(admin_user), start="/admin/", limit=40)
    assert any("/admin/" in f.action for f in found.forms)
    report("admin", found, stats)


def test_fuzz_the_login_form(client, db, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 10**6  # the throttle would answer most tries unchecked
    settings.LOGIN_FAILURE_LIMIT = settings.LOGIN_USERNAME_FAILURE_LIMIT = 10**6
    found, stats = run_role(client, start="/accounts/login/", limit=3)
    assert any("/accounts/login/" in f.action for f in found.forms)
    report("anonymous", found, stats)


@pytest.fixture
def enforcement_world(inspector, township_a):
    """A facility with a device, a tip and a case under investigation: their pages and forms."""
    from tests.enforcement.factories import DeviceFactory, FacilityFactory, TipFactory, make_case

    facility = FacilityFactory(township=township_a)
    DeviceFactory(facility=facility)
    TipFactory(township=township_a)
    return make_case(township=township_a, by=inspector, status="investigating")


@pytest.fixture
def screening_world(world, clinician):
    """A screening in progress for the world's couple (the catalogue seeded)."""
    from tests.screening.conftest import ensure_catalogue
    from tests.screening.helpers import start

    ensure_catalogue()
    return start(world["couple"], clinician)


def report(role, found, stats):
    """One line per role: what the run covered (the full run's result is recorded in docs/operations.md)."""
    print(f"\nFUZZ {role}: forms={len(found.forms)} fields={stats.get('fields', 0)} "
          f"requests={stats.get('requests', 0)} accepted={stats['accepted']} refused={stats['refused']} 5xx=0")


def test_fuzz_the_inspectors_forms(client_for, inspector, enforcement_world):
    found, stats = run_role(client_for(inspector))
    assert any("/enforcement/" in f.action and f.method == "post" for f in found.forms), [f.key for f in found.forms]
    report("inspector", found, stats)


def test_fuzz_the_clinicians_forms(client_for, clinician, screening_world):
    found, stats = run_role(client_for(clinician))
    assert any("/screening/" in f.action for f in found.forms), [f.key for f in found.forms]
    report("clinician", found, stats)


def test_fuzz_the_assessors_forms(client_for, world, township_a):
    from tests.assessment.factories import grant
    from tests.factories import UserFactory

    assessor = UserFactory(username="assessor", role="bureau_staff")
    grant(assessor)
    found, stats = run_role(client_for(assessor))
    assert any("/assessment/" in f.action and f.method == "post" for f in found.forms), [f.key for f in found.forms]
    report("assessor", found, stats)
