"""The pathway queue: one next step per couple across intention → screening → (high risk) advice
and referral → early pregnancy → prenatal screening → outcome.

The rule is one SQL statement (``pathway_steps``, screening/pathway_rules.py): couples LEFT JOIN their current screening (one
row each, partial index ``screening_current_couple``), a CASE over the screening's pathway
columns, the couple's register and pregnancy columns (kept by the households app from its visits)
and today's date. Its answer — step, due date, high risk, the queue's rank — is stored per couple
(``models.PathwayState``, kept by ``services.pathway_state``), so the queue (``pathway_queue``)
reads a range of one index in the order overdue first, then high risk, then the earliest due,
and costs the same at any county size. A couple's own pathway page asks the rule directly
(``couple_pathway``). The human "why" of each row is worded in Python for the page's rows only
(``explain``).
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, Case, F, FilteredRelation, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Cap
from households.api import couples_county, latest_survey_date

from ..models import EarlyResult, OutcomeResult, QueueRank, RiskLevel, Step
from ..pathway_rules import GESTATION_DAYS, pathway_steps
from ..scoping import queue_township, search_township

STEP_LABELS = dict(Step.choices)
STEP_CHOICES = list(STEP_LABELS.items())
RISK_SHORT = {RiskLevel.GENERAL: _("一般"), RiskLevel.HIGH: _("高风险")}


def queue_rows():
    """Couples with a stored next step (``PathwayState``), with the columns a queue row shows:
    the step, due date and rank from the stored row, the current screening's columns for the
    "why" (the page's rows only: the current screening is one index probe per row)."""
    state = "pathway_state__"
    return (
        couples_county().filter(is_void=False, pathway_state__isnull=False)
        .annotate(cur=FilteredRelation("screenings", condition=Q(screenings__is_current=True)))
        .annotate(
            survey_on=latest_survey_date(),
            cur_id=F("cur__id"), cur_status=F("cur__status"), cur_risk=F("cur__risk_level"),
            cur_exam_date=F("cur__exam_date"), cur_lmp=F("cur__pregnancy_lmp"),
            cur_early_result=F("cur__early_result"), cur_outcome_result=F("cur__outcome_result"),
            cur_prenatal_high_since=F("cur__prenatal_high_since"),
            step=F(state + "step"), due_on=F(state + "due_on"), high_risk=F(state + "high_risk"),
            queue_rank=F(state + "rank"),
            overdue=Case(When(pathway_state__rank__lte=QueueRank.OVERDUE, then=Value(True)), default=Value(False),
                         output_field=BooleanField()),
        )
    )


def queue_scope(user, qs, *, township=None, state: str = "pathway_state__"):
    """``qs`` (couples, or stored rows with ``state=""``) limited to the user's queue. For
    couples both the couple's own township (the boundary) and the stored row's (the index's
    first column) are filtered."""
    allowed, township_id = queue_township(user, township)
    if not allowed:
        return qs.none()
    if township_id is None:
        return qs
    return qs.filter(**{"township_id": township_id, f"{state}township_id": township_id})


def pathway_queue(*, user, today: datetime.date | None = None, township=None, step: str = "",
                  high_risk_only: bool = False, overdue_only: bool = False, q: str = ""):
    """The user's queue: couples with a next step, overdue first, then high risk, then earliest due.

    It reads the stored next steps (``PathwayState``); the caller first refreshes those in the
    user's scope that a date made stale (``services.pathway_state.pathway_queue_fresh``; a
    selector does not write). The order (rank, due date, id) is the stored rows' index, so a
    page — the first or the last — is a short range of it at any county size.
    """
    qs = queue_scope(user, queue_rows(), township=township)
    if step:
        qs = qs.filter(pathway_state__step=step)
    if high_risk_only:
        qs = qs.filter(pathway_state__high_risk=True)
    if overdue_only:
        qs = qs.filter(pathway_state__rank__lte=QueueRank.OVERDUE)
    q = (q or "").strip()
    if q:
        from .screenings import couples_matching

        qs = qs.filter(pk__in=couples_matching(q, township_id=search_township(user)))
    # One ascending order (rank, due date, id) that core.pagination pages by keyset: the last page
    # reads the index backwards instead of counting and skipping every couple (OFFSET).
    return qs.order_by("queue_rank", "due_on", "id")


def couple_pathway(*, couple_id: int, today: datetime.date | None = None):
    """One couple's step (the same statement as the queue, for its pathway page)."""
    return pathway_steps(today or timezone.localdate()).filter(pk=couple_id).first()


@dataclass
class Action:
    label: str
    url: str


def explain(row, today: datetime.date) -> str:
    """Why the couple is in the queue, in a sentence a clerk can act on."""
    w = settings.SCREENING_WINDOWS
    step = row.step
    if step == Step.SCREEN:
        return str(_("计划一年内生育，尚未做孕前优生健康检查")) + (
            str(_("（%(d)s 摸底）")) % {"d": row.survey_on.isoformat()} if row.survey_on else "")
    if step == Step.COMPLETE:
        return str(_("%(d)s 开始检查，结果尚未录完")) % {"d": row.cur_exam_date.isoformat()}
    if step == Step.ASSESS:
        return str(_("检查结果已录完，待医生做风险评估"))
    if step == Step.ADVISE:
        return str(_("高风险人群，待告知评估建议并转诊"))
    if step == Step.DIAGNOSIS:
        return str(_("产前筛查高风险（%(d)s），待产前诊断")) % {"d": row.cur_prenatal_high_since.isoformat()}
    if step == Step.PRENATAL:
        nt_to = row.cur_lmp + datetime.timedelta(days=w["nt_to"])
        serum_to = row.cur_lmp + datetime.timedelta(days=w["serum_to"])
        weeks = (today - row.cur_lmp).days
        return str(_("已孕 %(w)s 周；NT 筛查至 %(nt)s，血清学筛查至 %(serum)s")) % {
            "w": f"{weeks // 7}+{weeks % 7}", "nt": nt_to.isoformat(), "serum": serum_to.isoformat()}
    if step == Step.OUTCOME:
        if row.cur_outcome_result == OutcomeResult.NOT_DELIVERED:
            return str(_("上次结局随访尚未分娩"))
        edd = row.cur_lmp + datetime.timedelta(days=GESTATION_DAYS)
        return str(_("预产期 %(d)s，待妊娠结局随访")) % {"d": edd.isoformat()}
    if step == Step.EARLY:
        if row.pregnancy_status in ("pregnant", "delivered", "terminated") and row.last_visit_date \
                and row.cur_exam_date and row.last_visit_date >= row.cur_exam_date:
            return str(_("随访记录显示%(s)s（%(d)s），待早孕随访")) % {
                "s": row.get_pregnancy_status_display(), "d": row.last_visit_date.isoformat()}
        if row.cur_early_result == EarlyResult.NOT_PREGNANT:
            return str(_("上次早孕随访未孕"))
        return str(_("%(d)s 已检查，待早孕随访")) % {"d": row.cur_exam_date.isoformat()}
    return ""


def status_label(row) -> str:
    """``高风险 · 待早孕随访``: what a clerk may know — the risk level and the next step."""
    parts = [str(RISK_SHORT[row.cur_risk])] if row.cur_risk else []
    if row.step:
        parts.append(str(STEP_LABELS[row.step]))
    return " · ".join(parts)


def action_for(row, user) -> Action | None:
    """The one-tap action for the next step, as far as the user's role may take it: clinicians
    the step itself; clerks a follow-up visit (mobilising and checking on the couple)."""
    if not user.can(Cap.SCREENING_CHANGE):
        if user.can(Cap.VISIT_RECORD) and row.in_register:
            return Action(str(_("记录随访")), reverse("households:visit_create", args=[row.pk]))
        return None
    step, sid = row.step, row.cur_id
    targets = {
        Step.SCREEN: (_("登记检查"), "screening:screening_start", row.pk),
        Step.COMPLETE: (_("录入结果"), "screening:results", sid),
        Step.ASSESS: (_("风险评估"), "screening:assess", sid),
        Step.ADVISE: (_("打印告知书"), "screening:letter", sid),
        Step.EARLY: (_("早孕随访"), "screening:early_create", sid),
        Step.PRENATAL: (_("产前筛查"), "screening:prenatal_create", sid),
        Step.DIAGNOSIS: (_("产前诊断"), "screening:screening_detail", sid),
        Step.OUTCOME: (_("结局随访"), "screening:outcome_create", sid),
    }
    if step not in targets:
        return None
    label, name, pk = targets[step]
    return Action(str(label), reverse(name, args=[pk]))


def decorate(rows, *, user, today: datetime.date) -> None:
    """Add ``why``, ``status_text``, ``action`` and ``days_overdue`` to a page's rows (no queries)."""
    for row in rows:
        row.why = explain(row, today)
        row.status_text = status_label(row)
        row.action = action_for(row, user)
        row.days_overdue = (today - row.due_on).days if row.due_on and row.due_on < today else 0
