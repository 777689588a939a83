"""Make the audit trail append-only in the database itself.

A bug, a shell session or an SQL client using the application's credentials cannot rewrite or
erase history: UPDATE and DELETE on accounts_auditevent raise an error. (TRUNCATE is left to
privileges: in production the application role should not own the table; see README.)
"""
from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS accounts_audit_no_update_delete ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_audit_append_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'accounts_auditevent is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER accounts_audit_no_delete BEFORE DELETE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'accounts_auditevent is append-only: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_audit_no_update;",
    "DROP TRIGGER IF EXISTS accounts_audit_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)  # None: the % in RAISE is not a placeholder
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
