"""Chain every audit row to the previous one with SHA-256, refuse TRUNCATE, index the ledger's queries.

- ``accounts_audit_row_hash(row)``: SHA-256 of the row's canonical JSON text (accounts.audit_chain
  recomputes the same in Python to verify, independently of this function).
- BEFORE INSERT trigger ``accounts_audit_chain``: under a transaction-level advisory lock, numbers
  the row (``seq``), links it to the last row (``prev_hash``) and hashes it. Whatever an INSERT
  puts in these columns is overwritten.
- BEFORE TRUNCATE triggers on the trail and on the checks: TRUNCATE skips row triggers, so
  without these the owner (or ``manage.py flush``) could erase everything in one statement.
- The checks table (AuditChainCheck) is append-only like the trail.
- Rows written before this migration are chained in (at, id) order.

On SQLite only the columns are added: the demo database keeps no chain (see accounts.audit_chain).
"""
import django.db.models.functions.text
import django.utils.timezone
from django.db import migrations, models

CHAIN_LOCK_KEY = 0x61756469  # accounts.audit_chain.CHAIN_LOCK_KEY ("audi")

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION accounts_audit_row_hash(e accounts_auditevent) RETURNS varchar AS $$
    SELECT encode(sha256(convert_to(json_build_array(
        e.id, e.seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        e.user_id, e.username, e.action, e.object_type, e.object_id, e.township_id,
        host(e.ip), e.success, e.detail, e.prev_hash
    )::text, 'UTF8')), 'hex')
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION accounts_audit_chain() RETURNS trigger AS $$
DECLARE
    last_seq bigint;
    last_hash varchar(64);
BEGIN
    -- One appender at a time until its transaction ends, so the next one reads this row
    -- (committed) as its predecessor: READ COMMITTED gives each statement here a fresh snapshot.
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK_KEY});
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM accounts_auditevent e
        WHERE e.seq IS NOT NULL ORDER BY e.seq DESC LIMIT 1;
    NEW.seq := COALESCE(last_seq, 0) + 1;
    NEW.prev_hash := COALESCE(last_hash, repeat('0', 64));
    NEW.hash := accounts_audit_row_hash(NEW);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accounts_append_only_table() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

-- Chain the rows written before this migration, oldest first.
ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_audit_no_update_delete;
DO $$
DECLARE
    r accounts_auditevent;
    n bigint := 0;
    prev varchar(64) := repeat('0', 64);
BEGIN
    FOR r IN SELECT * FROM accounts_auditevent ORDER BY at, id LOOP
        n := n + 1;
        r.seq := n;
        r.prev_hash := prev;
        r.hash := accounts_audit_row_hash(r);
        UPDATE accounts_auditevent SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        prev := r.hash;
    END LOOP;
END $$;
ALTER TABLE accounts_auditevent ENABLE TRIGGER accounts_audit_no_update_delete;

CREATE TRIGGER accounts_audit_chain BEFORE INSERT ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_chain();
CREATE TRIGGER accounts_audit_no_truncate BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_append_only_table();
CREATE TRIGGER accounts_chaincheck_no_update_delete BEFORE UPDATE OR DELETE ON accounts_auditchaincheck
    FOR EACH ROW EXECUTE FUNCTION accounts_append_only_table();
CREATE TRIGGER accounts_chaincheck_no_truncate BEFORE TRUNCATE ON accounts_auditchaincheck
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_append_only_table();
"""  # nosec B608: constant SQL; only the constant lock key is interpolated
PG_BACKWARD = """
DROP TRIGGER IF EXISTS accounts_chaincheck_no_truncate ON accounts_auditchaincheck;
DROP TRIGGER IF EXISTS accounts_chaincheck_no_update_delete ON accounts_auditchaincheck;
DROP TRIGGER IF EXISTS accounts_audit_no_truncate ON accounts_auditevent;
DROP TRIGGER IF EXISTS accounts_audit_chain ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_append_only_table();
DROP FUNCTION IF EXISTS accounts_audit_chain();
DROP FUNCTION IF EXISTS accounts_audit_row_hash(accounts_auditevent);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)  # None: the % in RAISE is not a placeholder


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_session_token_password_changed_locked'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checked_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='校验时间')),
                ('ok', models.BooleanField(verbose_name='完好')),
                ('rows', models.BigIntegerField(default=0, verbose_name='校验条数')),
                ('head_seq', models.BigIntegerField(blank=True, null=True, verbose_name='末条序号')),
                ('head_hash', models.CharField(blank=True, max_length=64, verbose_name='末条摘要')),
                ('first_bad_seq', models.BigIntegerField(blank=True, help_text='第一条对不上的记录的链序号；链完好时为空。', null=True, verbose_name='首个异常序号')),
                ('problems', models.JSONField(blank=True, default=list, verbose_name='发现的问题')),
                ('seconds', models.FloatField(default=0, verbose_name='用时（秒）')),
            ],
            options={
                'verbose_name': '审计链校验',
                'verbose_name_plural': '审计链校验',
                'ordering': ['-checked_at', '-id'],
            },
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='accounts_audit_user_at',
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='accounts_audit_action_at',
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='accounts_audit_object',
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, editable=False, help_text='本条内容与上一条摘要的 SHA-256，用于发现篡改。', max_length=64, verbose_name='摘要'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='上一条摘要'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, editable=False, help_text='审计链中的序号，从 1 起连续编号。', null=True, verbose_name='链序号'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='accounts_audit_at_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(models.OrderBy(models.F('user')), models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='accounts_audit_user_at_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(models.OrderBy(models.F('action')), models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='accounts_audit_action_at_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(models.OrderBy(models.F('township')), models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='accounts_audit_township_at_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(models.OrderBy(models.F('township')), models.OrderBy(models.F('action')), models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='accounts_audit_town_action_at'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(models.OrderBy(models.F('object_type')), models.OrderBy(models.F('object_id')), models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='accounts_audit_object_at_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(django.db.models.functions.text.Upper('username'), models.OrderBy(models.F('at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('user__isnull', True)), name='accounts_audit_anon_username'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('seq',), name='accounts_audit_seq_unique'),
        ),
        migrations.RunPython(forward, backward),
    ]
