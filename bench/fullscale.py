"""The full-county generator: ``python manage.py seed_demo --scale full`` (what ``make bench`` loads).

A real county: 16 townships of different sizes, ~500 villages, 200,000 households, ~600,000 people,
~170,000 couples, ~1,000,000 follow-up visits over two years, outreach visits and 2,000,000 audit
rows, in under two minutes on the 2-core development machine. ORM saves would take an hour, so
rows are streamed into PostgreSQL with COPY (``BulkLoad.copy``), with the tables' secondary
indexes and foreign keys dropped during the load and rebuilt once at the end.

The contract for apps (bench/README.md has the long version): an app may provide
``bench/<app>/data.py`` with

* ``generate(ctx: FullScale) -> None`` — called in ``settings.PROJECT_APPS`` order inside one
  transaction per app; writes the app's tables with ``ctx.load(...)``, reads what earlier apps
  left in ``ctx.data`` and leaves there what later apps need;
* ``generate_after(ctx) -> None`` — optional second pass, called in the same order once every
  app's ``generate`` has run (accounts writes the audit trail here, from the objects every app
  registered with ``ctx.add_audit_objects``);
* ``CHECKS: dict[str, str]`` — rule name → SQL returning the number of rows that break the rule.
  ``bench/check_data.py`` runs them all; every figure must be 0.

Deterministic: every random choice comes from ``ctx.rng(name)``, seeded from the name, and rows
carry explicit primary keys, so the same code loads the same county (dates are relative to
``ctx.today``). Loads only into a database without households: it is the bench's database, not a
place to mix with someone's demo data.
"""
import datetime
import hashlib
import io
import json
import random
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

SEED = 20261128

# The county, before scaling: ``--households N`` scales everything else in proportion.
FULL_HOUSEHOLDS = 200_000
FULL_AUDIT_ROWS = 2_000_000


def app_modules(kind: str) -> list[tuple[str, str]]:
    """(app label, dotted name) of each app's ``bench/<app>/<kind>.py`` present, in
    ``settings.PROJECT_APPS`` order (kind: "data", the generator; "pages", the timed pages)."""
    found = []
    for label in settings.PROJECT_APPS:
        app = apps.get_app_config(label).name
        if find_spec(f"bench.{app}") is not None and find_spec(f"bench.{app}.{kind}") is not None:
            found.append((label, f"bench.{app}.{kind}"))
    return found


def generator_modules() -> list[str]:
    """Dotted names of the generator modules present (this one and every bench/<app>/data.py)."""
    return [__name__] + [name for _label, name in app_modules("data")]


