"""Keep ``PathwayState`` (each couple's stored next step, see ``models.pathway``) right.

- ``pathway_state_refresh(couple_ids)``: in the transaction of every write that changes a
  couple's answer — the screening services call it, and the households services announce their
  writes through ``households.signals.couples_changed`` (connected in ``apps.py``).
- ``pathway_state_fresh(today, township_id)``: before the queue or the home page reads, the rows
  in that scope that a date made stale are refreshed (none on a day the nightly task ran);
  ``pathway_queue_fresh(user=...)`` does it for one user's queue (the views call it).
- ``pathway_state_rebuild()``: every couple, a township at a time (``screening.tasks``, nightly,
  and ``manage.py pathway_rebuild`` after a change to ``SCREENING_WINDOWS``).

Each refresh first locks the couples' rows (``FOR NO KEY UPDATE``, in id order) and only then
reads: two transactions refreshing one couple take turns, and the second computes from what the
first committed, so the last write is never an answer from an older snapshot.
"""
import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateField, F, Q, Value, When
from django.db.models.functions import Least
from django.utils import timezone

from households.api import Couple

from ..models import PathwayState, QueueRank
from ..pathway_rules import pathway_steps, plus_days
from ..scoping import queue_township

FOREVER = datetime.date(9999, 12, 31)
COLUMNS = ("township_id", "step", "due_on", "high_risk", "rank", "computed_on", "valid_until")


def _answers(today: datetime.date, where: Q):
    """The couples in ``where`` that have a next step, with the columns of their stored row."""
    w = settings.SCREENING_WINDOWS
    t = Value(today, output_field=DateField())
    # The first day a date-driven branch of the step turns (see pathway_steps): a pregnancy
    # leaves the prenatal screening window, an exam passes the early follow-up's close.
    serum_turn = Case(When(cur__pregnancy_lmp__gte=plus_days(t, -w["serum_to"]),
                           then=plus_days(F("cur__pregnancy_lmp"), w["serum_to"] + 1)),
                      default=Value(FOREVER), output_field=DateField())
    close_turn = Case(When(cur__exam_date__gte=plus_days(t, -w["early_close"]),
                           then=plus_days(F("cur__exam_date"), w["early_close"] + 1)),
                      default=Value(FOREVER), output_field=DateField())
    return (
        pathway_steps(today).filter(where)
        # Implied by having a step, and cheap: PostgreSQL works out the step's CASE only for these.
        .filter(Q(cur_id__isnull=False) | Q(in_register=True, planned_timing="1"))
        .annotate(valid_until=Least(serum_turn, close_turn))
        .order_by()
        .values("step", "due_on", "high_risk", "valid_until", s_couple=F("pk"), s_township=F("township_id"))
    )


def _rows_sql(today: datetime.date, where: Q) -> tuple[str, tuple]:
    """SELECT of the stored rows' columns (``couple_id`` first, then ``COLUMNS``) for the couples
    in ``where`` that have a next step. The rank is worked out once, outside the step's CASE."""
    inner, params = _answers(today, where).query.sql_with_params()
    day = connection.ops.adapt_datefield_value(today)
    sql = (
        "SELECT s.s_couple AS couple_id, s.s_township AS township_id, s.step, s.due_on, s.high_risk, "
        f"CASE WHEN s.due_on < %s THEN (CASE WHEN s.high_risk THEN {QueueRank.OVERDUE_HIGH_RISK:d} "
        f"ELSE {QueueRank.OVERDUE:d} END) WHEN s.high_risk THEN {QueueRank.HIGH_RISK:d} ELSE {QueueRank.OTHER:d} END "
        f"AS rank, %s AS computed_on, s.valid_until FROM ({inner}) s WHERE s.step IS NOT NULL"  # nosec B608
    )
    return sql, (day, day, *params)


def _write(today: datetime.date, where: Q) -> None:
    """Upsert the rows of the couples in ``where`` that have a next step (the caller has deleted
    the old rows of those couples; the upsert only makes a lost race a no-op, not an error)."""
    select, params = _rows_sql(today, where)
    table = connection.ops.quote_name(PathwayState._meta.db_table)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)
    sql = (f"INSERT INTO {table} (couple_id, {', '.join(COLUMNS)}) {select} "  # nosec B608: names from the model
           f"ON CONFLICT (couple_id) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def pathway_state_mismatches(today: datetime.date | None = None) -> int:
    """Couples whose stored row is missing, extra or says something else than the rule says
    today (0 when every write went through the services): the bench's CHECK and the tests'."""
    today = today or timezone.localdate()
    select, params = _rows_sql(today, Q())
    table = connection.ops.quote_name(PathwayState._meta.db_table)
    sql = (f"SELECT count(*) FROM ({select}) a FULL OUTER JOIN {table} p ON p.couple_id = a.couple_id "  # nosec B608
           "WHERE a.couple_id IS NULL OR p.couple_id IS NULL OR p.township_id <> a.township_id "
           "OR p.step <> a.step OR p.due_on IS DISTINCT FROM a.due_on OR p.high_risk <> a.high_risk "
           "OR p.rank <> a.rank")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _lock(couples) -> list[int]:
    return list(couples.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


def pathway_state_refresh(couple_ids, *, today: datetime.date | None = None) -> None:
    """Recompute the stored next step of these couples (and drop it where there is none now)."""
    ids = sorted({int(pk) for pk in couple_ids if pk is not None})
    if not ids:
        return
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock(Couple.objects.filter(pk__in=ids))
        PathwayState.objects.filter(couple_id__in=ids).delete()
        _write(today, Q(pk__in=ids))


def stale(today: datetime.date) -> Q:
    """Rows whose answer a date may have changed since they were computed."""
    return (Q(valid_until__lte=today) | Q(rank__gte=QueueRank.HIGH_RISK, due_on__lt=today)
            | Q(computed_on__gt=today))


def pathway_state_fresh(*, today: datetime.date, township_id: int | None = None) -> int:
    """Refresh the stale rows in a township (or the county); how many there were."""
    rows = PathwayState.objects.filter(stale(today))
    if township_id is not None:
        rows = rows.filter(township_id=township_id)
    ids = list(rows.values_list("couple_id", flat=True))
    if ids:
        pathway_state_refresh(ids, today=today)
    return len(ids)


def pathway_queue_fresh(*, user, today: datetime.date | None = None, township=None) -> int:
    """Before a user's queue is read (the queue page, the home page's counts): refresh the stale
    rows of that queue (``pathway_state_fresh`` over the township it is limited to, or the county)."""
    allowed, township_id = queue_township(user, township)
    if not allowed:
        return 0
    return pathway_state_fresh(today=today or timezone.localdate(), township_id=township_id)


def pathway_state_rebuild(*, today: datetime.date | None = None) -> int:
    """Every couple's row, recomputed a township at a time; the number of rows afterwards."""
    from accounts.models import Township

    today = today or timezone.localdate()
    for township_id in Township.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            _lock(Couple.objects.filter(township_id=township_id))
            PathwayState.objects.filter(township_id=township_id).delete()
            _write(today, Q(township_id=township_id))
    if connection.vendor == "postgresql":
        # Every row was rewritten: fresh statistics, so the planner reads the queue by its index
        # instead of sorting a township it thinks has a hundred rows (autovacuum may come later).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(PathwayState._meta.db_table)}")  # nosec B608
    return PathwayState.objects.count()
