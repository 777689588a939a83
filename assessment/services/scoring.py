"""The annual score and ranking, computed in SQL; the year lock; scheme changes; closing a year.

Every write to a year's inputs (checks, year-end scores, publicity sites, the scheme) runs in a
transaction that first locks the year's ``Scheme`` row (``lock_year``) and ends by recomputing
the year (``scores_recompute``). The lock is what keeps the stored ranking right under
concurrency: two assessors saving checks at once are serialised, and under READ COMMITTED the
second one's recompute statement starts after the first committed, so it sees both checks. The
same lock makes "no check for a closed year" airtight: closing takes it too.
"""
import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import audit_log

from ..models import AnnualScore, Scheme

# One statement per year. Parts on a 0–100 scale, rounded to 2 decimals; the total from the
# rounded parts (so the published parts add up to the published total); RANK() gives the
# competition ranking 1, 2, 2, 4. A township with no active check has no regular part, one
# without a year-end score no year-end part; either way no total and no rank (NULLS LAST: the
# others' ranks are unaffected).
#
# Regular part, by the scheme's normalisation:
#   ratio     SUM(score) / SUM(maximum) × 100 over all the year's checks (and the publicity points);
#   category  per category SUM(score) / SUM(maximum) × 100, averaged with the category weights of
#             the categories that have checks (a category without checks drops out, the others'
#             weights are rescaled), categories without a weight do not count.
# Publicity sites (人口文化宣传) built in the year are a fixed share of the regular part, set in the
# scheme (publicity_share, %): regular = checks part × (100 − share)% + min(done, target) / target
# × 100 × share%, whatever the checks' maxima add up to (docs/assessment.md has a worked example).
# When the scheme counts rectifications (rectification_points > 0, default 0 = off), the on-time
# rate counts under 经常性工作 as one more "check" of a township with rectifications due in the year
# (deadline in the year, accepted or past due today): rectification_points × on time / due out of
# rectification_points.
RECOMPUTE_SQL = """
WITH scheme AS (
    SELECT * FROM assessment_scheme WHERE year = %(year)s
),
town AS (
    SELECT id FROM accounts_township WHERE is_active
),
sites AS (
    SELECT township_id, COUNT(*) AS done
    FROM assessment_publicitysite
    WHERE status = 'done' AND completion_date >= %(start)s AND completion_date < %(end)s
    GROUP BY township_id
),
rect AS (  -- rectifications (整改) due in the year: accepted, or past their deadline today
    SELECT township_id, COUNT(*) AS due, SUM(CASE WHEN done_on_time THEN 1 ELSE 0 END) AS on_time
    FROM assessment_rectification
    WHERE deadline >= %(start)s AND deadline < %(end)s AND (status = 'done' OR deadline < %(today)s)
    GROUP BY township_id
),
inputs AS (
    SELECT township_id, category, SUM(score) AS score, SUM(maximum) AS maximum, COUNT(*) AS checks
    FROM assessment_regularcheck
    WHERE year = %(year)s AND NOT is_void
    GROUP BY township_id, category
    UNION ALL
    SELECT r.township_id, 'regular_work', s.rectification_points * r.on_time / r.due, s.rectification_points, 0
    FROM rect r JOIN town t ON t.id = r.township_id CROSS JOIN scheme s
    WHERE s.rectification_points > 0
),
by_category AS (
    SELECT township_id, category, SUM(score) AS score, SUM(maximum) AS maximum, SUM(checks) AS checks
    FROM inputs GROUP BY township_id, category
),
weights AS (  -- one row per category (UNION ALL rather than LATERAL VALUES: SQLite runs it too)
    SELECT 'info' AS category, weight_info AS weight FROM scheme
    UNION ALL SELECT 'petition', weight_petition FROM scheme
    UNION ALL SELECT 'inspection', weight_inspection FROM scheme
    UNION ALL SELECT 'regular_work', weight_regular_work FROM scheme
),
regular AS (
    SELECT c.township_id, SUM(c.checks) AS checks,
           CASE WHEN s.normalisation = 'category'
                THEN SUM(w.weight * c.score / c.maximum * 100) / NULLIF(SUM(w.weight), 0)
                ELSE SUM(c.score) / NULLIF(SUM(c.maximum), 0) * 100
           END AS part
    FROM by_category c CROSS JOIN scheme s LEFT JOIN weights w ON w.category = c.category
    GROUP BY c.township_id, s.normalisation
),
year_end AS (
    SELECT township_id, score / maximum * 100 AS part
    FROM assessment_yearendscore WHERE year = %(year)s
),
parts AS (
    SELECT t.id AS township_id,
           CASE WHEN COALESCE(r.checks, 0) > 0 THEN ROUND(
               r.part * (100 - s.publicity_share) / 100
               + s.publicity_share * CASE WHEN COALESCE(x.done, 0) < s.publicity_target THEN COALESCE(x.done, 0)
                                          ELSE s.publicity_target END / s.publicity_target,  -- LEAST(); SQLite too
               2) END AS regular_part,
           ROUND(y.part, 2) AS year_end_part,
           COALESCE(r.checks, 0) AS checks, COALESCE(x.done, 0) AS done
    FROM town t CROSS JOIN scheme s
    LEFT JOIN regular r ON r.township_id = t.id
    LEFT JOIN year_end y ON y.township_id = t.id
    LEFT JOIN sites x ON x.township_id = t.id
),
scored AS (
    SELECT p.*, ROUND(p.regular_part * s.regular_weight / 100 + p.year_end_part * s.year_end_weight / 100, 2) AS total
    FROM parts p CROSS JOIN scheme s
)
INSERT INTO assessment_annualscore
    (year, township_id, regular_part, year_end_part, total, rank, regular_rank, check_count, publicity_done,
     computed_at)
SELECT %(year)s, township_id, regular_part, year_end_part, total,
       CASE WHEN total IS NOT NULL THEN RANK() OVER (ORDER BY total DESC NULLS LAST) END,
       CASE WHEN regular_part IS NOT NULL THEN RANK() OVER (ORDER BY regular_part DESC NULLS LAST) END,
       checks, done, %(now)s
FROM scored
"""


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def lock_year(year: int) -> Scheme:
    """The year's scheme, row-locked until the transaction ends (created with the defaults,
    60/40 and sum ÷ maxima, the first time a year is used)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_year() must run inside the caller's transaction")
    Scheme.objects.get_or_create(year=year)
    return Scheme.objects.select_for_update().get(year=year)


def refuse_if_closed(scheme: Scheme, field: str | None = None) -> None:
    if scheme.is_closed:
        message = _("%(year)s 年度考核已关闭，成绩已公布，不能再修改。") % {"year": scheme.year}
        raise ValidationError({field: message} if field else message)


def _recompute(year: int) -> int:
    start, end = year_bounds(year)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessment_annualscore WHERE year = %s", [year])
        cursor.execute(RECOMPUTE_SQL, {"year": year, "start": start, "end": end, "now": timezone.now(),
                                       "today": timezone.localdate()})
        return cursor.rowcount


@transaction.atomic
def scores_recompute(*, year: int) -> int:
    """Recompute ``year``'s annual scores and ranks from its inputs; returns the rows written.

    A closed year is left as published (returns 0): its figures are frozen.
    """
    scheme = lock_year(year)
    if scheme.is_closed:
        return 0
    return _recompute(year)


@transaction.atomic
def scheme_update(*, scheme: Scheme, by, request=None, **fields) -> Scheme:
    """Change a year's weights or normalisation and recompute the year. Refused once closed."""
    locked = lock_year(scheme.year)
    refuse_if_closed(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    scheme_validate(locked)
    locked.save()
    _recompute(locked.year)
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=locked,
              detail=f"scheme {locked.year}: " + ", ".join(f"{k}={v}" for k, v in sorted(fields.items())))
    return locked


