"""An independent check of every rule (it shares no code with the services or the optimiser)."""

from __future__ import annotations

from collections import Counter


def schedule_problems(
    rows, *, present, tables_of, hall_of_table, busy, max_candidate, max_company, adjacent, wished=None
) -> list[str]:
    """rows: (candidate, company, slot, table). present: company -> slots. tables_of: company ->
    tables. busy: candidate -> slots. adjacent: (slot, next slot) back to back."""
    out = []
    count = Counter
    for name, key in [
        ("candidate in slot", lambda r: (r[0], r[2])),
        ("table in slot", lambda r: (r[3], r[2])),
        ("pair", lambda r: (r[0], r[1])),
    ]:
        out += [f"{name} twice: {k}" for k, n in count(key(r) for r in rows).items() if n > 1]
    out += [f"candidate {c} over max" for c, n in count(r[0] for r in rows).items() if n > max_candidate]
    out += [f"company {k} over max" for k, n in count(r[1] for r in rows).items() if n > max_company]
    where = {}
    for c, k, s, t in rows:
        if s not in present.get(k, ()):
            out.append(f"company {k} absent in {s}")
        if t not in tables_of.get(k, ()):
            out.append(f"table {t} not company {k}'s")
        if s in busy.get(c, ()):
            out.append(f"candidate {c} busy in {s}")
        if wished is not None and (c, k) not in wished:
            out.append(f"unwished {c},{k}")
        where[(c, s)] = hall_of_table[t]
    for a, b in adjacent:
        for (c, s), h in where.items():
            if s == a and where.get((c, b), h) != h:
                out.append(f"candidate {c} changes hall {a}->{b}")
    return out


def db_problems(setup) -> list[str]:
    """The same rules, read straight from the database for one event."""
    from events.models import Registration, Session
    from matchmaking.models import Meeting, Participation, Slot, Table

    event = setup.event
    rows = list(
        Meeting.objects.filter(event=event, status__in=("requested", "accepted")).values_list(
            "candidate_id", "company_id", "slot_id", "table_id"
        )
    )
    slots = list(Slot.objects.filter(event=event).order_by("starts_at"))
    present = {p.company_id: {s.pk for s in p.slots.all()} for p in Participation.objects.filter(event=event)}
    tables = list(Table.objects.filter(event=event))
    tables_of: dict = {}
    for t in tables:
        tables_of.setdefault(t.company_id, set()).add(t.pk)
    busy: dict = {}
    for c in {r[0] for r in rows}:
        other_events = Registration.objects.filter(user_id=c, status="confirmed").exclude(event=event).values("event")
        spans = list(Session.objects.filter(event__in=other_events).values_list("starts_at", "ends_at"))
        busy[c] = {s.pk for s in slots if any(a < s.ends_at and s.starts_at < b for a, b in spans)}
    adjacent = {(a.pk, b.pk) for a, b in zip(slots, slots[1:]) if a.ends_at == b.starts_at}
    return schedule_problems(
        rows,
        present=present,
        tables_of=tables_of,
        hall_of_table={t.pk: t.hall for t in tables},
        busy=busy,
        max_candidate=setup.max_per_candidate,
        max_company=setup.max_per_company,
        adjacent=adjacent,
    )