def fingerprint() -> str:
    """A hash of the generator code and the migrations: when it changes, the bench reloads the county."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    files = [Path(import_module(name).__file__) for name in generator_modules()]
    files += [root / "accounts" / "demo.py"]  # names, demo users and passwords come from there
    for label in settings.PROJECT_APPS:
        files += sorted((Path(apps.get_app_config(label).path) / "migrations").glob("[0-9]*.py"))
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- COPY ---------------------------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_cell(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES) if ("\\" in value or "\t" in value or "\n" in value or "\r" in value) else value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value)  # int, date, datetime (str() gives the ISO form PostgreSQL reads)


class _RowStream(io.RawIOBase):
    """A file-like view of an iterable of rows, read by psycopg2's copy_expert in chunks, so a
    million rows are generated while PostgreSQL ingests the previous ones (2 cores: both busy)."""

    def __init__(self, rows: Iterable):
        self.rows = iter(rows)
        self.buffer = b""
        self.count = 0

    def readable(self):
        return True

    def readinto(self, target):
        while len(self.buffer) < len(target):
            chunk = []
            for row in self.rows:
                # A str is a line already in COPY's text format (generators that format millions
                # of rows themselves); anything else is a tuple of values.
                chunk.append(row if isinstance(row, str) else "\t".join([copy_cell(v) for v in row]))
                if len(chunk) == 2000:
                    break
            if not chunk:
                break
            self.count += len(chunk)
            self.buffer += ("\n".join(chunk) + "\n").encode()
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


@dataclass
class FullScale:
    """What ``generate(ctx)`` gets: the scale, today, seeded RNGs, the loader and shared data."""

    households: int = FULL_HOUSEHOLDS
    audit_rows: int = FULL_AUDIT_ROWS
    today: datetime.date = field(default_factory=timezone.localdate)
    out: object = None  # a writer with .write(str), e.g. a management command's stdout
    data: dict = field(default_factory=dict)
    audit_objects: list = field(default_factory=list)
    timings: list = field(default_factory=list)

    @property
    def factor(self) -> float:
        """This load's size relative to the full county (1.0 = 200,000 households)."""
        return self.households / FULL_HOUSEHOLDS

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{SEED}:{name}:{self.households}")

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    def add_audit_objects(self, *, object_type: str, ids, township_ids, weight: float, actions: dict,
                          users=None) -> None:
        """Offer records for the audit trail: ``ids`` and their ``township_ids`` (parallel
        sequences), ``weight`` (share of the trail's object events) and ``actions`` (action →
        relative frequency, e.g. {"view": 8, "update": 2}). ``users``: the user ids who work on
        these records (default: the clerks of the record's township; county-wide work such as
        enforcement names its inspectors)."""
        self.audit_objects.append(dict(object_type=object_type, ids=ids, township_ids=township_ids,
                                       weight=weight, actions=actions, users=users))

    # --- writing ---
    def load(self, table: str, columns: list[str], rows: Iterable) -> int:
        """COPY ``rows`` (tuples in ``columns`` order, or lines already in COPY's text format, with
        explicit ids) into ``table``. The table
        must have been emptied in this transaction by ``fresh_tables`` (COPY … FREEZE: the rows
        are visible to every later transaction without a VACUUM, so index-only scans work at once)."""
        started = time.monotonic()
        stream = _RowStream(rows)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)", io.BufferedReader(stream, 1 << 20))
        self.timings.append((f"copy {table}", stream.count, time.monotonic() - started))
        return stream.count

    @contextmanager
    def fresh_tables(self, *tables: str):
        """Empty ``tables``, drop their secondary indexes and foreign keys, let the block COPY into
        them, then rebuild indexes and keys, reset the id sequences and ANALYZE.

        Must run inside a transaction (``generate`` is called in one). Index builds over a whole
        table are several times faster than maintaining the index row by row, and foreign-key
        checks are one join per key instead of a trigger per row.
        """
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Deferred key checks still queued (rows written earlier in this transaction, e.g. in a
            # test) would forbid the ALTER TABLEs below: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # CASCADE: tables of later apps that point at these are empty too (they load after).
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])", [list(tables)])
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [list(tables)])
            indexes = cursor.fetchall()
            for table, name, _definition in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        started = time.monotonic()
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT max(id) FROM {table}), 0) + 1, "
                    "false)", [table])  # nosec B608: table names are the generator's own constants
                cursor.execute(f"ANALYZE {table}")
        self.timings.append((f"indexes {', '.join(tables)}", len(indexes) + len(keys), time.monotonic() - started))


# --- running -------------------------------------------------------------------------------------
def _bench_modules():
    for name in generator_modules()[1:]:
        yield name, import_module(name)


def generate(ctx: FullScale) -> FullScale:
    """Run every app's ``generate`` then ``generate_after``, one transaction per app and pass."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the full county loads into PostgreSQL only (COPY); set DATABASE_URL")
    from households.models import Household  # the register is the bench's reason to exist

    if Household.objects.exists():
        raise RuntimeError("the full county loads into an empty database only (households found): "
                           "use a database of its own, e.g. township_bench")
    for phase in ("generate", "generate_after"):
        for name, module in _bench_modules():
            step = getattr(module, phase, None)
            if step is None:
                continue
            started = time.monotonic()
            with transaction.atomic():
                step(ctx)
            ctx.say(f"{name}.{phase}: {time.monotonic() - started:.1f}s")
    return ctx


def run_checks() -> list[tuple[str, str, int]]:
    """Every app's CHECKS: (module, rule, violating rows). All must be 0. A rule is a query
    counting the rows that break it, or a function returning that count."""
    results = []
    with connection.cursor() as cursor:
        for name, module in _bench_modules():
            for rule, sql in getattr(module, "CHECKS", {}).items():
                if callable(sql):  # a rule the app's own code states (its count of violations)
                    results.append((name, rule, sql()))
                    continue
                cursor.execute(sql)
                results.append((name, rule, cursor.fetchone()[0]))
    return results
