"""Search lookups the lists share, answered from indexes on PostgreSQL and correct everywhere.

``name__has_text="秀英"`` — the value contains the text, case-insensitively. Names are one to three
Chinese characters, too short for trigrams (pg_trgm finds nothing to index in "王" or "秀英" and
falls back to reading every row). On PostgreSQL the lookup is::

    string_to_array(lower(name), NULL) @> ARRAY['秀', '英'] AND lower(name) LIKE '%秀英%'

The first half is answered by a GIN index over the name's characters (created by a
PostgreSQL-only migration, e.g. households 0003), which PostgreSQL ANDs with the township's index
so a clerk's search reads only their township's entries; the second half rechecks the order of the
characters on the few rows found. Elsewhere (SQLite under ``make run``) it is a plain case-insensitive LIKE.

``id_number__last4="123X"`` — the last four characters, i.e. ``RIGHT(id_number, 4)``: an expression
index (``models.Index(F("township"), Right("id_number", 4))``) answers it on any database.

Both are registered on every CharField by ``core.apps.CoreConfig.ready``.
"""
from django.db.models import CharField, Lookup, Transform
from django.db.models.functions import Right


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class HasText(Lookup):
    lookup_name = "has_text"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        text = str(self.rhs).strip().lower()
        pattern = f"%{escape_like(text)}%"
        if connection.vendor == "postgresql":
            # Both halves name the column the same way the index expression does.
            return (f"(string_to_array(lower({lhs}), NULL) @> %s::text[] AND lower({lhs}) LIKE %s)",
                    [*lhs_params, sorted(set(text)), *lhs_params, pattern])
        return f"lower({lhs}) LIKE %s ESCAPE '\\'", [*lhs_params, pattern]


class LastFour(Transform):
    lookup_name = "last4"

    def as_sql(self, compiler, connection):
        # Django's own Right(), so the SQL is the expression the index was built from on every backend.
        return compiler.compile(Right(self.lhs, 4))


def register() -> None:
    CharField.register_lookup(HasText)
    CharField.register_lookup(LastFour)
