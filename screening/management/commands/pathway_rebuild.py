"""python manage.py pathway_rebuild — recompute every couple's stored next step now.

Run it after changing SCREENING_WINDOWS (the due dates follow the windows) or after writing
couples, screenings or visits outside the services (a data repair); the nightly Celery task
does the same at 00:10.
"""
import time

from django.core.management.base import BaseCommand

from screening.services.pathway_state import pathway_state_rebuild


class Command(BaseCommand):
    help = "Recompute every couple's next step on the screening pathway (the queue's stored rows)."

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = pathway_state_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{rows} couples with a next step, in {time.monotonic() - started:.1f}s"))
