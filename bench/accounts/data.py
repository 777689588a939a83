"""Full-county data for accounts (bench/fullscale.py): the org tree, the staff and the audit trail.

``generate`` writes 16 townships of different sizes (the county seat largest, as in a real county),
~500 villages, the demo users of ``accounts.demo`` (same usernames and password, so the bench and
a person trying the county log in as usual) and enough clerks and bureau staff for the load.
It leaves in ``ctx.data``: ``townships`` (list of dicts with id, code, households, villages),
``villages`` (dicts with id, township_id, kind), ``clerks`` (township id → user ids), ``bureau``
(bureau staff ids) and ``users`` (username → id).

``generate_after`` writes the audit trail: ``ctx.audit_rows`` rows over the last two years, busier
in recent months, in time order (ids follow time, as in a live table): views and changes of the
records every app offered with ``ctx.add_audit_objects`` (by a clerk of the record's township, or
one of the users the app named),
logins and logouts, failed logins, refusals and exports.
"""
import bisect
import datetime

from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.audit_chain import GENESIS, row_hash
from accounts.demo import COUNTY_CODE, DEMO_PASSWORD, DEMO_USERS, TOWNSHIP_NAMES, demo_name
from accounts.models import Township, User, Village
from accounts.roles import Role

# Relative township sizes: the county seat first, small mountain towns last.
TOWNSHIP_WEIGHTS = [2.1, 1.6, 1.35, 1.2, 1.1, 1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.6, 0.5, 0.4]
HOUSEHOLDS_PER_VILLAGE = 400  # on average: ~500 villages for 200,000 households
HOUSEHOLDS_PER_CLERK = 2000
PLACE_FIRST = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
PLACE_SECOND = ["家", "庄", "湾", "营", "楼", "店", "岗", "集", "寨", "桥", "庙", "坡", "铺", "塘", "沟"]
BUREAU_STAFF = 24
AUDIT_DAYS = 730


def township_sizes(total: int) -> list[int]:
    weights = sum(TOWNSHIP_WEIGHTS)
    sizes = [int(total * w / weights) for w in TOWNSHIP_WEIGHTS]
    sizes[0] += total - sum(sizes)
    return sizes


