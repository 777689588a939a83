"""python manage.py seed_demo [--scale small|county]

Deterministic demo data (fixed seed) and idempotent (a second run adds nothing). Each app in
settings.PROJECT_APPS with a ``demo`` module contributes: ``demo.seed(rng=..., scale=..., context=...)``.
"""
import random
import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

SEED = 20261128


class Command(BaseCommand):
    help = "Load deterministic demo data: townships, villages, one user per role and each app's records."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "county"], default="small")

    def handle(self, *args, scale, **options):
        started = time.monotonic()
        context: dict = {}
        with transaction.atomic():
            for label in settings.PROJECT_APPS:
                config = apps.get_app_config(label)
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                module = import_module(module_name)
                # Each app gets its own RNG so adding an app does not reshuffle another's data.
                rng = random.Random(f"{SEED}:{config.label}:{scale}")
                result = module.seed(rng=rng, scale=scale, context=context)
                context.update(result or {})
                self.stdout.write(f"seeded {config.label}")
        self.stdout.write(self.style.SUCCESS(f"demo data ({scale}) ready in {time.monotonic() - started:.1f}s"))
