"""Export benchmark: a whole township (12,000 households, 61,000 visits) through core.exports,
against the floor — the same rows from a plain psycopg2 cursor with hand-written SQL, written by
the same library (XlsxWriter constant-memory) with no formatting, masking or labels.

    DATABASE_URL=postgres://…/tr_excel_bench .venv/bin/python bench/export_bench.py generate
    DATABASE_URL=…  .venv/bin/python bench/export_bench.py run [--repeat 3]
    .venv/bin/python bench/export_bench.py writers      # openpyxl write-only vs XlsxWriter, no database

``generate`` adds one synthetic township (code 411099999) with bulk inserts — not a county
generator (the full county comes from `make bench`); ``run`` measures each case in a fresh process
under /usr/bin/time -v (peak RSS of the whole process, Django included) and prints a Markdown
table: median wall time, peak RSS, rows, and the ratio to the floor.
"""
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
TOWNSHIP = "411099999"
HOUSEHOLDS, VISITS = 12_000, 61_000


def setup():
    import django

    django.setup()


def generate():
    setup()
    from django.db import transaction

    from accounts.models import Township, User, Village
    from accounts.roles import Role
    from accounts.validators import build_id_number
    from households.models import Couple, FollowUpVisit, Household, Person

    rng = random.Random(7)
    today = datetime.date.today()
    with transaction.atomic():
        if Township.objects.filter(code=TOWNSHIP).exists():
            print("township already generated")
            return
        township = Township.objects.create(code=TOWNSHIP, name="基准镇", sort_order=999)
        villages = Village.objects.bulk_create(
            Village(township=township, code=f"{TOWNSHIP}{n:03d}", name=f"基准{n}村") for n in range(1, 41))
        clerk = User.objects.create_user(username="bench_clerk", password="Bench@2026", name="基准专干",
                                         role=Role.CLERK, township=township)
        households = Household.objects.bulk_create(
            Household(township=township, village=villages[n % 40], address=f"{n % 9 + 1}组 {n} 号", head_name=f"户主{n}",
                      phone=f"139{n:08d}", created_by=clerk) for n in range(HOUSEHOLDS))
        people = []
        for n, household in enumerate(households):
            wife_birth = datetime.date(1980 + n % 20, 1 + n % 12, 1 + n % 28)
            husband_birth = wife_birth - datetime.timedelta(days=700)
            # Unique by construction: a different area code for every 500 wives, an even sequence within.
            people.append(Person(household=household, name=f"妻{n}", sex="2", birth_date=wife_birth, relation="1",
                                 id_number=build_id_number(f"4{n // 500:05d}", wife_birth, 2 * (n % 500))))
            people.append(Person(household=household, name=household.head_name, sex="1", birth_date=husband_birth,
                                 relation="0", id_number=""))
        people = Person.objects.bulk_create(people, batch_size=5000)
        couples = Couple.objects.bulk_create(
            (Couple(township=township, household=households[n], wife=people[2 * n], husband=people[2 * n + 1],
                    boys=n % 2, girls=n % 3 % 2, in_register=True, planned_timing=str(1 + n % 4), responsible=clerk,
                    last_visit_date=today, next_visit_due=today + datetime.timedelta(days=90), created_by=clerk)
             for n in range(HOUSEHOLDS)), batch_size=5000)
        FollowUpVisit.objects.bulk_create(
            (FollowUpVisit(township=township, couple=couples[rng.randrange(len(couples))],
                           visit_date=today - datetime.timedelta(days=rng.randrange(700)), pregnancy_status="not_pregnant",
                           services=["health_education", "folic_acid"], notes=f"随访记录 {n}：已宣传免费孕前检查",
                           next_due=today + datetime.timedelta(days=90), visitor=clerk, created_by=clerk)
             for n in range(VISITS)), batch_size=5000)
    print(f"generated {HOUSEHOLDS} households, {VISITS} visits in township {TOWNSHIP}")


FLOOR_SQL = {
    "households": """
        SELECT v.name, h.code, h.address, h.head_name,
               (SELECT p.id_number FROM households_person p WHERE p.household_id = h.id AND NOT p.is_void
                  AND p.relation = '0' AND p.name = h.head_name ORDER BY p.id LIMIT 1),
               h.phone, h.hukou_type,
               (SELECT count(*) FROM households_person p WHERE p.household_id = h.id AND NOT p.is_void),
               (SELECT count(*) FROM households_couple c WHERE c.household_id = h.id AND NOT c.is_void),
               h.created_at::date, h.is_void
        FROM households_household h JOIN accounts_village v ON v.id = h.village_id
        WHERE h.township_id = %s AND NOT h.is_void ORDER BY v.code, h.address, h.id""",
    "visits": """
        SELECT f.visit_date, v.name, h.address, w.name, w.id_number, m.name, f.pregnancy_status,
               f.last_menstrual_period, f.services::text, f.notes, f.next_due, u.name
        FROM households_followupvisit f JOIN households_couple c ON c.id = f.couple_id
        JOIN households_household h ON h.id = c.household_id JOIN accounts_village v ON v.id = h.village_id
        JOIN households_person w ON w.id = c.wife_id JOIN households_person m ON m.id = c.husband_id
        JOIN accounts_user u ON u.id = f.visitor_id
        WHERE f.township_id = %s AND NOT f.is_void ORDER BY f.visit_date DESC, f.id DESC""",
}


