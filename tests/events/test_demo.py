"""The demo programme loaded by `make run` (manage.py load_demo)."""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import AuditEntry, CandidateProfile, Company, CompanyMembership, User
from accounts.validators import validate_credit_code
from events import demo
from events.management.commands.load_demo import ORG_CODE_WEIGHTS
from events.models import Action, Event, EventTeamMember, Registration, Series, Session
from events.permissions import events_editable_by
from events.selectors import waitlist_position

pytestmark = pytest.mark.django_db

PASSWORD = "boju-demo-2025"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
QINGDAO = ZoneInfo("Asia/Shanghai")
MODELS = [
    Series,
    Action,
    Event,
    Session,
    EventTeamMember,
    Registration,
    User,
    EmailAddress,
    CandidateProfile,
    Company,
    CompanyMembership,
    AuditEntry,
]


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "statuses": sorted(Registration.objects.values_list("event__title", "user__email", "status")),
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module and committed; each test still runs in a
    transaction that is rolled back, so what a test changes (a --reset, a login) is undone.
    A load is about a minute of CPU on the slowest CI machine seen: loading it per test was a
    quarter of the suite's time there. Emptied afterwards, as the next module expects."""
    # The hasher the tests use (tests/conftest.py sets it per test, after this fixture).
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        output = load()
    yield output
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)


def test_load_demo_twice_changes_nothing(loaded):
    first = counts()
    assert "already loaded" in load()
    assert counts() == first
    assert first["Event"] >= 25 and first["Registration"] >= 40


def test_reset_reloads_the_same_programme_with_the_new_password(loaded, client):
    before = counts()
    load("--reset", "--password", "another-demo-pass")
    after = counts()
    for name in ("Series", "Action", "Event", "Session", "User", "Company", "CandidateProfile"):
        assert after[name] == before[name], name
    assert after["statuses"] == before["statuses"]
    assert client.login(email="candidate1@boju.local", password="another-demo-pass")
    assert not client.login(email="organizer@boju.local", password=PASSWORD)


def test_series_and_the_ten_actions_in_the_articles_order(loaded):
    series = Series.objects.get(slug="ten-actions-2025")
    assert series.title == "青岛市加快博士后人才集聚 推动高质量发展十大行动"
    assert series.target_postdocs == 10000
    assert "358家" in series.description and "8767人" in series.description and "76%" in series.description
    names = [
        "博聚英才",
        "博揽英才 创领未来",
        "博汇金智",
        "博荟硕果",
        "博智惠企",
        "博创未来",
        "博筑高峰",
        "政解博策",
        "博聚合力",
        "智聚博坛",
    ]
    actions = list(series.actions.order_by("number"))
    assert [a.number for a in actions] == list(range(1, 11))
    assert [a.title.split("”")[0].lstrip("“") for a in actions] == names
    assert all(len(a.description) > 40 for a in actions)


def test_recruitment_fairs_at_home_and_on_tour(loaded):
    fairs = Event.objects.filter(action__number=1, kind__in=["fair", "roadshow"], status="published")
    assert fairs.count() >= 10
    tour = {city: fairs.get(city=city) for city in ("北京", "上海", "西安")}
    assert (
        "清华大学" in tour["北京"].venue,
        "上海交通大学" in tour["上海"].venue,
        "西安交通大学" in tour["西安"].venue,
    ) == (True, True, True)
    for fragment in (
        "“蓝洽会”博士后人才招聘专区",
        "“百所高校千名博士青岛行”博士后人才招聘专区",
        "齐鲁博士(后)菁英人才招聘活动",
    ):
        assert fairs.filter(title__contains=fragment, city="青岛").exists(), fragment
    assert fairs.filter(venue="青岛国际会展中心").count() >= 3
    assert all(300 <= capacity <= 2000 for capacity in fairs.values_list("capacity", flat=True))


def test_four_matchmaking_sessions_hybrid_with_the_articles_timetable(loaded):
    matchmaking = Event.objects.filter(kind="matchmaking")
    assert matchmaking.count() == 4
    assert set(matchmaking.values_list("action__number", flat=True)) == {6}
    assert set(matchmaking.values_list("mode", flat=True)) == {"hybrid"}
    titles = set(matchmaking.values_list("title", flat=True))
    assert any("人工智能" in t for t in titles) and any("绿色能源" in t for t in titles)
    for event in matchmaking:
        assert list(event.sessions.values_list("title", flat=True)) == [
            "企业发展介绍",
            "项目路演",
            "实地参观",
            "专题座谈",
        ]


def test_forums_trainings_competition_and_roadshow(loaded):
    forums = Event.objects.filter(kind="forum", action__number=10)
    assert (
        forums.filter(title__contains="跨学科交叉论坛").exists()
        and forums.filter(title__contains="前沿技术讲座").exists()
    )
    assert all(forum.sessions.count() >= 2 for forum in forums)
    trainings = Event.objects.filter(kind="training", action__number=8)
    assert {"online", "offline"} <= set(trainings.values_list("mode", flat=True))
    assert all(100 <= t.capacity <= 300 for t in trainings)
    for training in trainings:
        sessions = " ".join(training.sessions.values_list("title", flat=True))
        assert "资助政策" in sessions and "进出站管理规范" in sessions and "培养流程" in sessions
    assert Event.objects.filter(
        kind="competition", action__number=2, title="2025年中国·山东博士(后)创新创业大赛“人才招引赛”"
    ).exists()
    assert Event.objects.filter(kind="competition", title__contains="专题宣传推介").count() == 3
    assert Event.objects.filter(kind="roadshow", action__number=4, title__contains="成果转化").exists()


