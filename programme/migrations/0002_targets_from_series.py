"""A series' old `target_postdocs` becomes its "people reached" target."""

from django.db import migrations


def forwards(apps, schema_editor):
    Series = apps.get_model("events", "Series")
    Target = apps.get_model("programme", "Target")
    for series in Series.objects.exclude(target_postdocs__isnull=True).exclude(target_postdocs=0):
        Target.objects.get_or_create(
            series=series,
            metric="people_reached",
            param="",
            defaults={"title": "集聚博士/博士后", "goal": series.target_postdocs, "position": 2},
        )


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
