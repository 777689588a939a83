"""Reads of screenings for clinicians (results) and the couple's pathway page (status only)."""
from django.db.models import Prefetch

from core.selectors import filter_given
from households.api import (Couple, Household, Person, couple_visit_history, couples_county, is_phone_term,
                            person_match, phone_match)

from ..models import EarlyPregnancyFollowUp, OutcomeFollowUp, PrenatalScreening, Screening
from ..scoping import SCREENING, search_township


def couples_visible(user):
    """Couples the user may open in screening, by screening's rule (screening/scoping.py)."""
    return couples_county().visible_to(user, rule=SCREENING)


def couples_matching(q: str, *, township_id=None):
    """Ids of the couples whose wife or husband matches ``q`` (name, ID number, last 4, phone) or
    whose household's phone does, in one township or the county: ``a UNION b UNION c``, each part
    answered from its own index (the characters' GIN index over names, the phone trigrams, the
    unique ID index), as ``households.selectors.register.couple_search`` does for a clerk. An OR across the
    joins instead made PostgreSQL read every screening or couple of the county to test it."""
    people = Person.objects.filter(person_match(q)).order_by()
    couples = Couple.objects.order_by()
    if township_id is not None:
        people, couples = people.filter(township_id=township_id), couples.filter(township_id=township_id)
    people = people.values("pk")
    found = couples.filter(wife__in=people).values("pk").union(couples.filter(husband__in=people).values("pk"))
    if is_phone_term(q):
        phones = Household.objects.filter(phone_match(q)).order_by()
        if township_id is not None:
            phones = phones.filter(township_id=township_id)
        found = found.union(couples.filter(household__in=phones.values("pk")).values("pk"))
    return found


def find_couples(*, user, q: str, township=None):
    """Active couples found by the wife's or husband's name, ID number (whole or last 4) or phone,
    or the household's phone; a clinician searches the whole county. At most 30, with their
    current screening (one query)."""
    q = (q or "").strip()
    if not q:
        return couples_county().none()
    qs = couples_visible(user).filter(is_void=False).filter(
        pk__in=couples_matching(q, township_id=search_township(user)))
    if township is not None:
        qs = qs.filter(township=township)
    current = Screening.objects.filter(is_current=True)
    return qs.prefetch_related(Prefetch("screenings", queryset=current, to_attr="current_screenings")) \
        .order_by("township__sort_order", "household__village__code", "id")[:30]


SCREENING_SORTS = {"newest": ("-exam_date", "-id"), "oldest": ("exam_date", "id")}


def screening_list(*, user, q: str = "", township=None, status: str = "", risk: str = "",
                   date_from=None, date_to=None):
    """Screenings visible to the user (clinicians: county), newest first; couple joined."""
    qs = Screening.objects.visible_to(user).filter(is_void=False)
    q = (q or "").strip()
    if q:
        qs = qs.filter(couple__in=couples_matching(q, township_id=search_township(user)))
    qs = filter_given(qs, township=township, status=status, risk_level=risk, exam_date__gte=date_from,
                      exam_date__lte=date_to)
    return qs.select_related("couple__wife", "couple__husband", "couple__household__village", "township") \
        .order_by("-exam_date", "-id")


def screening_results(screening: Screening):
    return screening.results.select_related("field__item").order_by("field__item__number", "field__sort_order",
                                                                      "subject")


def screening_follow_ups(screening: Screening) -> dict:
    """The follow-ups of one screening, void ones too (marked), newest first."""
    return {
        "early": list(EarlyPregnancyFollowUp.objects.filter(screening=screening).select_related("worker")
                      .order_by("-followed_on", "-id")),
        "prenatal": list(PrenatalScreening.objects.filter(screening=screening).select_related("worker")
                         .order_by("-tested_on", "-id")),
        "outcome": list(OutcomeFollowUp.objects.filter(screening=screening).select_related("worker")
                        .order_by("-followed_on", "-id")),
    }


def couple_screenings(couple):
    return Screening.objects.filter(couple=couple).select_related("doctor").order_by("-exam_date", "-id")


def couple_pregnancies(couple, screenings) -> list[dict]:
    """The couple's pregnancies as one list: the household's visits that found her pregnant,
    grouped (consecutive 已孕 visits are one pregnancy until a visit finds it ended), each with
    the screening that follows it (its early follow-up links the same visit). A pregnancy
    recorded by a clerk's visit and by an early follow-up is therefore shown once."""
    visits = list(couple_visit_history(couple).filter(is_void=False).order_by("visit_date", "id"))
    linked = {s.pregnancy_visit_id: s for s in screenings if s.pregnancy_visit_id and not s.is_void}
    pregnancies, current = [], None
    for visit in visits:
        if visit.pregnancy_status == "pregnant":
            if current is None:
                current = {"lmp": visit.last_menstrual_period, "first_seen": visit.visit_date, "visits": [],
                           "screening": None, "ended": None}
                pregnancies.append(current)
            current["visits"].append(visit)
            current["screening"] = current["screening"] or linked.get(visit.pk)
        elif current is not None:
            if visit.pregnancy_status in ("delivered", "terminated"):
                current["ended"] = visit
            current = None
    return list(reversed(pregnancies))


__all__ = ["couples_visible", "couples_matching", "find_couples", "screening_list", "screening_results", "screening_follow_ups",
           "couple_screenings", "couple_pregnancies"]
