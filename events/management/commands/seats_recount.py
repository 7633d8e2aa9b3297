"""Recount every event's seat counters from its registrations; report drift, fix it with --fix."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from events.models import Event
from events.services.registration import seats_recount, seats_repair


class Command(BaseCommand):
    help = (
        "Compare each event's stored seat counters (confirmed, waiting) with a recount of its "
        "registrations. Prints one JSON line per event that drifted and a summary; with --fix the "
        "recount is stored under the event's lock and audited (event.seats_repair)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="store the recounted figures")
        parser.add_argument("--event", type=int, action="append", default=[], help="only these event ids")

    def handle(self, *args, fix: bool, event: list[int], **options):
        events = Event.objects.order_by("pk")
        if event:
            events = events.filter(pk__in=event)
        drifted = 0
        checked = 0
        for item in events.iterator():
            checked += 1
            if fix:
                before, after = seats_repair(event=item)
            else:
                before, after = (item.seats_confirmed, item.seats_waitlisted), seats_recount(item)
            if before != after:
                drifted += 1
                self.stdout.write(
                    json.dumps({"event": item.pk, "stored": list(before), "recount": list(after), "fixed": fix})
                )
        self.stdout.write(json.dumps({"events": checked, "drifted": drifted, "fixed": drifted if fix else 0}))
