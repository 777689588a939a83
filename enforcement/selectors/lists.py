"""Reads behind the enforcement lists and their exports.

Every list starts from ``visible_to(user)`` and joins what its page shows (select_related, one
prefetch at most), so a page costs the same few queries at 5 rows or 500. Tips are always read
``without_reporter()``: the reporter's identity never reaches a list or an export.
"""

import datetime
import re

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from core.selectors import filter_given

from ..models import Case, CaseParty, Facility, Inspection, Tip, UltrasoundDevice, designation_field
from ..models.tips import tip_handle_days

CASE_NUMBER = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,6})\s*$")
TIP_NUMBER = re.compile(r"^\s*JB\s*(\d{4})\s*-\s*(\d{1,6})\s*$", re.IGNORECASE)

# Which date a drilldown period applies to (core.indicators: ?township=&start=&end=, end exclusive).
CASE_BASES = {
    "opened": "registered_on",
    "filed": "filed_on",
    "closed": "closed_on",
    "decided": "decided_on",
    "referred": "referred_on",
}
TIP_BASES = {"received": "received_on"}


def _period(qs, field: str, start: datetime.date | None, end: datetime.date | None):
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


# --- 定点机构 -----------------------------------------------------------------------------------
def facility_list(
    *,
    user: User,
    today: datetime.date,
    q: str = "",
    township=None,
    designation: str = "",
    licence: str = "",
    status: str = "active",
):
    qs = Facility.objects.visible_to(user)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    if licence == "expiring":
        qs = qs.licence_expiring(today)
    elif licence == "expired":
        qs = qs.licence_expired(today)
    if q:
        # Names and addresses by their characters' GIN index, licence numbers by trigrams (migration
        # 0002), as one id IN (… UNION …) so that each part uses its index.
        found = Facility.objects.order_by().filter(name__has_text=q).values("id").union(
            Facility.objects.order_by().filter(licence_number__icontains=q).values("id"),
            Facility.objects.order_by().filter(address__has_text=q).values("id"),
        )
        qs = qs.filter(id__in=found)
    if township is not None:
        qs = qs.filter(township=township)
    if designation:
        qs = qs.filter(**{designation_field(designation): True})
    devices = (
        UltrasoundDevice.objects.filter(facility=OuterRef("pk"), is_active=True)
        .order_by()
        .values("facility")
        .annotate(n=Count("*"))
        .values("n")
    )
    qs = qs.annotate(device_count=Coalesce(Subquery(devices, output_field=IntegerField()), Value(0)))
    if licence in ("expiring", "expired"):
        return qs.select_related("township").order_by("licence_valid_until", "id")
    return qs.select_related("township").order_by("township__sort_order", "name", "id")


# --- B超机备案 ----------------------------------------------------------------------------------
def device_list(
    *, user: User, q: str = "", township=None, flagged: bool = False, status: str = "active", facility=None
):
    qs = UltrasoundDevice.objects.visible_to(user)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    if flagged:
        qs = qs.filter(facility__des_ultrasound=False)
    if q:
        qs = qs.filter(
            Q(model_name__icontains=q)
            | Q(serial_number__icontains=q)
            | Q(facility__name__icontains=q)
            | Q(operators__icontains=q)
        )
    qs = filter_given(qs, township=township, facility=facility)
    return qs.select_related("facility", "township").order_by("township__sort_order", "facility__name", "id")


# --- 举报线索 -----------------------------------------------------------------------------------
def tip_list(
    *,
    user: User,
    today: datetime.date,
    q: str = "",
    township=None,
    channel: str = "",
    status: str = "",
    year: int | None = None,
    overdue: bool = False,
    basis: str = "",
    start=None,
    end=None,
):
    qs = Tip.objects.visible_to(user).without_reporter()
    if q:
        # Number and content only: searching must never match the reporter's name or contact,
        # or the search box would reveal who reported.
        match = TIP_NUMBER.match(q)
        qs = qs.filter(year=int(match[1]), seq=int(match[2])) if match else qs.filter(content__icontains=q)
    qs = filter_given(qs, township=township, channel=channel, status=status, year=year)
    if overdue:
        qs = qs.overdue(today)
    if basis == "overdue":
        qs = tips_overdue_in(qs, start, end)
    elif basis in TIP_BASES:
        qs = _period(qs, TIP_BASES[basis], start, end)
    return qs.select_related("township", "case").order_by("-received_on", "-id")


