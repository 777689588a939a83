"""Searches of the enforcement lists answered by indexes (PostgreSQL only, outside the model state,
as households 0004: SQLite under ``make run`` neither can nor needs to).

- case list: the title, the person parties' names and the facility parties' names, each by a GIN
  index over its characters (``__has_text``, core/search.py: one- and two-character Chinese terms
  too, where trigrams have nothing to index);
- facility registry: names and addresses by their characters, licence numbers by trigrams of
  ``UPPER(licence_number)`` (what ``__icontains`` compares).
"""
from django.db import migrations

PG_INDEXES = {
    "enforcement_case_title_chars": "ON enforcement_case USING gin (string_to_array(lower(title), NULL))",
    "enforcement_party_name_chars": "ON enforcement_caseparty USING gin (string_to_array(lower(name), NULL))",
    "enforcement_facility_name_chars": "ON enforcement_facility USING gin (string_to_array(lower(name), NULL))",
    "enforcement_facility_address_chars": (
        "ON enforcement_facility USING gin (string_to_array(lower(address), NULL))"),
    "enforcement_facility_licence_trgm": (
        "ON enforcement_facility USING gin ((upper(licence_number::text)) gin_trgm_ops)"),
}


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
        ("enforcement", "0001_initial"),
        ("households", "0004_person_township_search_indexes"),  # pg_trgm
    ]

    operations = [
        migrations.RunPython(create_pg_indexes, drop_pg_indexes),
    ]
