"""The audit trail's hash chain (migration accounts/0003, accounts.audit_chain), on the real PostgreSQL.

Tampering is done the ways the issue names: the owner disabling the triggers, a superuser with
``session_replication_role = replica``; each time ``verify_audit_chain`` must find it.
"""
import itertools
import threading

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import DatabaseError, close_old_connections, connection, transaction

from accounts.audit_chain import CACHE_HEAD_KEY, GENESIS, row_hash, verify_chain
from accounts.models import AuditChainCheck, AuditEvent
from accounts.services import audit_log
from tests.support.pg import as_superuser

AWKWARD = [
    "plain", 'quote " and backslash \\ and /slash', "line\nbreak\ttab\rcr", "控制\x01\x0b\x1f字符",
    "张丽 修改 家庭户 王建国（城关镇 吴桥村 三组12号）", "emoji 👩‍👩‍👧 and \u2028 \u2029 \x7f", "",
]


def chained(**fields) -> AuditEvent:
    event = AuditEvent.objects.create(**{"action": AuditEvent.Action.VIEW, "username": "someone", **fields})
    return AuditEvent.objects.get(pk=event.pk)  # the trigger's seq/prev_hash/hash


def python_hash(event: AuditEvent) -> str:
    return row_hash(id=event.id, seq=event.seq, at=event.at, user_id=event.user_id, username=event.username,
                    action=event.action, object_type=event.object_type, object_id=event.object_id,
                    township_id=event.township_id, ip=event.ip, success=event.success, detail=event.detail,
                    prev_hash=event.prev_hash)


