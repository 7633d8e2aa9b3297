"""The site's URL space for the fuzz test: every pattern, paths generated from it, hostile values,
and a small world of objects (so generated ids mostly exist) with a client per kind of person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import strategies as st

# Parameter and field names the views read; the fuzz test sends them with hostile values.
PARAM_NAMES = [
    "next",
    "q",
    "month",
    "kind",
    "mode",
    "page",
    "highlight",
    "company",
    "series",
    "hall",
    "booth",
    "session",
    "event",
    "status",
    "segment",
    "name",
    "body",
    "email",
    "code",
    "gate",
    "nonce",
    "zone",
    "title",
    "capacity",
    "form",
    "columns",
    "rows",
    "delete",
    "open",
    "decision",
    "list",
    "token",
    "language",
    "consent_share",
    "opens_minutes_before",
    "allow_reentry",
    "note",
    "format",
]
GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")
NUMERIC = {"[0-9]+", r"\d+"}


@dataclass
class Pattern:
    regex: str
    parts: list = field(default_factory=list)  # literal strings and (name, regex) groups
    fields: list = field(default_factory=list)

    def sample_path(self, world: dict) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif part[1] in NUMERIC or part[0].endswith(("id", "pk")):
                out.append(str(world["ids"][0]))
            else:
                out.append("x")
        return "/" + "".join(out)


def _literal(text: str) -> str:
    text = re.sub(r"(\\Z|\$)$", "", text).lstrip("^")
    return re.sub(r"\\(.)", r"\1", text)


def _pattern(regex: str) -> Pattern:
    parts, position = [], 0
    for match in GROUP.finditer(regex):
        parts.append(_literal(regex[position : match.start()]))
        parts.append((match.group(1), match.group(2)))
        position = match.end()
    parts.append(_literal(regex[position:]))
    return Pattern(regex=regex, parts=[p for p in parts if p != ""])


def patterns_of_site() -> list[Pattern]:
    def walk(patterns, prefix=""):
        for entry in patterns:
            regex = entry.pattern.regex.pattern.lstrip("^")
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + re.sub(r"(\\Z|\$)$", "", regex))
            else:
                yield prefix + regex

    seen, result = set(), []
    for regex in walk(get_resolver().url_patterns):
        if regex not in seen:
            seen.add(regex)
            result.append(_pattern(regex))
    return result


def hostile_text():
    return st.one_of(
        st.sampled_from(
            [
                "",
                "foo",
                "²",
                "٣",
                "0",
                "-1",
                "1e3",
                "9" * 30,
                "9999999999-01",
                "2025-13",
                "\x00",
                "a\x00b",
                "//evil.example/",
                "https://evil.example/",
                "/inbox/",
                "[" * 50,
                "null",
                "长" * 300,
                " ",
                "%00",
                "1,2,²",
                "true",
                "<script>",
                "'; drop table x; --",
            ]
        ),
        st.text(max_size=30),
        st.integers(-(10**20), 10**20).map(str),
    )


def _int_value(world: dict):
    return st.one_of(st.sampled_from(world["ids"]), st.sampled_from(world["ids"]), st.integers(0, 10**30)).map(str)


def build_path(pattern: Pattern, world: dict):
    strategies = []
    for part in pattern.parts:
        if isinstance(part, str):
            strategies.append(st.just(part))
        elif part[1] in NUMERIC or part[0].endswith(("id", "pk")):
            strategies.append(
                st.one_of(
                    _int_value(world), st.from_regex(part[1], fullmatch=True, alphabet=st.characters(codec="utf-8"))
                ).map(lambda s: quote(s, safe=""))
            )
        else:
            strategies.append(
                st.from_regex(part[1], fullmatch=True, alphabet=st.characters(codec="utf-8"))
                .filter(lambda s: 0 < len(s) < 80)
                .map(lambda s: quote(s, safe="-_.~"))
            )
    return st.tuples(*strategies).map(lambda bits: "/" + "".join(bits))


def json_bodies():
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False), hostile_text()
    )
    values = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(PARAM_NAMES), inner, max_size=4)
        ),
        max_leaves=12,
    )
    import json

    return st.one_of(values.map(json.dumps), st.just("[" * 2000 + "]" * 2000), st.just("{"), st.binary(max_size=40))


def world_create() -> dict:
    """One of each thing the URLs name, once per test (the ids the generated paths mostly use)."""
    from checkin.tickets import ticket_for_registration
    from events.models import Registration
    from fairs.models import BoothBooking, BoothVisit
    from notifications.services import notify

    from ..checkin.helpers import open_event, paired_device
    from ..factories import RegistrationFactory, SessionFactory, candidate, organizer, team_member
    from ..fairs.factories import booths, fair_with_booths, member, position

    person = candidate()
    fair = fair_with_booths(2, starts_at=open_event().starts_at)
    event = fair.event
    boss = fair.boss
    company, company_user = member()
    superuser = organizer(is_superuser=True, is_staff=True)
    team_member(event, superuser)
    registration = RegistrationFactory(event=event, user=person, status=Registration.Status.CONFIRMED)
    ticket = ticket_for_registration(registration)
    session = SessionFactory(event=event)
    device, _token = paired_device(boss, [event])
    booking = BoothBooking.objects.create(fair=fair, booth=booths(fair)[0], company=company, status="approved")
    visit = BoothVisit.objects.create(fair=fair, company=company, visitor=person, shared=True)
    job = position(company, fair)
    note = notify(user=person, kind="announcement", context={"title": "t", "body": "b"})
    ids = sorted(
        {
            person.pk,
            event.pk,
            fair.pk,
            boss.pk,
            company.pk,
            company_user.pk,
            superuser.pk,
            registration.pk,
            ticket.pk,
            session.pk,
            device.pk,
            booking.pk,
            visit.pk,
            job.pk,
            note.pk,
            booths(fair)[1].pk,
            1,
        }
    )
    return {
        "ids": ids,
        "users": {"candidate": person, "organizer": boss, "company": company_user, "superuser": superuser},
    }


def world_logins(world: dict) -> dict[str, Client]:
    from accounts.models import User

    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in world["users"].items():
        if not User.objects.filter(pk=user.pk).exists():
            continue  # it deleted its own account during the run
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients
