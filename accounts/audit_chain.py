"""The audit trail's hash chain: how a row's hash is made, and how the chain is checked.

Each audit row carries ``seq`` (1, 2, 3, … with no gap), ``prev_hash`` (the previous row's hash,
64 zeros for the first) and ``hash`` = SHA-256 of the row's canonical text (``canonical_text``),
which includes ``prev_hash``. PostgreSQL computes all three in a BEFORE INSERT trigger
while holding a transaction-level advisory lock: two transactions appending at
once are serialised, the second reads the first's committed row as its predecessor (READ
COMMITTED: each statement in a volatile function takes a fresh snapshot), and the unique index on
``seq`` turns any fork (say, under REPEATABLE READ) into an error instead of a silent branch.
The SQL is in migration accounts/0004_audit_hash_chain.

``verify_chain`` recomputes every hash **in Python**, independently of the database's own
functions (a superuser could replace those), so a row changed, removed or inserted with the
triggers switched off (``session_replication_role = replica``, ``DISABLE TRIGGER``) is found.
Rows removed from the *end*, or a whole chain recomputed by someone who knows this algorithm,
are found through anchors: each check stores the head it saw (``AuditChainCheck``, and the cache),
and the next check requires that row to still carry that hash. The head is also logged, so a copy
of the logs kept elsewhere anchors the chain against someone who can rewrite the database itself.

**A check's result is signed.** The application's database role may INSERT into the checks table
(the daily check runs as the app), so one forged row saying "ok" would turn the auditor's red
alert green until the next check. Each row therefore carries an HMAC (``signature``) over its id
and every field, with a key that is not in the database (``AUDIT_CHECK_KEY``, by default derived
from ``SECRET_KEY``); the id is taken from the sequence before the row is written, so an old
genuine row copied again does not verify either. The auditor's page (``selectors.chain_status``)
verifies the newest row's signature and that the trail's row at the head it names still carries
that hash; a forged or replayed row is shown as an alarm, and ``_anchor_seqs`` ignores it. Someone
who holds the app's secrets (the server itself) can still sign: docs/operations.md says what the
chain can and cannot detect.

SQLite (``make run`` without DATABASE_URL) keeps no chain: it has no SHA-256 and no advisory
locks, and the demo database is not evidence. ``verify_chain`` says so and passes.
"""
import datetime
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the chain: "audi" in ASCII. Nothing else in the project takes it.
CHAIN_LOCK_KEY = 0x61756469
CACHE_HEAD_KEY = "audit-chain-head"
# How many problems one check records (a tampered table could have millions).
MAX_PROBLEMS = 20

# The canonical text hashed for a row is a JSON array in the column order of ``canonical_text``.
# The trigger and function that compute it in PostgreSQL are in migration
# accounts/0004_audit_hash_chain (``accounts_audit_row_hash``): PostgreSQL's
# json_build_array(...)::text and Python's json.dumps(ensure_ascii=False) print the same text for
# these types (tests/accounts/test_audit_chain.py proves it on awkward strings).

# The columns verify_chain reads, in canonical order (then the stored hash). host(ip): the
# address without a netmask, as the trigger hashes it.
_ROWS_SQL = """
SELECT id, seq, at, user_id, username, action, object_type, object_id, township_id, host(ip),
       success, detail, prev_hash, hash
FROM accounts_auditevent WHERE seq IS NOT NULL ORDER BY seq
"""


# One encoder for millions of rows: json.dumps(..., ensure_ascii=False) builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def canonical_text(*, id, seq, at: datetime.datetime, user_id, username, action, object_type, object_id,
                   township_id, ip, success, detail, prev_hash) -> str:
    at_utc = at.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return _ENCODER.encode(
        [id, seq, at_utc, user_id, username, action, object_type, object_id, township_id, ip, success, detail,
         prev_hash]
    )


def row_hash(**columns) -> str:
    return hashlib.sha256(canonical_text(**columns).encode("utf-8")).hexdigest()


def chain_supported() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class ChainReport:
    ok: bool = True
    rows: int = 0
    head_seq: int | None = None
    head_hash: str = ""
    first_bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def problem(self, text: str, seq: int | None = None) -> None:
        self.ok = False
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def _walk(report: ChainReport, anchors_wanted: dict[int, str]) -> dict[int, str]:
    """Recompute every link in seq order; return {seq: stored hash} of the anchors' rows."""
    seen_anchor_hashes: dict[int, str] = {}
    expected_seq, expected_prev = 1, GENESIS
    # A server-side cursor: two million rows stream through in chunks, never all in memory.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(_ROWS_SQL)
        while rows := cursor.fetchmany(5000):
            for (id_, seq, at, user_id, username, action, object_type, object_id, township_id, ip, success,
                 detail, prev_hash, stored) in rows:
                if seq != expected_seq:
                    report.problem(f"seq {expected_seq}..{seq - 1} missing (rows removed)", expected_seq)
                if prev_hash != expected_prev:
                    report.problem(f"seq {seq}: prev_hash does not match the previous row", seq)
                computed = row_hash(id=id_, seq=seq, at=at, user_id=user_id, username=username, action=action,
                                    object_type=object_type, object_id=object_id, township_id=township_id, ip=ip,
                                    success=success, detail=detail, prev_hash=prev_hash)
                if computed != stored:
                    report.problem(f"seq {seq} (id {id_}): content does not match its hash (row changed)", seq)
                if seq in anchors_wanted:
                    seen_anchor_hashes[seq] = stored
                report.rows += 1
                report.head_seq, report.head_hash = seq, stored
                expected_seq, expected_prev = seq + 1, stored
    return seen_anchor_hashes