def owner_sql(sql: str, params=None) -> None:
    """As the owner (the suite's role), with the append-only triggers switched off for one statement."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER TABLE needs that
        cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER USER")


def superuser_sql(*statements) -> None:
    """As a PostgreSQL superuser who skips every trigger with session_replication_role = replica."""
    with as_superuser() as conn, conn.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _no_cached_head():
    cache.delete(CACHE_HEAD_KEY)


def test_each_row_is_numbered_and_linked_to_the_previous_one(clerk_a):
    events = [chained(user=clerk_a, username="clerk_a", township=clerk_a.township, detail=text, ip=ip)
              for text, ip in zip(AWKWARD, ["10.1.1.1", "::1", "2001:db8::7", None, "192.168.0.1", None, "::1"], strict=True)]

    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    # The trigger's SHA-256 (PostgreSQL json_build_array) equals the verifier's (Python json.dumps).
    assert [python_hash(e) for e in events] == [e.hash for e in events]
    assert verify_chain().ok


def test_values_an_insert_supplies_for_the_chain_columns_are_overwritten(db):
    first = chained(detail="first")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditevent (at, username, action, object_type, object_id, success, detail, seq,"
            " prev_hash, hash) VALUES (now(), 'x', 'view', '', '', true, 'forged', 999, 'abc', 'def') RETURNING id"
        )
        forged_id = cursor.fetchone()[0]
    forged = AuditEvent.objects.get(pk=forged_id)
    assert (forged.seq, forged.prev_hash) == (first.seq + 1, first.hash)
    assert forged.hash == python_hash(forged)


@pytest.mark.parametrize("sql", [
    "TRUNCATE accounts_auditevent",
    "TRUNCATE accounts_user CASCADE",  # cascades to the trail through its foreign key
    "TRUNCATE accounts_auditchaincheck",
])
def test_truncate_is_refused_even_for_the_owner(db, sql):
    chained(detail="keep me")
    verify_chain()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else "pending trigger events" refuses it first
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(detail="keep me").exists()
    assert AuditChainCheck.objects.exists()


def test_checks_are_append_only(db):
    check = AuditChainCheck.objects.create(ok=True)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditChainCheck.objects.filter(pk=check.pk).update(ok=False)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditChainCheck.objects.filter(pk=check.pk).delete()


def test_an_intact_chain_passes_and_the_check_is_stored(db):
    for i in range(5):
        audit_log(action=AuditEvent.Action.VIEW, username="u", detail=f"row {i}")

    report = verify_chain()

    assert report.ok and report.rows == 5 and report.head_seq == 5
    check = AuditChainCheck.objects.get()
    assert (check.ok, check.rows, check.head_seq, check.head_hash) == (True, 5, 5, report.head_hash)
    assert cache.get(CACHE_HEAD_KEY) == {"seq": 5, "hash": report.head_hash}


def test_a_row_changed_by_the_owner_with_triggers_disabled_is_found(db):
    rows = [chained(detail=f"row {i}") for i in range(4)]
    owner_sql("UPDATE accounts_auditevent SET detail = 'forged' WHERE id = %s", [rows[1].pk])

    report = verify_chain()

    assert not report.ok
    assert report.first_bad_seq == rows[1].seq
    assert "row changed" in report.problems[0]
    assert AuditChainCheck.objects.get().ok is False


def test_a_row_removed_from_the_middle_is_found(db):
    rows = [chained(detail=f"row {i}") for i in range(4)]
    owner_sql("DELETE FROM accounts_auditevent WHERE id = %s", [rows[2].pk])

    report = verify_chain()

    assert not report.ok and report.first_bad_seq == rows[2].seq
    assert any("missing" in p for p in report.problems)


def test_the_verify_command_exits_non_zero_on_a_break(db):
    rows = [chained(detail=f"row {i}") for i in range(3)]
    call_command("verify_audit_chain")
    owner_sql("UPDATE accounts_auditevent SET username = 'someone-else' WHERE id = %s", [rows[0].pk])

    with pytest.raises(CommandError, match="audit chain BROKEN: first bad seq 1"):
        call_command("verify_audit_chain")


# --- A superuser skipping every trigger: committed data, so transactional tests --------------------
@pytest.mark.django_db(transaction=True)
def test_superuser_rewrite_with_replication_role_replica_is_found():
    rows = [chained(detail=f"row {i}") for i in range(3)]
    assert verify_chain().ok

    superuser_sql(f"UPDATE accounts_auditevent SET detail = 'nothing happened' WHERE id = {rows[1].pk}")  # nosec B608: test SQL, integer ids

    report = verify_chain()
    assert not report.ok and report.first_bad_seq == rows[1].seq


@pytest.mark.django_db(transaction=True)
def test_superuser_removing_the_newest_rows_is_found_by_the_last_checks_anchor():
    rows = [chained(detail=f"row {i}") for i in range(4)]
    assert verify_chain().ok  # anchors the head: seq 4

    superuser_sql(f"DELETE FROM accounts_auditevent WHERE id IN ({rows[2].pk}, {rows[3].pk})")  # nosec B608: test SQL, integer ids

    report = verify_chain()
    assert not report.ok
    assert any("gone" in p for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_superuser_recomputing_the_whole_chain_after_a_change_is_found_by_the_anchor():
    rows = [chained(detail=f"row {i}") for i in range(4)]
    assert verify_chain().ok
    # Someone who knows the algorithm changes row 2 and re-chains every row after it.
    superuser_sql(
        f"UPDATE accounts_auditevent SET detail = 'rewritten' WHERE id = {rows[1].pk}",  # nosec B608: test SQL, integer ids
        """DO $$ DECLARE r accounts_auditevent; prev varchar(64) := repeat('0', 64); BEGIN
             FOR r IN SELECT * FROM accounts_auditevent ORDER BY seq LOOP
               r.prev_hash := prev; r.hash := accounts_audit_row_hash(r);
               UPDATE accounts_auditevent SET prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
               prev := r.hash;
             END LOOP; END $$""",
    )
    cache.delete(CACHE_HEAD_KEY)  # the database's own anchor must be enough

    report = verify_chain()
    assert not report.ok
    assert any("no longer carries the hash" in p for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_superuser_inserting_a_row_without_the_trigger_is_found():
    chained(detail="real")
    superuser_sql("INSERT INTO accounts_auditevent (at, username, action, object_type, object_id, success, detail,"
                  " prev_hash, hash) VALUES (now(), 'ghost', 'view', '', '', true, 'forged', '', '')")

    report = verify_chain()
    assert not report.ok
    assert any("no chain link" in p for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_get_consecutive_numbers_and_one_unbroken_chain():
    """Four connections append in open transactions at once: the advisory lock orders them."""
    per_thread, threads, errors = 25, 4, []
    barrier = threading.Barrier(threads)

    def append(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_log(action=AuditEvent.Action.VIEW, username=f"t{n}", detail=f"{n}-{i}")
                    AuditEvent.objects.exists()  # more work inside the transaction while it holds the lock
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, per_thread * threads + 1))
    assert verify_chain().ok


def test_beat_runs_the_verification_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["verify-audit-chain"]
    assert entry["task"] == "accounts.tasks.verify_audit_chain"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {15})


def test_the_task_stores_a_check(db):
    from accounts.tasks import verify_audit_chain

    chained(detail="x")
    assert verify_audit_chain.delay().get() is True
    assert AuditChainCheck.objects.get().ok
