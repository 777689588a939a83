"""Person gets its household's township, and the searches get indexes that stay inside it.

1. ``Person.township``: added nullable, filled from the household, then made required. From here on
   ``Person.save`` keeps it (issue #7: every search scanned the county's 600,000 people because the
   township was only reachable through the household).
2. ``households_person_id_tail``: (township, RIGHT(id_number, 4)) for "last 4 of the ID" searches,
   an expression index every database supports.
3. PostgreSQL only, outside the model state (SQLite under ``make run`` neither can nor needs to):
   the ``pg_trgm`` extension (trusted: the database owner may create it) and GIN indexes over the
   characters of names and the trigrams of phone numbers, of people and households. PostgreSQL
   ANDs them with the township's B-tree index (a clerk's search reads one township's entries).
   core/search.py explains why characters rather than trigrams for names.
"""
import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

PG_INDEXES = {
    "households_person_name_chars": "ON households_person USING gin (string_to_array(lower(name), NULL))",
    "households_person_phone_trgm": "ON households_person USING gin (phone gin_trgm_ops)",
    "households_household_head_chars": "ON households_household USING gin (string_to_array(lower(head_name), NULL))",
    "households_household_phone_trgm": "ON households_household USING gin (phone gin_trgm_ops)",
}


def fill_township(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    Person = apps.get_model("households", "Person")
    Person.objects.update(
        township_id=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("township_id")[:1]))
    if schema_editor.connection.vendor == "postgresql":
        # The new key is checked at commit by default; check it now, or the ALTER TABLE below
        # refuses to run with "pending trigger events".
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def create_pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in PG_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in PG_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_audit_append_only'),
        ('households', '0003_import_column_mapping_optional_address'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='township',
            field=models.ForeignKey(
                editable=False, help_text='与所在家庭户的镇/街道一致，由系统填写。', null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.township',
                verbose_name='镇/街道'),
        ),
        migrations.RunPython(fill_township, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='person',
            name='township',
            field=models.ForeignKey(
                editable=False, help_text='与所在家庭户的镇/街道一致，由系统填写。',
                on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.township',
                verbose_name='镇/街道'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(
                models.F('township'), django.db.models.functions.text.Right('id_number', 4),
                name='households_person_id_tail'),
        ),
        migrations.RunPython(create_pg_indexes, drop_pg_indexes),
    ]
