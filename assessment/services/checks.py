"""Writes of regular checks (经常性考核) and year-end scores (年终考核).

Each service locks the year (``scoring.lock_year``), refuses a closed year, writes all rows or
none (``@transaction.atomic``; every row is validated before the first is written) and ends by
recomputing the year's ranking, so a saved check shows in the ranking at once.
"""
import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Township
from accounts.services import audit_log
from core.records import void_record

from ..models import Category, RegularCheck, YearEndScore
from ..permissions import require_assessor
from .scoring import _recompute, lock_year, refuse_if_closed


@dataclass(frozen=True)
class CheckRow:
    township: Township
    score: Decimal | None  # None: this township was not part of this check
    findings: str = ""


def score_errors(score: Decimal | None, maximum: Decimal | None) -> str | None:
    """The message for a score that cannot be recorded, else None."""
    if score is None:
        return None
    if score < 0:
        return _("得分不能为负数。")
    if maximum is not None and score > maximum:
        return _("得分 %(score)s 高于满分 %(maximum)s。") % {"score": score, "maximum": maximum}
    return None


@transaction.atomic
def checks_record(
    *, by, category: str, title: str, check_date: datetime.date, maximum: Decimal, rows: list[CheckRow],
    request=None,
) -> list[RegularCheck]:
    """One check across many townships (the bulk page): all rows or none.

    Errors come back as a ``ValidationError`` keyed ``score_<township id>`` (one per bad row)
    plus ``check_date``/``maximum`` for the shared fields, so the page marks each row.
    """
    require_assessor(by)
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = _("请选择考核类别。")
    if maximum is None or maximum <= 0:
        errors["maximum"] = _("满分必须大于 0。")
    if check_date > timezone.localdate():
        errors["check_date"] = _("考核日期不能晚于今天。")
    scored = [row for row in rows if row.score is not None]
    for row in scored:
        message = score_errors(row.score, maximum if "maximum" not in errors else None)
        if message:
            errors[f"score_{row.township.pk}"] = message
    if not scored and not errors:
        errors["__all__"] = _("请至少填写一个镇街的得分。")
    scheme = lock_year(check_date.year)
    if scheme.is_closed:
        errors["check_date"] = _("%(year)s 年度考核已关闭，不能再录入该年度的考核。") % {"year": scheme.year}
    if errors:
        raise ValidationError(errors)
    batch = uuid.uuid4()
    checks = RegularCheck.objects.bulk_create([
        RegularCheck(
            township=row.township, year=check_date.year, category=category, title=title, check_date=check_date,
            score=row.score, maximum=maximum, findings=row.findings, batch=batch, created_by=by,
        )
        for row in scored
    ])
    _recompute(check_date.year)
    for check in checks:
        audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=check,
                  detail=f"{check.get_category_display()} {check.score}/{check.maximum}")
    return checks


@transaction.atomic
def check_void(*, check: RegularCheck, by, reason: str, request=None) -> RegularCheck:
    """Void a check entered in error (never deleted) and recompute its year. Refused once closed."""
    require_assessor(by)
    scheme = lock_year(check.year)
    refuse_if_closed(scheme, "reason")
    check.refresh_from_db(fields=["is_void"])
    if check.is_void:
        raise ValidationError({"reason": _("该考核记录已作废。")})
    void_record(check, by=by, reason=reason, request=request)
    _recompute(check.year)
    return check


@dataclass(frozen=True)
class YearEndRow:
    township: Township
    score: Decimal | None  # None: leave this township as it is (not assessed yet)
    notes: str = ""


@transaction.atomic
def year_end_record(*, year: int, by, rows: list[YearEndRow], request=None) -> int:
    """Enter or correct the year-end scores of ``year`` (0–100), all rows or none; returns how
    many rows changed. A blank score leaves the township's stored score as it is (its note may still
    change); a note for a township with no score at all is refused, never silently dropped."""
    require_assessor(by)
    scheme = lock_year(year)
    refuse_if_closed(scheme)
    existing = {s.township_id: s for s in YearEndScore.objects.filter(year=year)}
    errors = {}
    for row in rows:
        message = score_errors(row.score, Decimal("100"))
        if message:
            errors[f"score_{row.township.pk}"] = message
        elif row.score is None and row.notes and row.township.pk not in existing:
            # A note typed for a township without a score would be lost: say so instead.
            errors[f"score_{row.township.pk}"] = _("填写了说明，请同时填写得分。")
    if errors:
        raise ValidationError(errors)
    changed = 0
    for row in rows:
        if row.score is None:
            if row.township.pk not in existing:
                continue
            row = YearEndRow(township=row.township, score=existing[row.township.pk].score, notes=row.notes)
        current = existing.get(row.township.pk)
        if current is not None and current.score == row.score and current.notes == row.notes:
            continue
        if current is None:
            current = YearEndScore.objects.create(
                township=row.township, year=year, score=row.score, notes=row.notes, created_by=by, updated_by=by)
            action = AuditEvent.Action.CREATE
        else:
            before = current.score
            current.score, current.notes, current.updated_by = row.score, row.notes, by
            current.save(update_fields=["score", "notes", "updated_by", "updated_at"])
            action = AuditEvent.Action.UPDATE
            audit_detail = f"{before} → {row.score}"
        audit_log(action=action, request=request, user=by, obj=current,
                  detail=audit_detail if action == AuditEvent.Action.UPDATE else f"{row.score}")
        changed += 1
    _recompute(year)
    return changed
