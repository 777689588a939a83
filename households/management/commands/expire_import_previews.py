from django.core.management.base import BaseCommand

from households.services.exchange import import_previews_expire


class Command(BaseCommand):
    help = "Cancel Excel import previews older than HOUSEHOLDS_IMPORT_PREVIEW_HOURS and scrub their ID numbers."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count the batches that would expire")

    def handle(self, *args, dry_run, **options):
        count = import_previews_expire(dry_run=dry_run)
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(f"{verb} {count} import preview(s)")
