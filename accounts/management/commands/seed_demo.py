"""python manage.py seed_demo [--scale small|county|full] [--households N]

Deterministic demo data (fixed seed) and idempotent (a second run adds nothing). Each app in
settings.PROJECT_APPS with a ``demo`` module contributes: ``demo.seed(rng=..., scale=..., context=...)``.

``--scale full`` is the full county of the benchmarks (bench/fullscale.py: each app's
``bench/<app>/data.py``'s ``generate``), bulk-loaded into an empty PostgreSQL database: 200,000 households by
default, or ``--households N`` with everything else in proportion.
"""
import random
import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

SEED = 20261128


class Command(BaseCommand):
    help = "Load deterministic demo data: townships, villages, one user per role and each app's records."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "county", "full"], default="small")
        parser.add_argument("--households", type=int, default=None,
                            help="--scale full only: households to generate (default 200,000; the rest scales with it)")

    def handle(self, *args, scale, households, **options):
        started = time.monotonic()
        if scale == "full":
            self._full(households)
        else:
            self._demo(scale)
        self.stdout.write(self.style.SUCCESS(f"demo data ({scale}) ready in {time.monotonic() - started:.1f}s"))

    def _full(self, households):
        # The benchmarks' generator lives in bench/ (above the apps), loaded only for --scale full.
        from bench import fullscale

        households = households or fullscale.FULL_HOUSEHOLDS
        ctx = fullscale.FullScale(
            households=households, audit_rows=round(fullscale.FULL_AUDIT_ROWS * households / fullscale.FULL_HOUSEHOLDS),
            out=self.stdout)
        try:
            fullscale.generate(ctx)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        for step, rows, seconds in ctx.timings:
            self.stdout.write(f"  {step}: {rows} in {seconds:.1f}s")

    def _demo(self, scale):
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
