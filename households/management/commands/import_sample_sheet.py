"""python manage.py import_sample_sheet OUT.xlsx [--township CODE] [--rows N] [--no-errors] [--seed N]

Writes a sample of the townships' Excel sheet (docs/import-format.md) for a township: good rows in
its villages, written as real sheets are, plus one bad row of each kind the preview reports.
Upload it at /households/import/ as a clerk of that township.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Township, Village
from households.exchange_sample import sample_workbook


class Command(BaseCommand):
    help = "Write a sample Excel register sheet (good and bad rows) for the import page."

    def add_arguments(self, parser):
        parser.add_argument("output", help="path of the .xlsx file to write")
        parser.add_argument("--township", help="township code (default: the first active township)")
        parser.add_argument("--rows", type=int, default=20, help="number of good rows (default 20)")
        parser.add_argument("--no-errors", action="store_true", help="good rows only")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, output, township, rows, no_errors, seed, **options):
        townships = Township.objects.active()
        found = townships.filter(code=township).first() if township else townships.first()
        if found is None:
            raise CommandError("没有找到镇/街道：请先运行 seed_demo，或用 --township 指定区划代码。")
        villages = list(Village.objects.filter(township=found, is_active=True).values_list("name", flat=True))
        if not villages:
            raise CommandError(f"{found.name} 没有启用的村/社区。")
        others = Village.objects.exclude(township=found).exclude(name__in=villages)
        foreign = others.values_list("name", flat=True).first() or ""
        content = sample_workbook(villages=villages, count=rows, seed=seed, with_errors=not no_errors,
                                  foreign_village=foreign)
        Path(output).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"wrote {output}: {rows} rows for {found.name}"))
