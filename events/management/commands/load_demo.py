"""Load the demo programme (ten actions, their events, companies, candidates and logins)."""

import hashlib
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import CandidateProfile, Company, CompanyMembership, User
from accounts.validators import credit_code_check_char
from events import demo
from events.models import Action, Event, EventTeamMember, Registration, Series, Session
from events.services import RegistrationError, registration_create

class Command(BaseCommand):
    help = (
        "Load the demo programme from the article on Qingdao's 2025 ten actions. Events are "
        "scheduled relative to today (mostly over the next four months) so they are upcoming. "
        "Idempotent: does nothing if the series exists, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default="boju-demo-2025")
        parser.add_argument("--reset", action="store_true", help="delete the demo series and its events first")

    def handle(self, *args, password, reset, **options):
        if reset:
            Series.objects.filter(slug=demo.SERIES["slug"]).delete()
        if Series.objects.filter(slug=demo.SERIES["slug"]).exists():
            self.stdout.write("Demo programme already loaded.")
        else:
            with transaction.atomic():
                self._load(make_password(password))
        self._print_logins(password)

    def _user(self, email, name, role, password_hash, **extra):
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "role": role, "password": password_hash, **extra}
        )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _load(self, password_hash):
        series = Series.objects.create(**demo.SERIES)
        actions = {
            number: Action.objects.create(series=series, number=number, title=title, description=text)
            for number, (title, text) in enumerate(demo.ACTIONS, start=1)
        }
        head = self._user("organizer@boju.local", "市人社局 博士后管理办公室", User.Role.ORGANIZER, password_hash,
                          is_staff=True)
        head.user_permissions.add(Permission.objects.get(codename="manage_all_events"))
        partner = self._user("partner@boju.local", "博士后平台协作联盟", User.Role.ORGANIZER, password_hash)

        today = timezone.localdate()
        events = []
        for number, kind, title, mode, city, venue, offset, hour, hours, capacity, waitlist, sessions in demo.EVENTS:
            start = timezone.make_aware(datetime.combine(today + timedelta(days=offset), time(hour)))
            event = Event.objects.create(
                series=series, action=actions[number], kind=kind, title=title, mode=mode, city=city, venue=venue,
                address=f"{city}市 {venue}" if venue else "",
                online_url="https://meeting.boju.local/" + hashlib.md5(title.encode()).hexdigest()[:8]
                if mode != "offline" else "",
                summary=actions[number].description, description=f"{title}。{actions[number].description}",
                starts_at=start, ends_at=start + timedelta(hours=hours),
                registration_opens_at=start - timedelta(days=60), registration_closes_at=start - timedelta(hours=2),
                capacity=capacity, waitlist_enabled=waitlist, status=Event.Status.PUBLISHED, created_by=head,
                eligibility=["postdoc", "postdoc_alumni"] if kind == "training" and mode == "offline" else [],
            )
            EventTeamMember.objects.create(event=event, user=head)
            # The timetable shares the event's hours equally, so sessions stay inside the event.
            length = timedelta(minutes=hours * 60 // max(1, len(sessions)))
            for index, session_title in enumerate(sessions):
                begins = start + length * index
                Session.objects.create(event=event, title=session_title, room=venue or "线上会议室",
                                       starts_at=begins, ends_at=begins + length)
            events.append(event)
        for event in events[12:16]:  # the partner runs the matchmaking sessions
            EventTeamMember.objects.create(event=event, user=partner, can_edit=True, can_scan=True)

        for serial, (name, industry, platform, verified) in enumerate(demo.COMPANIES, start=1):
            first17 = f"91370200MA{serial:07d}"
            company = Company.objects.create(
                name=name, credit_code=first17 + credit_code_check_char(first17), industry=industry,
                platform_kind=platform, description=f"{name}，立足青岛“10+1”创新型产业体系，长期招收博士后。",
                status=Company.Status.VERIFIED if verified else Company.Status.PENDING,
                verified_at=timezone.now() if verified else None, verified_by=head if verified else None,
            )
            admin = self._user(f"company{serial}@boju.local", f"{name[:4]}人力资源部", User.Role.COMPANY, password_hash)
            CompanyMembership.objects.create(company=company, user=admin, role=CompanyMembership.Role.ADMIN)

        candidates = []
        for serial, (name, degree, postdoc, institution, discipline, field) in enumerate(demo.CANDIDATES, start=1):
            user = self._user(f"candidate{serial}@boju.local", name, User.Role.CANDIDATE, password_hash)
            CandidateProfile.objects.create(
                user=user, full_name=name, phone=f"1380532{serial:04d}", degree=degree, postdoc_status=postdoc,
                institution=institution, discipline=discipline, research_field=field, graduation_year=2020 + serial % 6,
                consent_share=serial % 3 != 0, consent_changed_at=timezone.now(),
            )
            candidates.append(user)
        # Fill the two small events so their waiting lists are real; a few registrations elsewhere.
        small = [e for e in events if e.capacity < 10]
        for event in small:
            for user in candidates[1:]:
                self._register(event, user)
        for event in events[1:4]:
            for user in candidates[:6]:
                self._register(event, user)

    def _register(self, event, user):
        try:
            registration_create(event=event, user=user)
        except RegistrationError:
            pass  # ineligible or closed for this person: the demo simply skips them

    def _print_logins(self, password):
        self.stdout.write(self.style.SUCCESS("Boju demo is ready at http://127.0.0.1:8000/"))
        self.stdout.write(f"  password for every demo login: {password}")
        for email, what in [
            ("organizer@boju.local", "organizer, manages every event (also /admin/)"),
            ("partner@boju.local", "organizer on the four matchmaking sessions only"),
            ("candidate1@boju.local", "candidate 林晓 (PhD, physical oceanography)"),
            ("candidate3@boju.local", "candidate 陈思远 (postdoc in station)"),
            ("company1@boju.local", "admin of 青岛海蓝智能科技有限公司 (verified)"),
            ("company7@boju.local", "admin of 青岛新材科技有限公司 (awaiting verification)"),
        ]:
            self.stdout.write(f"  {email:<24} {what}")
        self.stdout.write(f"  registrations loaded: {Registration.objects.count()}")
