"""Reads of households and couples that depend on the user (docs/architecture.md: selectors read).

Every function starts from ``visible_to(user)``, so scoping is decided once, in the querysets.
List selectors return QuerySets whose related rows come in a fixed number of queries whatever
the page size (select_related for the one-to-one side, Prefetch for members).
"""
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db.models import OuterRef, Prefetch, Q, Subquery

from accounts.models import User, Village
from accounts.roles import Role
from accounts.scoping import linked_village_ids
from accounts.validators import mask_id_number
from core.models import choice_label

from ..models import Assignment, Couple, Household, IntentionSurvey, OutreachVisit, Person, Relation

# Search terms. An ID number is found by the whole number or by exactly its last four
# characters, which every list shows anyway (``mask_id_number`` keeps the area code and the
# last four). A longer tail is refused: probing 5, 6, ... trailing characters would recover the
# masked birth date digit by digit without opening a detail page (and without an audit row).
ID_FULL = re.compile(r"^\d{17}[\dX]$")
ID_TAIL = re.compile(r"^\d{3}[\dX]$")  # exactly the last 4 characters
PHONE = re.compile(r"^\d{4,}$")  # 4 or more digits, anywhere in the number

HOUSEHOLD_SORTS = {
    "village": ("village__code", "address", "id"),
    "head": ("head_name", "id"),
    "newest": ("-created_at", "-id"),
}
HOUSEHOLD_STATUSES = ("active", "void", "all")


def search_term(q: str) -> str:
    """``q`` as the search rules compare it: upper case, no spaces."""
    return (q or "").strip().upper().replace(" ", "")


def is_phone_term(q: str) -> bool:
    """Whether ``q`` is also looked for among households' phones (4+ digits, not a whole ID number)."""
    term = search_term(q)
    return bool(PHONE.match(term)) and not ID_FULL.match(term)


def _any(conditions: list[Q]) -> Q:
    return reduce(operator.or_, conditions)


def person_match(q: str, *, prefix: str = "") -> Q:
    """People found by ``q``: name (contains), ID number (the whole number, or exactly its last
    4 characters), or phone (4+ digits, contains). ``prefix`` reaches the person from another
    model (``"wife__"``). The one search rule of every list; callers skip it for an empty ``q``.

    Each kind of term is looked for where it can be and through its own index: a whole ID number
    only in the ID column (the unique index: one row), a number only in IDs and phones (not in
    names), anything else in names (``has_text``: the characters' GIN index, core/search.py).
    """
    q = (q or "").strip()
    term = search_term(q)
    if ID_FULL.match(term):
        return Q(**{f"{prefix}id_number": term})
    conditions = []
    if ID_TAIL.match(term):
        conditions.append(Q(**{f"{prefix}id_number__last4": term}))
    if PHONE.match(term):
        conditions.append(Q(**{f"{prefix}phone__contains": term}))
    if not conditions:
        conditions.append(Q(**{f"{prefix}name__has_text": q}))
    return _any(conditions)


def phone_match(q: str, *, prefix: str = "") -> Q:
    """A household's phone (4+ digits, contains); matches nothing for any other term."""
    term = search_term(q)
    if PHONE.match(term):
        return Q(**{f"{prefix}phone__contains": term})
    return Q(pk__in=[])


def household_match(q: str) -> Q:
    """Households whose own columns match ``q``: the head's name or the phone."""
    term = search_term(q)
    if ID_TAIL.match(term) or PHONE.match(term):
        return phone_match(q)
    return Q(head_name__has_text=q.strip())


def people_matching(q: str, *, user: User):
    """Active people ``user`` may see who match ``q`` (a subquery: one query with its caller)."""
    return Person.objects.visible_to(user).filter(person_match(q), is_void=False).order_by()


def household_search(q: str, *, user: User) -> Q:
    """Households whose head's name, phone or any active member matches ``q``. The members are
    looked for among the people ``user`` may see only, not the whole county.

    One ``id IN (members' households UNION households matching themselves)``: PostgreSQL answers
    each half from its index and joins the few ids found, where an OR of the two would read every
    household of the township to test it.
    """
    q = (q or "").strip()
    if not q:
        return Q()
    members = people_matching(q, user=user).values("household_id")
    if ID_FULL.match(search_term(q)):
        return Q(pk__in=members)  # one person, by the unique index
    own = Household.objects.visible_to(user).filter(household_match(q)).order_by().values("pk")
    return Q(pk__in=members.union(own))


def couple_search(q: str, *, user: User) -> Q:
    """Couples whose wife or husband matches ``q`` (people ``user`` may see), or whose household's
    phone does. ``id IN (a UNION b UNION c)`` for the same reason as ``household_search``."""
    q = (q or "").strip()
    if not q:
        return Q()
    people = people_matching(q, user=user).values("pk")
    couples = Couple.objects.visible_to(user).order_by()
    found = couples.filter(wife__in=people).values("pk").union(couples.filter(husband__in=people).values("pk"))
    if is_phone_term(q):
        phones = Household.objects.visible_to(user).filter(phone_match(q)).order_by().values("pk")
        found = found.union(couples.filter(household__in=phones).values("pk"))
    return Q(pk__in=found)


def filter_villages(user: User):
    """Villages a user may filter the household list by: a clerk's township, a bureau staff
    member's linked villages; nobody else's."""
    if user.role == Role.CLERK and user.township_id:
        return Village.objects.filter(township_id=user.township_id).order_by("code")
    if user.role == Role.BUREAU_STAFF:
        return Village.objects.filter(id__in=linked_village_ids(user)).order_by("code")
    return Village.objects.none()


