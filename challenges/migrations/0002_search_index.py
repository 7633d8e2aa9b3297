"""The full-text column and index of challenges' segmented text, on PostgreSQL only.

`search_vector` is a stored generated column (to_tsvector('simple', search_text)) with a GIN
index: PostgreSQL keeps it in step with `search_text` on every write, and a search rechecks rows
against the stored vector instead of parsing each row's text again (that recheck was most of a
search's time at 10,000 challenges). Django does not map the column; challenges.search queries
it by name. On SQLite (the embedded default) nothing is created: the search there is a LIKE scan.
"""

from django.db import migrations

INDEX = "challenge_search_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE challenges_challenge ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON challenges_challenge USING gin (search_vector)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute("ALTER TABLE challenges_challenge DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
