"""Pages of accounts timed by ``make bench`` (contract: bench/README.md).

Each entry: ``name``, ``user`` (a username of the full county, None for anonymous), ``path`` (a
string, or a callable taking the bench context), ``kind`` (list, search, deep, detail, page, stats,
export, audit: decides the targets), optional ``first`` (the page a deep page must stay within
1.5× of) and ``floor`` (callable → list of (sql, params): the smallest hand-written SQL returning
the same rows and total).
"""

AUDIT_PAGE = """SELECT a.id, a.at, a.username, a.action, a.object_type, a.object_id, a.ip, a.success, a.detail,
    u.name, t.name FROM accounts_auditevent a LEFT JOIN accounts_user u ON u.id = a.user_id
    LEFT JOIN accounts_township t ON t.id = a.township_id WHERE {where} ORDER BY a.at {d}, a.id {d} LIMIT 50"""
CAPPED_COUNT = "SELECT count(*) FROM (SELECT 1 FROM accounts_auditevent a WHERE {where} LIMIT 1001) s"


def _audit_floor(where: str, *, last: bool = False, params=None):
    def floor(ctx):
        p = params(ctx) if params else []
        return [(AUDIT_PAGE.format(where=where, d="ASC" if last else "DESC"), p),
                (CAPPED_COUNT.format(where=where), p)]
    return floor


def _auditor_target_id(ctx):
    return [ctx.user("clerk1").pk]


PAGES = [
    dict(name="login page", user=None, path="/accounts/login/", kind="page"),
    dict(name="home (clerk1)", user="clerk1", path="/", kind="page"),
    dict(name="audit trail p1", user="auditor", path="/accounts/audit/", kind="audit",
         floor=_audit_floor("true")),
    dict(name="audit trail last page", user="auditor", path="/accounts/audit/?page=last", kind="audit",
         first="audit trail p1", floor=_audit_floor("true", last=True)),
    dict(name="audit trail, user filter", user="auditor", path="/accounts/audit/?user=clerk1", kind="audit",
         floor=_audit_floor("a.user_id = %s", params=_auditor_target_id)),
]
