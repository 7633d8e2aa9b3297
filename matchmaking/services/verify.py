"""Every rule of an event's active meetings, checked on the stored state. Publishing a run
calls it before committing (a run computed a while ago may clash with what was booked since);
tests call it after every booking path."""

from __future__ import annotations

from collections import Counter

from ..models import ACTIVE, Meeting, MeetingSetup, Participation, Slot
from .locks import busy_slot_ids


def schedule_violations(setup: MeetingSetup) -> list[str]:
    event = setup.event
    meetings = list(Meeting.objects.filter(event=event, status__in=ACTIVE).select_related("table"))
    slots = {s.pk: s for s in Slot.objects.filter(event=event)}
    present = {
        p.company_id: {s.pk for s in p.slots.all()}
        for p in Participation.objects.filter(event=event).prefetch_related("slots")
    }
    errors = []
    cand_slot = Counter((m.candidate_id, m.slot_id) for m in meetings)
    table_slot = Counter((m.table_id, m.slot_id) for m in meetings)
    pairs = Counter((m.candidate_id, m.company_id) for m in meetings)
    per_c = Counter(m.candidate_id for m in meetings)
    per_k = Counter(m.company_id for m in meetings)
    errors += [f"candidate {c} twice in slot {s}" for (c, s), n in cand_slot.items() if n > 1]
    errors += [f"table {t} twice in slot {s}" for (t, s), n in table_slot.items() if n > 1]
    errors += [f"pair {p} meets {n} times" for p, n in pairs.items() if n > 1]
    errors += [f"candidate {c} over maximum" for c, n in per_c.items() if n > setup.max_per_candidate]
    errors += [f"company {k} over maximum" for k, n in per_k.items() if n > setup.max_per_company]
    hall = {}
    for m in meetings:
        if m.table.company_id != m.company_id:
            errors.append(f"meeting {m.pk} at another company's table")
        if m.slot_id not in present.get(m.company_id, set()):
            errors.append(f"meeting {m.pk}: company absent")
        hall[(m.candidate_id, m.slot_id)] = m.table.hall
    for c in {m.candidate_id for m in meetings}:
        busy = busy_slot_ids(event, c, list(slots.values()))
        errors += [
            f"candidate {c} busy in slot {m.slot_id}" for m in meetings if m.candidate_id == c and m.slot_id in busy
        ]
    ordered = sorted(slots.values(), key=lambda s: s.starts_at)
    for a, b in zip(ordered, ordered[1:]):
        if a.ends_at != b.starts_at:
            continue
        for (c, s), h in hall.items():
            if s == a.pk and hall.get((c, b.pk), h) != h:
                errors.append(f"candidate {c} changes hall between back-to-back slots")
    return errors