def scheme_validate(scheme: Scheme) -> None:
    """The rules a scheme must satisfy, as field errors in Chinese."""
    errors = {}
    if scheme.regular_weight is not None and scheme.year_end_weight is not None \
            and scheme.regular_weight + scheme.year_end_weight != 100:
        errors["year_end_weight"] = _("经常性考核与年终考核权重合计须为 100。")
    if scheme.normalisation == Scheme.Normalisation.CATEGORY:
        weights = scheme.category_weights()
        if any(w is not None and w < 0 for w in weights.values()):
            errors["weight_info"] = _("类别权重不能为负数。")
        elif sum(w or 0 for w in weights.values()) != 100:
            errors["weight_info"] = _("按类别加权时，四个类别权重合计须为 100。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def year_close(*, year: int, by, request=None) -> Scheme:
    """Close (publish) a year: recompute once more, then freeze its scores and ranks.

    Refused while an active township has no annual score yet (no year-end score or no regular
    check): a published ranking must rank everybody. A closed year cannot be reopened here.
    """
    scheme = lock_year(year)
    refuse_if_closed(scheme)
    _recompute(year)
    pending = AnnualScore.objects.filter(year=year, total__isnull=True).select_related("township")
    names = [str(row.township) for row in pending]
    if names:
        raise ValidationError(_("以下镇街尚无年度成绩（缺年终考核或经常性考核），不能关闭年度：%(names)s") % {
            "names": "、".join(names)})
    scheme.is_closed = True
    scheme.closed_at = timezone.now()
    scheme.closed_by = by
    scheme.save(update_fields=["is_closed", "closed_at", "closed_by", "updated_at"])
    audit_log(action=AuditEvent.Action.UPDATE, request=request, user=by, obj=scheme, detail=f"close year {year}")
    return scheme
