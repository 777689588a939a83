"""python manage.py weekly_report [--week YYYY-MM-DD] [--weeks N] [--partial] [--dry-run] [--queue]

Builds (or rebuilds, idempotently) the Monday briefing of the week containing ``--week`` (default:
the week Monday–Sunday just ended), here in this process, through the same service the Celery
worker uses. ``--weeks N`` builds the N weeks ending with that one (a backfill for the 12-week
line). ``--dry-run`` computes and prints the county figures without writing anything. ``--queue``
hands the build to the worker instead (as the page's rebuild button does).

A week that has not ended yet is refused unless ``--partial`` asks for its figures so far; such a
partial week is marked as such on its page and is never shown as last week's briefing (上周通报)
until it is rebuilt after its Sunday.
"""
import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...services.weekly import WeekRefused, weekly_report_build, weekly_report_failed, weekly_report_request
from ...weeks import WEEK, last_complete_week, monday_of


class Command(BaseCommand):
    help = "Build or rebuild the weekly report (每周通报) of the week containing --week (default: last week)."

    def add_arguments(self, parser):
        parser.add_argument("--week", type=datetime.date.fromisoformat, default=None,
                            help="any day of the week (YYYY-MM-DD); its Monday is used. Default: last week.")
        parser.add_argument("--weeks", type=int, default=1, help="build this many weeks, ending with --week")
        parser.add_argument("--dry-run", action="store_true", help="compute and print, write nothing")
        parser.add_argument("--queue", action="store_true", help="queue the build for the Celery worker")
        parser.add_argument("--partial", action="store_true",
                            help="allow a week that has not ended (figures so far; never shown as last week's)")

    def handle(self, *args, week, weeks, dry_run, queue, partial, **options):
        self.verbosity = options.get("verbosity", 1)
        last = monday_of(week) if week else last_complete_week()
        if week and last != week:
            self.stdout.write(f"{week} is not a Monday: building the week starting {last}")
        if weeks < 1:
            raise CommandError("--weeks must be at least 1")
        if not partial and last == monday_of(timezone.localdate()):  # this week: begun, not ended
            raise CommandError(
                f"the week starting {last} has not ended (it ends {last + WEEK - datetime.timedelta(days=1)}): "
                "add --partial to build its figures so far; a partial week is never shown as last week's briefing")
        for n in range(weeks - 1, -1, -1):
            self._one(last - WEEK * n, dry_run=dry_run, queue=queue, partial=partial)

    def _one(self, monday, *, dry_run, queue, partial):
        if queue:
            try:
                result = weekly_report_request(week_start=monday, complete=not partial)
            except WeekRefused as refused:
                raise CommandError(str(refused)) from None
            self.stdout.write(f"{monday}: {result.outcome}")
            if result.outcome == "broker_down":
                raise CommandError(result.report.error)
            return
        started = time.monotonic()
        claim = f"cmd-{monday}-{time.time_ns()}"
        try:
            result = weekly_report_build(week_start=monday, claim=claim, dry_run=dry_run)
        except WeekRefused as refused:
            raise CommandError(str(refused)) from None
        except Exception as error:
            weekly_report_failed(week_start=monday, claim=claim, reason=f"{error}")
            raise
        seconds = time.monotonic() - started
        if result.figures is None:
            self.stdout.write(f"{monday}: {result.outcome} (status {result.report.status}), nothing written")
            return
        figures = result.figures.figures
        self.stdout.write(self.style.SUCCESS(
            f"{monday}: {result.outcome} in {seconds:.2f}s, {len(result.figures.sections)} townships, "
            f"{figures['problem_total']} problems"))
        if dry_run or self.verbosity > 1:
            for meta in figures["indicators"]:
                key = meta["key"]
                self.stdout.write(f"  {meta['label']}: {figures['county'].get(key)} "
                                  f"(last week {figures['county_previous'].get(key)})")
