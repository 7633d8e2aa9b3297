"""Read the sessions' free-text speakers and rooms into entities.

"机构 姓名；机构 姓名" becomes one Speaker per person (the same name and organisation become the
same Speaker), a room text becomes a Room in the event's venue. The free-text fields are kept:
pages fall back to them for sessions without entities, and nothing is lost if a text was read
wrongly. The reading rules are copied from events/speakers/text.py on purpose (a migration must
keep doing what it did when it was written).
"""

import re

from django.db import migrations

SEPARATORS = re.compile(r"[;；、,，/]+")
TITLES = ("院士", "教授", "研究员", "副教授", "副研究员", "高级工程师", "博士", "主任", "处长", "局长")


def split_speakers(text):
    people = []
    for part in SEPARATORS.split(text or ""):
        part = " ".join(part.split())
        if part:
            organisation, _, name = part.rpartition(" ")
            people.append((name[:80], organisation[:120]))
    return people


def title_of(name):
    return next((t for t in sorted(TITLES, key=len, reverse=True) if name.endswith(t)), "")


def forwards(apps, schema_editor):
    Session = apps.get_model("events", "Session")
    Speaker = apps.get_model("events", "Speaker")
    Room = apps.get_model("events", "Room")
    SessionSpeaker = apps.get_model("events", "SessionSpeaker")
    for session in Session.objects.select_related("event").iterator():
        changed = False
        if session.room and session.place_id is None:
            session.place, _ = Room.objects.get_or_create(
                venue=session.event.venue or session.event.city, name=session.room
            )
            changed = True
        if changed:
            session.save(update_fields=["place"])
        if SessionSpeaker.objects.filter(session=session).exists():
            continue
        for position, (name, organisation) in enumerate(split_speakers(session.speakers)):
            speaker = Speaker.objects.filter(name=name, organisation=organisation).first() or Speaker.objects.create(
                name=name, organisation=organisation, title=title_of(name)
            )
            SessionSpeaker.objects.get_or_create(session=session, speaker=speaker, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("events", "0004_speakers_rooms")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
