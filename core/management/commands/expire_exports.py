from django.core.management.base import BaseCommand

from core.exports import exports_expire


class Command(BaseCommand):
    help = "Delete export files older than EXPORTS_KEEP_HOURS and close export jobs a dead worker left running."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count the jobs that would expire")

    def handle(self, *args, dry_run, **options):
        count = exports_expire(dry_run=dry_run)
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(f"{verb} {count} export file(s)")