def generate(ctx) -> None:
    rng = ctx.rng("accounts")
    sizes = township_sizes(ctx.households)
    townships, villages = [], []
    for i, ((name, kind), size) in enumerate(zip(TOWNSHIP_NAMES, sizes, strict=True), start=1):
        code = f"{COUNTY_CODE}{i:03d}"
        township = Township.objects.create(code=code, name=name, kind=kind, sort_order=i)
        count = max(2, round(size / HOUSEHOLDS_PER_VILLAGE))
        names = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
        rng.shuffle(names)
        rows = []
        for j in range(count):
            v_kind = "community" if kind == "subdistrict" or j < count // 8 else "village"
            rows.append(Village(township=township, code=f"{code}{j + 1:03d}", kind=v_kind,
                                name=names[j] + ("社区" if v_kind == "community" else "村")))
        Village.objects.bulk_create(rows)
        townships.append({"id": township.pk, "code": code, "households": size, "villages": [v.pk for v in rows]})
        villages += [{"id": v.pk, "township_id": township.pk, "kind": v.kind} for v in rows]

    password = make_password(DEMO_PASSWORD)  # hashed once: every bench user shares the demo password
    users = []
    for username, name, role, t_index in DEMO_USERS:
        township_id = townships[t_index]["id"] if t_index is not None else None
        users.append(User(username=username, name=name, role=role, township_id=township_id, password=password,
                          phone=f"139{rng.randrange(10**8):08d}", is_staff=role == Role.ADMIN))
    for t in townships:
        for k in range(1, max(2, t["households"] // HOUSEHOLDS_PER_CLERK) + 1):
            username = f"clerk_{t['code'][-3:]}_{k}"
            users.append(User(username=username, name=demo_name(ctx.rng(username)), role=Role.CLERK,
                              township_id=t["id"], password=password))
    for k in range(1, BUREAU_STAFF + 1):
        users.append(User(username=f"bureau_{k:02d}", name=demo_name(rng), role=Role.BUREAU_STAFF, password=password))
    for k in range(1, 5):
        users.append(User(username=f"leader_{k}", name=demo_name(rng), role=Role.LEADER, password=password))
    User.objects.bulk_create(users)
    clerks: dict[int, list[int]] = {t["id"]: [] for t in townships}
    by_name = {}
    for u in User.objects.order_by("id").values("id", "username", "role", "township_id"):
        by_name[u["username"]] = u["id"]
        if u["role"] == Role.CLERK:
            clerks[u["township_id"]].append(u["id"])
    ctx.data.update(
        townships=townships, villages=villages, clerks=clerks, users=by_name,
        bureau=[by_name["bureau"]] + [by_name[f"bureau_{k:02d}"] for k in range(1, BUREAU_STAFF + 1)],
    )
    ctx.say(f"  {len(townships)} townships, {len(villages)} villages, {len(by_name)} users")


# --- the audit trail -----------------------------------------------------------------------------
AUDIT_COLUMNS = ["id", "at", "user_id", "username", "action", "object_type", "object_id", "township_id", "ip",
                 "success", "detail", "seq", "prev_hash", "hash"]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _day_counts(total: int, days: int, rng) -> list[int]:
    """Events per day, oldest first: growing towards today (more users, more records), quieter
    at weekends."""
    weights = []
    for d in range(days):
        w = 0.4 + 1.6 * (d / days) ** 1.5
        weights.append(w * (0.25 if d % 7 in (5, 6) else 1.0))
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[-1] += total - sum(counts)
    return counts


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _audit_events(ctx):
    """The trail's rows in time order: (id, at, user_id, username, action, object_type, object_id,
    township_id, ip, success, detail)."""
    rng = ctx.rng("accounts.audit")
    random, randrange = rng.random, rng.randrange
    users = ctx.data["users"]
    username_of = {pk: name for name, pk in users.items()}
    clerks = {t: [(pk, username_of[pk]) for pk in ids] for t, ids in ctx.data["clerks"].items()}
    everyone = [(pk, name) for name, pk in users.items()]
    leaders = [(pk, name) for name, pk in users.items() if name.startswith("leader")]
    sources = ctx.audit_objects
    source_cum = _cumulative(o["weight"] for o in sources)
    actions = [(list(o["actions"]), _cumulative(o["actions"].values())) for o in sources]
    others = [[(pk, username_of[pk]) for pk in o["users"]] if o.get("users") else None for o in sources]
    start = ctx.today - datetime.timedelta(days=AUDIT_DAYS)  # up to yesterday: nothing after "now"
    counts = _day_counts(ctx.audit_rows, AUDIT_DAYS, rng)
    row_id = 0
    for d, count in enumerate(counts):
        day = start + datetime.timedelta(days=d)
        midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        for s in sorted(randrange(7 * 3600, 21 * 3600) for _ in range(count)):
            row_id += 1
            at = midnight + datetime.timedelta(seconds=s)
            ip = f"10.{randrange(1, 17)}.{randrange(256)}.{randrange(1, 255)}"
            r = random()
            if r < 0.16:  # sessions: a login or a logout
                pk, name = everyone[randrange(len(everyone))]
                yield row_id, at, pk, name, "login" if r < 0.09 else "logout", "", "", None, ip, True, ""
            elif r < 0.17:  # a mistyped password: no user, the typed name is kept
                name = everyone[randrange(len(everyone))][1]
                yield row_id, at, None, name, "login_failed", "", "", None, ip, False, ""
            elif r < 0.175:
                pk, name = leaders[randrange(len(leaders))]
                yield row_id, at, pk, name, "denied", "", "", None, ip, False, "/accounts/audit/"
            else:
                i = bisect.bisect_right(source_cum, random() * source_cum[-1])
                source = sources[i]
                k = randrange(len(source["ids"]))
                township = source["township_ids"][k]
                staff = others[i] or clerks[township]
                pk, name = staff[randrange(len(staff))]
                names, cum = actions[i]
                action = names[bisect.bisect_right(cum, random() * cum[-1])]
                yield (row_id, at, pk, name, action, source["object_type"], str(source["ids"][k]), township, ip, True,
                       "")


def _audit_rows(ctx):
    """Lines in COPY's text format (two million of them: formatting and hashing are most of the
    cost), each chained to the one before exactly as the insert trigger would chain it
    (accounts.audit_chain.row_hash), so ``verify_audit_chain`` holds on the generated county."""
    prev = GENESIS
    null = "\\N"
    for row_id, at, user_id, username, action, object_type, object_id, township_id, ip, success, detail in (
            _audit_events(ctx)):
        digest = row_hash(id=row_id, seq=row_id, at=at, user_id=user_id, username=username, action=action,
                          object_type=object_type, object_id=object_id, township_id=township_id, ip=ip,
                          success=success, detail=detail, prev_hash=prev)
        yield (f"{row_id}\t{at.isoformat()}\t{null if user_id is None else user_id}\t{username}\t{action}\t"
               f"{object_type}\t{object_id}\t{null if township_id is None else township_id}\t{ip}\t"
               f"{'t' if success else 'f'}\t{detail}\t{row_id}\t{prev}\t{digest}")
        prev = digest


def generate_after(ctx) -> None:
    if not ctx.audit_objects:
        return
    with connection.cursor() as cursor:
        # The trail is append-only for every role (no TRUNCATE, a chaining insert trigger): the
        # generator, running as the tables' owner on a county being built from nothing, switches
        # the table's own triggers off for the load, writes the chain itself (_audit_rows) and
        # switches them on again in the same transaction. Earlier chain checks are stale anchors.
        cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE accounts_auditchaincheck DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM accounts_auditchaincheck")
        with ctx.fresh_tables("accounts_auditevent"):
            count = ctx.load("accounts_auditevent", AUDIT_COLUMNS, _audit_rows(ctx))
        cursor.execute("ALTER TABLE accounts_auditchaincheck ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER USER")
    ctx.say(f"  {count} audit rows, hash-chained")


CHECKS = {
    "clerk without township": "SELECT count(*) FROM accounts_user WHERE role = 'clerk' AND township_id IS NULL",
    "village code outside its township": (
        "SELECT count(*) FROM accounts_village v JOIN accounts_township t ON t.id = v.township_id "
        "WHERE left(v.code, 9) <> t.code"),
    "audit user and username disagree": (
        "SELECT count(*) FROM accounts_auditevent a JOIN accounts_user u ON u.id = a.user_id "
        "WHERE a.username <> u.username"),
    "audit event by a clerk of another township": (
        "SELECT count(*) FROM accounts_auditevent a JOIN accounts_user u ON u.id = a.user_id "
        "WHERE u.role = 'clerk' AND a.township_id IS NOT NULL AND a.township_id <> u.township_id"),
    "audit event in the future": "SELECT count(*) FROM accounts_auditevent WHERE at > now()",
    "audit ids not in time order": (
        "SELECT count(*) FROM (SELECT at < lag(at) OVER (ORDER BY id) AS back FROM accounts_auditevent) s "
        "WHERE back"),
}