def writable_villages(user: User):
    """Villages a clerk may file a household under: the active villages of their township."""
    if not user.township_id:
        return Village.objects.none()
    return Village.objects.filter(township_id=user.township_id, is_active=True).order_by("code")


def heads_prefetch() -> Prefetch:
    """The household's active head (relation 本人) as ``household.heads`` (a list, first one wins)."""
    heads = Person.objects.filter(is_void=False, relation=Relation.SELF).order_by("id")
    return Prefetch("members", queryset=heads, to_attr="heads")


def active_members_prefetch(to_attr: str = "active_members") -> Prefetch:
    return Prefetch(
        "members", queryset=Person.objects.filter(is_void=False).order_by("relation", "birth_date", "id"),
        to_attr=to_attr,
    )


@dataclass(frozen=True, slots=True)
class MemberLine:
    """One active member as the household list shows it: name, relation, masked ID number."""

    name: str
    relation: str
    id_number: str

    def get_relation_display(self) -> str:
        return choice_label(Person._meta.get_field("relation"), self.relation)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def attach_active_members(households) -> list:
    """Set ``active_members`` on each of ``households`` (a page of them): its active members in
    the order of ``active_members_prefetch``, as ``MemberLine`` values read in one query of four
    columns (no model instances: the busiest page's largest set of rows, issue #7)."""
    households = list(households)
    members = {household.pk: [] for household in households}
    if members:
        rows = (Person.objects.filter(household_id__in=list(members), is_void=False)
                .order_by("relation", "birth_date", "id").values_list("household_id", "name", "relation", "id_number"))
        for household_id, name, relation, id_number in rows:
            members[household_id].append(MemberLine(name, relation, id_number))
    for household in households:
        household.active_members = members[household.pk]
    return households


def household_list(*, user: User, q: str = "", village=None, status: str = "active", sort: str = "village"):
    """Households visible to ``user``, searched, filtered and sorted, with their village; the
    list page adds the active members of the page's households (``attach_active_members``)."""
    qs = Household.objects.visible_to(user)
    if status == "void":
        qs = qs.filter(is_void=True)
    elif status == "incomplete":  # imported without an address: the clerk completes them
        qs = qs.filter(is_void=False, address="")
    elif status != "all":
        qs = qs.filter(is_void=False)
    if q:
        qs = qs.filter(household_search(q, user=user))
    if village is not None:
        qs = qs.filter(village=village)
    return qs.select_related("village").order_by(*HOUSEHOLD_SORTS.get(sort, HOUSEHOLD_SORTS["village"]))


def household_members(household: Household):
    """All members, voided ones last, for the detail page."""
    return household.members.order_by("is_void", "relation", "birth_date", "id")


def household_couples(*, user: User, household: Household):
    """The household's couples the user may see (none for bureau staff: couples are the township's)."""
    return (
        Couple.objects.visible_to(user).filter(household=household)
        .select_related("wife", "husband", "responsible").order_by("is_void", "id")
    )


def household_outreach(*, user: User, household: Household):
    return (
        OutreachVisit.objects.visible_to(user).filter(household=household)
        .select_related("visitor").order_by("-visit_date", "-id")
    )


def merge_candidates(*, user: User, source: Household, q: str = ""):
    """Active households of the source's township the source could be merged into."""
    q = (q or "").strip()
    if not q:
        return Household.objects.none()
    qs = (
        Household.objects.visible_to(user).active().filter(township_id=source.township_id)
        .exclude(pk=source.pk)
    )
    if q.isdigit() and len(q) < 10:
        # A household number as shown on its page ("#123"), or a search term.
        qs = qs.filter(Q(pk=int(q)) | household_search(q, user=user))
    else:
        qs = qs.filter(household_search(q.lstrip("#"), user=user))
    return (
        qs.select_related("village").prefetch_related(active_members_prefetch())
        .order_by("village__code", "address", "id")[:20]
    )


def couple_surveys(couple: Couple):
    return IntentionSurvey.objects.filter(couple=couple).select_related("surveyor").order_by("-surveyed_on", "-id")


def couple_assignments(couple: Couple):
    return (
        Assignment.objects.filter(couple=couple).select_related("staff", "assigned_by")
        .order_by("-started_at", "-id")
    )


def couple_member_choices(household: Household):
    """Active members of the household that can be picked as wife or husband."""
    return {
        "wives": household.members.filter(is_void=False, sex="2").order_by("relation", "birth_date", "id"),
        "husbands": household.members.filter(is_void=False, sex="1").order_by("relation", "birth_date", "id"),
    }


def person_in_scope_by_id_number(*, user: User, id_number: str) -> Person | None:
    """An active member visible to ``user`` with this exact number (for picking a husband
    registered in another household of the township)."""
    if not id_number:
        return None
    return (
        Person.objects.visible_to(user).filter(id_number=id_number, is_void=False, household__is_void=False)
        .select_related("household").first()
    )


# --- For other apps that scope couples by rules of their own (screening) -----------------------
def couples_county():
    """Every couple of the county, its people and household joined.

    For an app whose users reach couples by its own scoping rule (screening: clinicians serve
    the whole county, clerks their township); the caller applies that rule before showing any row.
    """
    return Couple.objects.select_related("wife", "husband", "household__village", "township")


def latest_survey_date(couple_ref: str = "pk") -> Subquery:
    """The couple's latest intention survey date, as an expression on a queryset of couples
    (``couple_ref`` names the couple's id there). The survey index answers it per row."""
    latest = IntentionSurvey.objects.filter(couple_id=OuterRef(couple_ref)).order_by("-surveyed_on", "-id")
    return Subquery(latest.values("surveyed_on")[:1])