def tips_overdue_q(start: datetime.date | None, end: datetime.date | None) -> Q:
    """Tips not handled within the deadline that were open during ``[start, end)``: the deadline
    (received_on + N days) fell before ``end``, they were not handled by it, and they were still
    unhandled at ``start`` or handled only within the period. The weekly report's problem list,
    the tip list's "overdue" basis and a FILTER of the indicators' batch: one rule."""
    days = datetime.timedelta(days=tip_handle_days())
    condition = Q(handled_on__isnull=True) | Q(handled_on__gt=F("received_on") + days)
    if end:
        condition &= Q(received_on__lt=end - days)
    if start:
        condition &= Q(handled_on__isnull=True) | Q(handled_on__gte=start)
    return condition


def tips_overdue_in(qs, start: datetime.date | None, end: datetime.date | None):
    return qs.filter(tips_overdue_q(start, end))


# --- 两非案件 -----------------------------------------------------------------------------------
def case_list(
    *,
    user: User,
    today: datetime.date,
    q: str = "",
    township=None,
    status: str = "",
    source: str = "",
    year: int | None = None,
    overdue: bool = False,
    basis: str = "",
    start=None,
    end=None,
):
    qs = Case.objects.visible_to(user)
    if q:
        match = CASE_NUMBER.match(q)
        if match:
            qs = qs.filter(year=int(match[1]), seq=int(match[2]))
        else:
            # One id IN (… UNION …), each part answered by a GIN index over the characters
            # (core/search.py, migration 0002); an OR of the parts could use none of them.
            titles = Case.objects.filter(title__has_text=q).order_by().values("id")
            people = CaseParty.objects.filter(name__has_text=q).order_by().values("case_id")
            named = Facility.objects.filter(name__has_text=q).order_by().values("id")
            facilities = CaseParty.objects.filter(facility__in=named).order_by().values("case_id")
            qs = qs.filter(id__in=titles.union(people, facilities))
    qs = filter_given(qs, township=township, status=status, source=source, year=year)
    if overdue:
        qs = qs.overdue(today)
    if basis in CASE_BASES:
        qs = _period(qs, CASE_BASES[basis], start, end)
    return (
        qs.select_related("township")
        .prefetch_related(
            Prefetch("parties", queryset=CaseParty.objects.select_related("facility").order_by("id")),
        )
        # Ends with the primary key (numbers are unique per year, so the order is the same): keyset
        # pages (core/pagination.py), the last page as cheap as the first.
        .order_by("-year", "-seq", "-id")
    )


# --- 执法检查 -----------------------------------------------------------------------------------
def inspection_list(
    *,
    user: User,
    q: str = "",
    township=None,
    year: int | None = None,
    facility=None,
    problems: str = "",
    start=None,
    end=None,
):
    qs = Inspection.objects.visible_to(user)
    if q:
        qs = qs.filter(Q(facility__name__icontains=q) | Q(findings__icontains=q))
    if township is not None:
        qs = qs.filter(township=township)
    if year:
        qs = qs.filter(inspected_on__gte=datetime.date(year, 1, 1), inspected_on__lt=datetime.date(year + 1, 1, 1))
    if facility is not None:
        qs = qs.filter(facility=facility)
    if problems == "yes":
        qs = qs.filter(problems_found=True)
    elif problems == "no":
        qs = qs.filter(problems_found=False)
    qs = _period(qs, "inspected_on", start, end)
    return (
        qs.select_related("facility", "township")
        .prefetch_related(
            Prefetch("inspectors", queryset=User.objects.order_by("name", "id")),
        )
        .order_by("-inspected_on", "-id")
    )