def test_dates_follow_the_day_it_runs_at_sensible_local_hours(loaded):
    now = timezone.now()
    events = list(Event.objects.all())
    past = [e for e in events if e.ends_at < now]
    assert 1 <= len(past) <= 2
    assert all(now - timedelta(days=40) < e.starts_at for e in past)
    upcoming = [e for e in events if e.starts_at > now]
    assert len(upcoming) == len(events) - len(past)
    assert max(e.starts_at for e in upcoming) < now + timedelta(days=125)
    for event in events:
        starts, ends = timezone.localtime(event.starts_at, QINGDAO), timezone.localtime(event.ends_at, QINGDAO)
        assert 8 <= starts.hour <= 19 and ends.date() == starts.date() and ends.hour <= 21, event.title
        assert event.registration_opens_at < event.registration_closes_at <= event.starts_at
        for session in event.sessions.all():
            assert event.starts_at <= session.starts_at < session.ends_at <= event.ends_at, session.title
    # Some are open now, some open later (the page shows when).
    assert sum(e.registration_is_open() for e in upcoming) >= 15
    assert any(e.registration_opens_at > now for e in upcoming)


def test_waiting_list_and_nearly_full_events_are_real(loaded):
    seminar = Event.objects.get(title__contains="院士面对面")
    assert seminar.registrations.confirmed().count() == seminar.capacity
    waiting = list(seminar.registrations.waitlisted().order_by("created_at", "id"))
    assert [r.user.email for r in waiting] == ["candidate14@boju.local", "candidate2@boju.local"]
    assert [waitlist_position(r) for r in waiting] == [1, 2]
    # One holder cancelled and the first on the waiting list was promoted, through the services.
    assert seminar.registrations.filter(status="cancelled").count() == 1
    assert AuditEntry.objects.filter(action="registration.promote", data__reason="seat_freed").count() == 1
    salon = Event.objects.get(title__contains="联谊沙龙")
    assert salon.capacity - salon.registrations.confirmed().count() == 1
    assert (
        AuditEntry.objects.filter(action__startswith="registration.").count() == Registration.objects.count() + 2
    )  # one entry per registration, plus the cancel and the promotion
    # Past events keep the registrations made while they were open.
    for event in Event.objects.filter(ends_at__lt=timezone.now()):
        times = list(event.registrations.values_list("created_at", flat=True))
        assert len(times) >= 4 and all(event.registration_opens_at <= t < event.registration_closes_at for t in times)


def test_companies_have_valid_credit_codes_and_an_admin(loaded):
    companies = Company.objects.all()
    assert companies.filter(status="verified").count() >= 8 and companies.filter(status="pending").count() == 2
    assert len(set(companies.values_list("industry", flat=True))) >= 10
    assert {"workstation", "provincial_base", "city_base", "none"} <= set(
        companies.values_list("platform_kind", flat=True)
    )
    for company in companies:
        validate_credit_code(company.credit_code)
        assert company.credit_code.startswith("913702")
        body, check = company.credit_code[8:16], company.credit_code[16]
        expected = 11 - sum(int(ch, 36) * w for ch, w in zip(body, ORG_CODE_WEIGHTS)) % 11
        assert check == {10: "X", 11: "0"}.get(expected, str(expected))
        assert company.memberships.filter(role="admin", user__role="company").count() == 1
        assert (company.verified_by is not None) == company.is_verified
    assert Company.objects.get(memberships__user__email="company1@boju.local").name == "青岛海蓝智能科技有限公司"
    assert Company.objects.get(memberships__user__email="company7@boju.local").status == "pending"


def test_candidates_are_varied(loaded):
    # The logins only: competitions adds entrants, programme adds attendees who cannot log in.
    profiles = CandidateProfile.objects.filter(user__email__startswith="candidate")
    assert profiles.count() == len(demo.CANDIDATES)
    assert len({p.kind for p in profiles}) == 5
    assert len({p.discipline for p in profiles}) >= 10 and len({p.institution for p in profiles}) >= 12


def test_organizers_rights(loaded):
    head = User.objects.get(email="organizer@boju.local")
    assert head.is_staff and head.is_organizer and head.has_perm("events.manage_all_events")
    assert head.has_perm("events.change_event") and not head.is_superuser
    assert events_editable_by(head).count() == Event.objects.count()
    partner = User.objects.get(email="partner@boju.local")
    assert partner.is_organizer and not partner.is_staff and not partner.has_perm("events.manage_all_events")
    assert set(events_editable_by(partner).values_list("kind", flat=True)) == {"matchmaking"}
    assert events_editable_by(partner).count() == 4


def test_every_demo_login_is_verified_and_works_under_mandatory_verification(loaded, client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    demo_users = User.objects.filter(email__endswith="@boju.local")
    assert EmailAddress.objects.filter(user__in=demo_users, verified=True, primary=True).count() == demo_users.count()
    for email in ("organizer@boju.local", "partner@boju.local", "candidate1@boju.local", "company1@boju.local"):
        browser = client.__class__()
        response = browser.post("/accounts/login/", {"login": email, "password": PASSWORD})
        assert (response.status_code, response.url) == (302, "/"), email
        assert browser.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
    assert client.login(email="candidate1@boju.local", password=PASSWORD)
