"""`make backup` and `make restore` round-trip the demo data: same counts, same audit chain.

Runs the real scripts against the real PostgreSQL, in two databases of this suite's own (created
and dropped here), never the test database or anyone else's.
"""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

pytestmark = pytest.mark.ops
BASE_DIR = Path(__file__).resolve().parents[2]
TABLES = ["accounts_user", "accounts_township", "accounts_village", "households_household", "households_person",
          "households_couple", "households_intentionsurvey", "households_followupvisit", "households_outreachvisit",
          "accounts_auditevent"]


def server_url(db: str) -> str:
    p = connection.settings_dict
    return f"postgres://{p['USER']}:{p['PASSWORD']}@{p['HOST'] or '127.0.0.1'}:{p['PORT'] or 5432}/{db}"


def snapshot(db: str) -> dict:
    conn = psycopg2.connect(server_url(db))
    try:
        with conn.cursor() as cursor:
            counts = {}
            for table in TABLES:
                cursor.execute(f"SELECT count(*) FROM {table}")  # nosec B608: fixed table names
                counts[table] = cursor.fetchone()[0]
            cursor.execute("SELECT seq, hash FROM accounts_auditevent ORDER BY seq DESC LIMIT 1")
            head = cursor.fetchone()
            cursor.execute("SELECT md5(string_agg(hash, '' ORDER BY seq)) FROM accounts_auditevent")
            chain = cursor.fetchone()[0]
    finally:
        conn.close()
    return {"counts": counts, "head": head, "chain": chain}


def run(*command, env=None, check=True):
    result = subprocess.run(command, cwd=BASE_DIR, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                            timeout=300)
    if check and result.returncode != 0:
        pytest.fail(f"{command} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result


@pytest.fixture
def demo_database(db):
    name = f"tr_bk_{uuid.uuid4().hex[:8]}"
    run("psql", server_url("postgres"), "-qc", f"CREATE DATABASE {name}")
    env = {"DATABASE_URL": server_url(name), "DJANGO_SETTINGS_MODULE": "config.settings.local",
           "DJANGO_DEBUG": "false", "REDIS_URL": "", "DATABASE_APP_ROLE": "township_app"}
    run(sys.executable, "manage.py", "migrate", "--noinput", "-v0", env=env)
    run(sys.executable, "manage.py", "seed_demo", "--scale", "small", env=env)
    # The demo writes no audit rows; a trail of views and changes, chained by the trigger.
    run("psql", server_url(name), "-qc", """
        INSERT INTO accounts_auditevent (at, user_id, username, action, object_type, object_id, township_id, success,
                                         detail, prev_hash, hash)
        SELECT now() - g * interval '1 minute', u.id, u.username, (ARRAY['view', 'update', 'export'])[1 + g % 3],
               'households.household', h.id::text, h.township_id, true, 'address,phone', '', ''
        FROM generate_series(1, 60) g
        JOIN accounts_user u ON u.username = 'clerk1'
        JOIN households_household h ON h.id = (SELECT min(id) FROM households_household) + g % 5""")
    run(sys.executable, "manage.py", "verify_audit_chain", env=env)  # an anchor the restore must match
    created = [name]
    yield name, created
    for db_name in created:
        run("psql", server_url("postgres"), "-qc", f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)", check=False)


def test_backup_and_restore_round_trip_the_demo_with_its_audit_chain(demo_database, tmp_path):
    source, created = demo_database
    before = snapshot(source)
    assert before["counts"]["households_household"] > 0 and before["head"][0] > 0

    backup = run("./scripts/backup.sh", env={"BACKUP_DATABASE_URL": server_url(source), "BACKUP_DIR": str(tmp_path)})
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.name.startswith(f"{source}-") and dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom, compressed format
    assert Path(f"{dump}.sha256").exists()

    target = f"{source}_restored"
    created.append(target)
    restore = run("./scripts/restore.sh", str(dump), env={"RESTORE_DB": target,
                                                          "RESTORE_ADMIN_URL": server_url("postgres")})
    assert "audit chain ok" in restore.stdout, restore.stdout + restore.stderr
    after = snapshot(target)
    assert after == before

    # Restoring never overwrites: the same name again is refused and leaves the data alone.
    again = run("./scripts/restore.sh", str(dump), env={"RESTORE_DB": target,
                                                        "RESTORE_ADMIN_URL": server_url("postgres")}, check=False)
    assert again.returncode != 0 and "fresh one" in again.stderr
    assert snapshot(target) == before


def test_a_corrupted_backup_is_refused_before_anything_is_created(tmp_path):
    dump = tmp_path / "township_register-20260101T000000Z.dump"
    dump.write_bytes(b"PGDMP not really")
    (tmp_path / f"{dump.name}.sha256").write_text(f"{'0' * 64}  {dump}\n")
    result = run("./scripts/restore.sh", str(dump), env={"RESTORE_DB": f"tr_never_{uuid.uuid4().hex[:6]}"},
                 check=False)
    assert result.returncode != 0


def database_exists(name: str) -> bool:
    # name: tr_never_<hex>, made by the test itself
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # nosec B608
    result = run("psql", server_url("postgres"), "-qtAc", query)
    return result.stdout.strip() == "1"


def test_a_dump_without_its_checksum_is_refused_unless_told(tmp_path):
    """A dump copied off-site without its .sha256 could be truncated: restore says so and stops."""
    dump = tmp_path / "township_register-20260101T000000Z.dump"
    dump.write_bytes(b"PGDMP not really")
    name = f"tr_never_{uuid.uuid4().hex[:6]}"
    result = run("./scripts/restore.sh", str(dump), env={"RESTORE_DB": name,
                                                       "RESTORE_ADMIN_URL": server_url("postgres")}, check=False)
    assert result.returncode != 0 and "RESTORE_WITHOUT_CHECKSUM" in result.stderr
    assert not database_exists(name)


def test_a_failed_restore_leaves_no_database_behind(tmp_path):
    """The checksum matches but the dump is not a dump: pg_restore fails after CREATE DATABASE, and the
    new database is dropped again (told to restore without a checksum, the same holds)."""
    dump = tmp_path / "township_register-20260101T000000Z.dump"
    dump.write_bytes(b"PGDMP not really")
    for env in ({}, {"RESTORE_WITHOUT_CHECKSUM": "yes"}):
        sums = tmp_path / f"{dump.name}.sha256"
        sums.unlink(missing_ok=True)
        if not env:
            sums.write_text(run("sha256sum", str(dump)).stdout)
        name = f"tr_never_{uuid.uuid4().hex[:6]}"
        result = run("./scripts/restore.sh", str(dump), env={"RESTORE_DB": name, **env,
                                                           "RESTORE_ADMIN_URL": server_url("postgres")}, check=False)
        assert result.returncode != 0 and f"dropped {name}" in result.stderr, result.stderr
        assert not database_exists(name)