def measure(mode: str, kind: str):
    """One case, in this (fresh) process: prints 'rows seconds'."""
    setup()
    from django.db import connection, transaction
    from django.http import QueryDict

    from accounts.models import Township, User
    from core import exports

    township = Township.objects.get(code=TOWNSHIP)
    with tempfile.TemporaryDirectory() as folder:
        target = f"{folder}/out.xlsx"
        started = time.perf_counter()
        if mode in ("product", "direct"):
            user = User.objects.get(username="bench_clerk")
            spec = exports.get_spec(f"households.{kind}")
            query = spec.build(user, QueryDict())
            if mode == "direct":  # what a request may write itself: EXPORTS_DIRECT_MAX_ROWS rows
                from django.conf import settings

                query = exports.ExportQuery(queryset=query.queryset[:settings.EXPORTS_DIRECT_MAX_ROWS],
                                            columns=query.columns, filters=query.filters)
            rows = exports.export_write(spec=spec, query=query, user=user, target=target)
        else:
            import xlsxwriter

            book = xlsxwriter.Workbook(target, {"constant_memory": True})
            sheet = book.add_worksheet()
            rows = 0
            with transaction.atomic():
                connection.ensure_connection()
                inner = connection.connection.cursor(name="floor")  # server-side cursor, like .iterator()
                inner.itersize = 2000
                inner.execute(FLOOR_SQL[kind], [township.pk])
                for record in inner:
                    sheet.write_row(rows, 0, record)
                    rows += 1
                inner.close()
            book.close()
        print(rows, time.perf_counter() - started)


def compare_writers(rows: int = VISITS):
    """Both libraries the issue allows, writing the same synthetic visit rows (12 cells, strings,
    dates and a blank) with no database: openpyxl write-only (no per-cell styles) vs XlsxWriter
    constant-memory (one write_string/write_datetime per cell, as core.excel does)."""
    import xlsxwriter
    from openpyxl import Workbook

    row = [datetime.date(2024, 1, 1), "基准1村", "三组12号", "王秀英", "411099********002X", "李建军", "未孕", None,
           "健康教育、叶酸发放", "随访记录 1：已宣传免费孕前检查", datetime.date(2024, 4, 1), "基准专干"]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        book = Workbook(write_only=True)
        sheet = book.create_sheet("s")
        for _ in range(rows):
            sheet.append(row)
        book.save(f"{folder}/openpyxl.xlsx")
        openpyxl_s = time.perf_counter() - started

        started = time.perf_counter()
        book = xlsxwriter.Workbook(f"{folder}/xlsxwriter.xlsx", {"constant_memory": True})
        sheet = book.add_worksheet("s")
        text, date = book.add_format({"num_format": "@"}), book.add_format({"num_format": "yyyy-mm-dd"})
        for r in range(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, c, value, text)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, datetime.datetime(value.year, value.month, value.day), date)
        book.close()
        xlsxwriter_s = time.perf_counter() - started
    print(f"| openpyxl write-only | {rows:,} | {openpyxl_s:.2f} |")
    print(f"| XlsxWriter constant_memory | {rows:,} | {xlsxwriter_s:.2f} |")


def run(repeat: int):
    results = []
    for kind in ("households", "visits"):
        for mode in ("floor", "product", "direct"):
            times, rss, rows = [], [], 0
            for _ in range(repeat):
                proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "measure", mode, kind],
                                      capture_output=True, text=True, check=True)
                rows, seconds = proc.stdout.split()[-2:]
                times.append(float(seconds))
                rss.append(int(next(line for line in proc.stderr.splitlines() if "Maximum resident" in line)
                               .split(":")[1]) / 1024)
            results.append((kind, mode, int(rows), statistics.median(times), max(rss)))
    print("| export | path | rows | median s | peak RSS MB | × floor |")
    print("|---|---|---|---|---|---|")
    floors = {kind: seconds for kind, mode, _rows, seconds, _rss in results if mode == "floor"}
    for kind, mode, rows, seconds, rss in results:
        ratio = f"{seconds / floors[kind]:.2f}" if mode != "direct" else "—"
        print(f"| {kind} | {mode} | {rows:,} | {seconds:.2f} | {rss:.0f} | {ratio} |")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "generate":
        generate()
    elif command == "measure":
        measure(sys.argv[2], sys.argv[3])
    elif command == "writers":
        compare_writers()
    else:
        run(int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3)
