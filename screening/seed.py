"""The catalogue the migrations seed, seeded again where a test's or a benchmark's flush emptied
the tables since (a flush removes migration data; the migrations do not run again)."""
from importlib import import_module

from django.apps import apps as django_apps

# Every data migration that seeds catalogue rows, in order.
SEED_MIGRATIONS = ("0002_seed_catalogue", "0005_complete_rules_and_sub_items")


def ensure_catalogue() -> None:
    from .models import ScreeningItem

    if not ScreeningItem.objects.exists():
        for name in SEED_MIGRATIONS:
            import_module(f"screening.migrations.{name}").seed(django_apps, None)