# --- Signed check rows ----------------------------------------------------------------------------
_SIGNING_SALT = "accounts.audit_chain.check"


def _check_text(check) -> str:
    checked_at = check.checked_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return _ENCODER.encode([check.id, checked_at, bool(check.ok), check.rows, check.head_seq, check.head_hash or "",
                            check.first_bad_seq, list(check.problems or []), float(check.seconds or 0)])


def check_signature(check) -> str:
    key = getattr(settings, "AUDIT_CHECK_KEY", "") or settings.SECRET_KEY
    return salted_hmac(_SIGNING_SALT, _check_text(check), secret=key, algorithm="sha256").hexdigest()


def check_is_authentic(check) -> bool:
    """Whether ``check`` was written by ``record_check`` (its signature matches every field and its id)."""
    return bool(check.signature) and constant_time_compare(check.signature, check_signature(check))


def record_check(**fields):
    """Store one check's result, signed. The id comes from the table's sequence first, so the
    signature covers it (a genuine row written again under a new id does not verify)."""
    from django.utils import timezone

    from .models import AuditChainCheck

    check = AuditChainCheck(**fields)
    check.checked_at = check.checked_at or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('accounts_auditchaincheck', 'id'))")
        check.id = cursor.fetchone()[0]
    check.signature = check_signature(check)
    check.save(force_insert=True)
    return check


def head_still_there(check) -> bool:
    """Whether the trail's row at the check's head still carries the hash the check saw."""
    from .models import AuditEvent

    if check.head_seq is None:
        return True
    return AuditEvent.objects.filter(seq=check.head_seq, hash=check.head_hash).exists()


def _anchor_seqs() -> dict[int, str]:
    """The heads earlier good checks saw ({seq: hash}): the last genuine one stored and the cached one."""
    from .models import AuditChainCheck

    anchors = {}
    recent = AuditChainCheck.objects.filter(ok=True, head_seq__isnull=False).order_by("-id")[:50]
    last = next((check for check in recent if check_is_authentic(check)), None)
    if last is not None:
        anchors[last.head_seq] = last.head_hash
    try:
        cached = cache.get(CACHE_HEAD_KEY)
    except Exception:  # noqa: BLE001 - the cache is a second anchor, not a requirement
        cached = None
    if cached:
        anchors[int(cached["seq"])] = cached["hash"]
    return anchors


def verify_chain(*, record: bool = True) -> ChainReport:
    """Check the whole trail; store the result as an ``AuditChainCheck`` row when ``record``.

    Returns the report; ``report.ok`` is False when any row was changed, removed or inserted
    outside the trigger, or when an earlier check's head no longer matches.
    """
    from .models import AuditEvent

    report = ChainReport()
    if not chain_supported():
        report.warnings.append("the hash chain is kept on PostgreSQL only; this database has none")
        return report
    started = time.monotonic()
    unchained = AuditEvent.objects.filter(seq__isnull=True).values_list("id", flat=True)[:MAX_PROBLEMS]
    for id_ in unchained:
        report.problem(f"id {id_}: no chain link (inserted with triggers switched off)")
    anchors = _anchor_seqs()
    seen = _walk(report, anchors)
    for seq, anchored_hash in sorted(anchors.items()):
        if report.head_seq is None or seq > report.head_seq:
            report.problem(f"seq {seq} was checked before and is gone (rows removed from the end)", seq)
        elif seen.get(seq) != anchored_hash:
            report.problem(f"seq {seq} no longer carries the hash an earlier check saw (chain rewritten)", seq)
    report.warnings += role_warnings()
    report.seconds = round(time.monotonic() - started, 3)
    if record:
        record_check(
            ok=report.ok, rows=report.rows, head_seq=report.head_seq, head_hash=report.head_hash,
            first_bad_seq=report.first_bad_seq, problems=report.problems + report.warnings, seconds=report.seconds,
        )
        if report.ok and report.head_seq is not None:
            try:
                cache.set(CACHE_HEAD_KEY, {"seq": report.head_seq, "hash": report.head_hash}, timeout=None)
            except Exception:  # noqa: BLE001 - the cache is a second anchor, not a requirement
                log.warning("audit chain: could not store the head in the cache", exc_info=True)
    # The head goes to the log too: logs shipped off the server anchor the chain against someone
    # who can rewrite this database (docs/operations.md).
    if report.ok:
        log.info("audit chain ok: %s rows, head seq=%s hash=%s", report.rows, report.head_seq, report.head_hash)
    else:
        log.error("audit chain BROKEN at seq %s: %s", report.first_bad_seq, "; ".join(report.problems))
    return report


def role_warnings() -> list[str]:
    """What is wrong with the connected role's privileges: it should not be able to erase the trail."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(c.relowner) = current_user,"
            " has_table_privilege(current_user, c.oid, 'TRUNCATE'),"
            " has_table_privilege(current_user, c.oid, 'UPDATE')"
            " FROM pg_class c WHERE c.oid = 'accounts_auditevent'::regclass"
        )
        owns, can_truncate, can_update = cursor.fetchone()
    warnings = []
    if owns:
        warnings.append("the connected database role owns the audit table (run the app under a role that owns nothing)")
    elif can_truncate or can_update:
        warnings.append("the connected database role may TRUNCATE or UPDATE the audit table")
    return warnings
