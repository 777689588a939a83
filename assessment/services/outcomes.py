"""Rewards and penalties of a closed year (奖优罚劣): proposals from the bands, approval, issue and
corrections (docs/assessment.md "奖优罚劣").

- ``band_for`` is the rule: the first band (in ``position`` order) that a rank or a total falls in.
  Ranks are competition ranks (1, 2, 2, 4), so two townships tied at a band boundary share the
  better rank and both get the better outcome. Counted from the bottom (``from_bottom``), the
  place from the last is ``ranked + 1 - rank``: a tie for the last place (ranks 15, 15 of 16) is
  place 2 from the bottom for both, the better outcome again. No rank, no band.
- A liaison leader's figure is the mean annual total of the townships they are liaison for
  (``selectors.leaders``); the leaders are ranked on it the same way.
- ``outcomes_propose`` writes a proposal per township and per liaison leader of a *closed* year
  (again later: proposals not yet decided follow the bands; decided and issued rows stay).
- ``outcome_decide`` confirms or changes one (a change needs a reason); ``outcomes_issue`` issues
  every decided row under a decision number, unique within the year, and a date.
- An issued row never changes; ``outcome_correct`` writes a new issued row, with its reason and
  its own decision, that supersedes it (the old one stays visible, no longer current).
"""
import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import audit_log

from ..models import AnnualScore, Liaison, Outcome, OutcomeBand, OutcomeDecision, Subject
from ..permissions import require_outcome_approver
from .scoring import lock_year


def band_for(bands: Iterable[OutcomeBand], *, rank: int | None, total: Decimal | None,
             ranked: int) -> OutcomeBand | None:
    """The first band that ``rank`` (of ``ranked`` ranked subjects) or ``total`` falls in."""
    if rank is None or total is None:
        return None
    for band in bands:
        if band.kind == OutcomeBand.Kind.RANK:
            place = ranked + 1 - rank if band.from_bottom else rank
            if band.rank_from <= place <= band.rank_to:
                return band
        elif (band.score_min is None or total >= band.score_min) and (band.score_max is None or total < band.score_max):
            return band
    return None


def competition_ranks(values: dict) -> dict:
    """``{key: rank}`` by value, highest first, ties sharing the better rank (1, 2, 2, 4); None unranked."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    first = {}
    for index, value in enumerate(ordered, start=1):
        first.setdefault(value, index)
    return {key: first.get(value) if value is not None else None for key, value in values.items()}


def leader_figures(year: int) -> dict:
    """``{leader_id: (mean total, rank among leaders)}`` for the year's liaison leaders (two queries)."""
    totals = dict(AnnualScore.objects.filter(year=year).values_list("township_id", "total"))
    by_leader: dict[int, list] = {}
    for leader_id, township_id in Liaison.objects.filter(year=year).values_list("leader_id", "township_id"):
        by_leader.setdefault(leader_id, []).append(totals.get(township_id))
    means = {}
    for leader_id, values in by_leader.items():
        known = [v for v in values if v is not None]
        means[leader_id] = (sum(known) / len(known)).quantize(Decimal("0.01"), ROUND_HALF_UP) if known else None
    ranks = competition_ranks(means)
    return {leader_id: (means[leader_id], ranks[leader_id]) for leader_id in means}


def _subjects(year: int) -> list[dict]:
    """Every subject of the year with its total and rank: townships, then liaison leaders."""
    rows = [{"subject": Subject.TOWNSHIP, "township_id": r.township_id, "leader_id": None, "total": r.total,
             "rank": r.rank} for r in AnnualScore.objects.filter(year=year).order_by("township_id")]
    rows += [{"subject": Subject.LEADER, "township_id": None, "leader_id": leader_id, "total": total, "rank": rank}
             for leader_id, (total, rank) in sorted(leader_figures(year).items())]
    return rows


@transaction.atomic
def outcomes_propose(*, year: int, by, request=None) -> int:
    """Propose each township's and each liaison leader's outcome of a closed year from its bands.

    Creates the missing proposals and brings undecided ones up to date (the bands may have been
    edited); decided and issued rows are left alone. Returns the rows written.
    """
    require_outcome_approver(by)
    scheme = lock_year(year)
    if not scheme.is_closed:
        raise ValidationError(_("%(year)s 年度尚未关闭，关闭后才能生成奖惩建议。") % {"year": year})
    bands = list(OutcomeBand.objects.filter(scheme=scheme))
    current = {(o.subject, o.township_id or o.leader_id): o
               for o in Outcome.objects.select_for_update().filter(year=year, is_current=True)}
    subjects = _subjects(year)
    ranked = {kind: sum(1 for s in subjects if s["subject"] == kind and s["rank"] is not None) for kind in Subject}
    written = 0
    for s in subjects:
        band = band_for([b for b in bands if b.subject == s["subject"]], rank=s["rank"], total=s["total"],
                        ranked=ranked[s["subject"]])
        values = {"total": s["total"], "rank": s["rank"], "band": band,
                  "proposed_label": band.label if band else "", "proposed_measures": band.measures if band else ""}
        row = current.get((s["subject"], s["township_id"] or s["leader_id"]))
        if row is None:
            Outcome.objects.create(year=year, subject=s["subject"], township_id=s["township_id"],
                                   leader_id=s["leader_id"], **values)
            written += 1
        elif row.status == Outcome.Status.PROPOSED:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            written += 1
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, object_type="assessment.outcome",
              object_id=year, detail=f"propose outcomes {year}: {written} rows")
    return written


