"""python manage.py recompute_scores [--year YYYY]: recompute a year's annual scores and ranks.

The pages recompute after every change; this is for changes made outside them (a township
activated or deactivated in the admin, data loaded by hand). A closed year is left as published.
"""
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.services.scoring import scores_recompute


class Command(BaseCommand):
    help = "Recompute the annual scores and ranking of a year (closed years are left as published)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="default: this year")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        written = scores_recompute(year=year)
        if written:
            self.stdout.write(self.style.SUCCESS(f"{year}: {written} townships recomputed"))
        else:
            self.stdout.write(f"{year}: closed, left as published")
