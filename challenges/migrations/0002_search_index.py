"""The full-text index of challenges' segmented text, on PostgreSQL only.

An expression index over exactly what challenges.search.search_filter() matches, so a search is an
index scan. On SQLite (the embedded default) nothing is created: the search there is a LIKE scan.
"""

from django.db import migrations

INDEX = "challenge_search_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON challenges_challenge "
        "USING gin (to_tsvector('simple'::regconfig, search_text))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
