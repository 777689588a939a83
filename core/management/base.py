"""Management-command pieces every app's commands share."""
from django.core.management.base import BaseCommand


class ExpireCommand(BaseCommand):
    """A command that expires what has been kept long enough: ``expire(dry_run=…)`` does it (or
    only counts, with ``--dry-run``) and returns how many; ``items`` / ``records`` name them."""

    items = ""  # what --dry-run counts ("jobs")
    records = ""  # what the report counts ("export file(s)")

    @staticmethod
    def expire(*, dry_run: bool) -> int:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=f"only count the {self.items} that would expire")

    def handle(self, *args, dry_run, **options):
        count = self.expire(dry_run=dry_run)
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(f"{verb} {count} {self.records}")