def _clean_outcome(label: str, measures: str, reason: str) -> tuple[str, str, str]:
    label, measures, reason = (label or "").strip(), (measures or "").strip(), (reason or "").strip()
    if not label:
        raise ValidationError({"label": _("请填写奖惩结果，例如：先进、通报批评、无。")})
    return label, measures, reason


@transaction.atomic
def outcome_decide(*, outcome: Outcome, by, label: str, measures: str = "", reason: str = "",
                   request=None) -> Outcome:
    """Confirm (same as proposed) or change (needs a reason) one outcome not yet issued."""
    require_outcome_approver(by)
    label, measures, reason = _clean_outcome(label, measures, reason)
    row = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if row.status == Outcome.Status.ISSUED or not row.is_current:
        raise ValidationError(_("已下达的奖惩结果不能修改；如需更正，请使用“更正”，写明理由并另行发文。"))
    changed = (label, measures) != (row.proposed_label, row.proposed_measures)
    if changed and not reason:
        raise ValidationError({"reason": _("与建议结果不同，须填写调整理由。")})
    row.label, row.measures, row.reason = label, measures, reason if changed else ""
    row.status, row.decided_by, row.decided_at = Outcome.Status.DECIDED, by, timezone.now()
    row.save()
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=row,
              detail=f"{'change' if changed else 'confirm'}: {label}" + (f" ({reason})" if changed else ""))
    return row


def _decision(*, year: int, by, number: str, decided_on: datetime.date | None) -> OutcomeDecision:
    number = (number or "").strip()
    errors = {}
    if not number:
        errors["number"] = _("请填写决定文号。")
    elif OutcomeDecision.objects.filter(year=year, number=number).exists():
        errors["number"] = _("本年度已有文号为“%(number)s”的决定，请核对文号。") % {"number": number}
    if decided_on is None:
        errors["decided_on"] = _("请填写决定日期。")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("决定日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    return OutcomeDecision.objects.create(year=year, number=number, decided_on=decided_on, issued_by=by)


@transaction.atomic
def outcomes_issue(*, year: int, by, number: str, decided_on: datetime.date | None, request=None) -> OutcomeDecision:
    """Issue every decided outcome of ``year`` under one decision (文号 unique in the year, date)."""
    require_outcome_approver(by)
    scheme = lock_year(year)
    if not scheme.is_closed:
        raise ValidationError(_("%(year)s 年度尚未关闭，不能下达奖惩结果。") % {"year": year})
    rows = list(Outcome.objects.select_for_update().filter(year=year, is_current=True, status=Outcome.Status.DECIDED))
    if not rows:
        raise ValidationError(_("没有已审定、待下达的奖惩结果：请先逐条确认或调整建议结果。"))
    decision = _decision(year=year, by=by, number=number, decided_on=decided_on)
    Outcome.objects.filter(pk__in=[r.pk for r in rows]).update(status=Outcome.Status.ISSUED, decision=decision)
    for row in rows:
        audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=row,
                  detail=f"issue {decision.number}: {row.label}")
    return decision


@transaction.atomic
def outcome_correct(*, outcome: Outcome, by, label: str, measures: str = "", reason: str = "", number: str = "",
                    decided_on: datetime.date | None = None, request=None) -> Outcome:
    """Correct an issued outcome: a new issued row with its reason and decision supersedes it."""
    require_outcome_approver(by)
    label, measures, reason = _clean_outcome(label, measures, reason)
    old = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if old.status != Outcome.Status.ISSUED or not old.is_current:
        raise ValidationError(_("只能更正现行的、已下达的奖惩结果。"))
    if not reason:
        raise ValidationError({"reason": _("更正须写明理由。")})
    decision = _decision(year=old.year, by=by, number=number, decided_on=decided_on)
    # The only change an issued row ever takes: it stops being the current one.
    Outcome.objects.filter(pk=old.pk).update(is_current=False)
    new = Outcome.objects.create(
        year=old.year, subject=old.subject, township_id=old.township_id, leader_id=old.leader_id, total=old.total,
        rank=old.rank, band=old.band, proposed_label=old.proposed_label, proposed_measures=old.proposed_measures,
        label=label, measures=measures, reason=reason, status=Outcome.Status.ISSUED, decided_by=by,
        decided_at=timezone.now(), decision=decision, supersedes=old,
    )
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=new,
              detail=f"correct #{old.pk} by {decision.number}: {label} ({reason})")
    return new
