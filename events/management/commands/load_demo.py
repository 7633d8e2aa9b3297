"""Load the demo programme: the ten actions, their events, companies, candidates and logins."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import CandidateProfile, Company, CompanyMembership, User
from accounts.validators import credit_code_check_char
from events import demo
from events.demo_steps import DemoContext, demo_steps
from events.models import Action, Event, EventTeamMember, Registration, Series, Session
from events.services import RegistrationError, registration_cancel, registration_create

QINGDAO = ZoneInfo("Asia/Shanghai")
HEAD = "organizer@boju.local"
PARTNER = "partner@boju.local"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code(body: str) -> str:
    """The 9-character organization code (GB 11714) inside a credit code: 8 characters + check."""
    check = 11 - sum(int(ch, 36) * w for ch, w in zip(body, ORG_CODE_WEIGHTS)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def demo_credit_code(index: int, district: str) -> str:
    """A valid unified social credit code: 9 (market regulator) 1 (enterprise), the Qingdao
    district, an organization code, and the GB 32100 check character."""
    first17 = "91" + district + organization_code(f"MA3{10000 + index * 1237:05d}")
    return first17 + credit_code_check_char(first17)


def local(day, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=QINGDAO)


class Command(BaseCommand):
    help = (
        "Load the demo programme from the article on Qingdao's 2025 'ten actions' for postdoc talent "
        "(十大行动): the series, its ten actions, about thirty published events (recruitment fairs in "
        "Qingdao, Beijing, Shanghai and Xi'an, four 产才对接 matchmaking sessions, forums, policy trainings, "
        "the competition), companies, candidates with registrations and waiting lists, and logins with "
        "verified e-mail addresses. Event dates are relative to the day the command runs: most fall "
        "within the next four months, two lie in the past as history; times are Asia/Shanghai. "
        "Idempotent: if the demo series exists nothing changes, unless --reset, which deletes the demo "
        "series and its events, loads them again and resets the demo logins' password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default="boju-demo-2025", help="password of every demo login")
        parser.add_argument("--reset", action="store_true", help="delete and reload the demo programme")

    def handle(self, *args, password: str, reset: bool, **options):
        with transaction.atomic():
            series = Series.objects.filter(slug=demo.SERIES["slug"]).first()
            if series is not None and reset:
                # What the apps keep that protects the series (projects, challenges) goes first,
                # through their own steps (events/demo_steps.py), in the reverse order of loading.
                for step in reversed(demo_steps()):
                    if step.unload is not None:
                        step.unload(series)
                # Events protect their series; registrations, sessions and teams go with the events.
                Event.objects.filter(series=series).delete()
                series.delete()
                series = None
            if series is not None:
                self.stdout.write("The demo programme is already loaded; nothing changed (use --reset to reload).")
            else:
                self._load(make_password(password), reset=reset)
        self._print_logins(password)

    # --- people -------------------------------------------------------------------------------

    def _user(self, email: str, name: str, role: str, **extra) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "role": role, "password": self.password_hash, **extra}
        )
        if not created and self.reset:
            user.password = self.password_hash
            user.save(update_fields=["password"])
        # Verified and primary, so the login works under mandatory e-mail verification.
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _organizers(self) -> tuple[User, User]:
        head = self._user(HEAD, "市人社局博士后管理办公室", User.Role.ORGANIZER, is_staff=True)
        head.user_permissions.add(
            Permission.objects.get(codename="manage_all_events", content_type__app_label="events")
        )
        # /admin/ shows only what the staff user may see: the programme and the accounts.
        head.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["events", "accounts"]))
        partner = self._user(PARTNER, "青岛市博士后平台协作联盟秘书处", User.Role.ORGANIZER)
        return head, partner

    def _companies(self, head: User) -> None:
        now = timezone.now()
        for index, (name, industry, platform, verified, district, contact) in enumerate(demo.COMPANIES, start=1):
            company, _ = Company.objects.get_or_create(
                credit_code=demo_credit_code(index, district),
                defaults={
                    "name": name,
                    "industry": industry,
                    "platform_kind": platform,
                    "description": f"{name}立足青岛“10+1”创新型产业体系，常年招收博士后，提供科研经费、安居与子女入学等配套支持。",
                    "status": Company.Status.VERIFIED if verified else Company.Status.PENDING,
                    "verified_at": now if verified else None,
                    "verified_by": head if verified else None,
                },
            )
            admin = self._user(f"company{index}@boju.local", f"{contact}（{name}）", User.Role.COMPANY)
            CompanyMembership.objects.get_or_create(
                company=company, user=admin, defaults={"role": CompanyMembership.Role.ADMIN}
            )

    def _candidates(self) -> dict[int, User]:
        people = {}
        for number, (name, degree, postdoc, institution, discipline, field, year) in enumerate(
            demo.CANDIDATES, start=1
        ):
            user = self._user(f"candidate{number}@boju.local", name, User.Role.CANDIDATE)
            CandidateProfile.objects.get_or_create(
                user=user,
                defaults={
                    "full_name": name,
                    "phone": f"1380532{number:04d}",
                    "degree": degree,
                    "postdoc_status": postdoc,
                    "institution": institution,
                    "discipline": discipline,
                    "research_field": field,
                    "graduation_year": year,
                    "consent_share": number % 3 != 0,
                    "consent_changed_at": timezone.now(),
                },
            )
            people[number] = user
        return people

    # --- the programme ------------------------------------------------------------------------

    def _event(self, series: Series, actions: dict[int, Action], spec: dict, today, head: User) -> Event:
        day = today + timedelta(days=spec["day"])
        starts, ends = local(day, spec["start"]), local(day, spec["end"])
        action = actions[spec["action"]]
        online = spec["mode"] != Event.Mode.OFFLINE
        event, _ = Event.objects.get_or_create(
            series=series,
            title=spec["title"],
            defaults={
                "action": action,
                "kind": spec["kind"],
                "summary": spec["summary"],
                "description": f"{spec['summary']}\n\n本活动属于{action.title}：{action.description}",
                "mode": spec["mode"],
                "city": spec["city"],
                "venue": spec["venue"],
                "address": spec["address"],
                "online_url": f"https://meeting.boju.local/{spec['key']}" if online else "",
                "starts_at": starts,
                "ends_at": ends,
                # Registration opens at 09:00 the given number of days before and closes a few hours before.
                "registration_opens_at": local(day - timedelta(days=spec["opens"]), "09:00"),
                "registration_closes_at": starts - timedelta(hours=spec["closes"]),
                "capacity": spec["capacity"],
                "waitlist_enabled": spec["waitlist"],
                "eligibility": spec["eligibility"],
                "status": Event.Status.PUBLISHED,
                "created_by": head,
            },
        )
        # As event_create does: whoever creates an event is on its team.
        EventTeamMember.objects.get_or_create(event=event, user=head)
        for begins, finishes, title, speakers, room in spec["sessions"]:
            Session.objects.get_or_create(
                event=event,
                title=title,
                defaults={
                    "speakers": speakers,
                    "room": room,
                    "starts_at": local(day, begins),
                    "ends_at": local(day, finishes),
                },
            )
        return event

    def _load(self, password_hash: str, *, reset: bool) -> None:
        self.password_hash, self.reset = password_hash, reset
        head, partner = self._organizers()
        series, _ = Series.objects.get_or_create(slug=demo.SERIES["slug"], defaults=demo.SERIES)
        actions = {}
        for number, (title, description) in enumerate(demo.ACTIONS, start=1):
            actions[number], _ = Action.objects.get_or_create(
                series=series, number=number, defaults={"title": title, "description": description}
            )
        today = timezone.localdate(timezone=QINGDAO)
        events = {spec["key"]: self._event(series, actions, spec, today, head) for spec in demo.EVENTS}
        for event in events.values():
            if event.kind == Event.Kind.MATCHMAKING:  # the alliance runs the four matchmaking sessions
                EventTeamMember.objects.get_or_create(
                    event=event, user=partner, defaults={"can_edit": True, "can_scan": True}
                )
        self._companies(head)
        people = self._candidates()
        # Through the real services, so seats, waiting lists, promotions and audit entries are real.
        for key, numbers in demo.REGISTRATIONS:
            self._register(events[key], [people[n] for n in numbers])
        for key, number in demo.CANCELLATIONS:
            registration = Registration.objects.active().get(event=events[key], user=people[number])
            registration_cancel(registration=registration, actor=people[number])
        for key, numbers in demo.LATE_REGISTRATIONS:
            self._register(events[key], [people[n] for n in numbers])
        # Each app's part of the demo (floor plans, tickets, challenges, the competition, meetings,
        # targets, an announcement, ...), registered from its ready(): events imports none of them.
        context = DemoContext(head=head, series=series, events=events, user=self._user, extra={"partner": partner})
        for step in demo_steps():
            if step.load is not None:
                step.load(context)

    def _register(self, event: Event, users: list[User]) -> None:
        # Past events get their history at the time it would have happened: registration opens,
        # people arrive a few minutes apart.
        past = event.registration_closes_at <= timezone.now()
        for index, user in enumerate(users):
            when = event.registration_opens_at + timedelta(days=2, minutes=7 * index) if past else None
            if Registration.objects.active().filter(event=event, user=user).exists():
                continue
            try:
                registration_create(event=event, user=user, now=when)
            except RegistrationError as error:
                if error.code != "ineligible":  # anything else is a mistake in the demo data
                    raise

    def _print_logins(self, password: str) -> None:
        series = Series.objects.filter(slug=demo.SERIES["slug"]).first()
        events = Event.objects.filter(series=series)
        # BOJU_SITE_URL: `make run` sets it from HOST and PORT, so the banner names the real port.
        self.stdout.write(self.style.SUCCESS(f"Boju demo: {settings.BOJU_SITE_URL.rstrip('/')}/"))
        self.stdout.write(
            f"  {events.count()} events ({events.upcoming().count()} upcoming, dates relative to "
            f"{timezone.localdate(timezone=QINGDAO):%Y-%m-%d}, Asia/Shanghai), "
            f"{Registration.objects.filter(event__series=series).active().count()} active registrations, "
            f"{Company.objects.count()} companies"
        )
        self.stdout.write(f"  password of every demo login: {password}")
        for email, what in [
            (HEAD, "organizer: manages every event (console /console/, admin /admin/)"),
            (PARTNER, "second organizer: team of the four 产才对接 matchmaking sessions only"),
            ("candidate1@boju.local", "candidate 林晓 (博士, 海洋科学), free to register"),
            ("candidate2@boju.local", "candidate 王浩然 (在读博士), on a waiting list"),
            ("candidate3@boju.local", "candidate 陈思远 (在站博士后), may join the postdoc-only training"),
            ("company1@boju.local", "company admin of 青岛海蓝智能科技有限公司 (verified)"),
            ("company7@boju.local", "company admin of 青岛新材科技有限公司 (pending verification)"),
        ]:
            self.stdout.write(f"  {email:<24} {what}")
