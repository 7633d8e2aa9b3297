"""The organizer console: permissions on every URL, the event life cycle, lists and exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry, Company
from events.models import Event, EventTeamMember, Registration, Session
from events.services import registration_create

from ..factories import EventFactory, SeriesFactory, SessionFactory, candidate, company_member, organizer, team_member

pytestmark = pytest.mark.django_db


def event_urls(event, registration, session):
    e = event.pk
    return {
        "get": [f"/console/events/{e}/", f"/console/events/{e}/edit/", f"/console/events/{e}/registrations/",
                f"/console/events/{e}/registrations.xlsx", f"/console/events/{e}/registrations.csv",
                f"/console/events/{e}/audit/", f"/console/events/{e}/sessions/new/",
                f"/console/events/{e}/sessions/{session.pk}/"],
        "post": [f"/console/events/{e}/publish/", f"/console/events/{e}/cancel/", f"/console/events/{e}/team/",
                 f"/console/events/{e}/edit/", f"/console/events/{e}/sessions/{session.pk}/delete/",
                 f"/console/events/{e}/registrations/{registration.pk}/promote/",
                 f"/console/events/{e}/registrations/{registration.pk}/cancel/"],
    }


@pytest.fixture
def setup():
    event = EventFactory(capacity=1)
    session = SessionFactory(event=event)
    registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    editor = organizer()
    team_member(event, editor)
    return event, waiting, session, editor


def test_organizer_not_on_team_gets_404_everywhere_and_nothing_changes(client, setup):
    event, waiting, session, _editor = setup
    client.force_login(organizer())
    urls = event_urls(event, waiting, session)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"email": "x@y.cn", "can_edit": "on"}).status_code == 404, url
    event.refresh_from_db()
    waiting.refresh_from_db()
    assert (event.status, waiting.status, Session.objects.filter(pk=session.pk).exists()) == (
        "published", "waitlisted", True)


def test_candidates_and_companies_are_refused_everywhere(client, setup):
    event, waiting, session, _editor = setup
    urls = event_urls(event, waiting, session)
    general = ["/console/", "/console/events/new/", "/console/series/new/", "/console/companies/"]
    for user in (candidate(), company_member()):
        client.force_login(user)
        for url in urls["get"] + general:
            assert client.get(url).status_code == 403, url
        for url in urls["post"]:
            assert client.post(url).status_code == 403, url
    client.logout()
    assert client.get("/console/").url.startswith("/accounts/login/")


def event_form(series, **overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    data = {
        "series": series.pk, "kind": "fair", "title": "秋季博士后专场招聘会", "mode": "offline", "city": "青岛",
        "venue": "青岛国际会展中心", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), "capacity": 1,
        "waitlist_enabled": "on", "registration_opens_at": (start - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def test_create_publish_raise_capacity_promotes_waiting(client):
    series = SeriesFactory()
    head = organizer()
    client.force_login(head)
    response = client.post("/console/events/new/", event_form(series))
    event = Event.objects.get(title="秋季博士后专场招聘会")
    assert response.url == f"/console/events/{event.pk}/"
    assert event.status == "draft" and EventTeamMember.objects.filter(event=event, user=head, can_edit=True).exists()
    # Entered as Beijing time, stored in UTC.
    assert timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M") == event_form(series)["starts_at"]
    client.post(f"/console/events/{event.pk}/publish/")
    event.refresh_from_db()
    assert event.status == "published"
    people = [candidate() for _ in range(3)]
    regs = [registration_create(event=event, user=p) for p in people]
    assert [r.status for r in regs] == ["confirmed", "waitlisted", "waitlisted"]
    client.post(f"/console/events/{event.pk}/edit/", event_form(series, capacity=2))
    assert [Registration.objects.get(pk=r.pk).status for r in regs] == ["confirmed", "confirmed", "waitlisted"]
    update = AuditEntry.objects.get(action="event.update")
    assert update.data == {"changed": ["capacity"], "promoted": [regs[1].pk]}
    client.post(f"/console/events/{event.pk}/cancel/")
    event.refresh_from_db()
    assert event.status == "cancelled"
    response = client.post(f"/console/events/{event.pk}/publish/", follow=True)
    assert [str(m) for m in response.context["messages"]][-1] == "已取消的活动不能再次发布。"


def test_invalid_event_form_saves_nothing(client):
    series = SeriesFactory()
    client.force_login(organizer())
    bad = event_form(series, mode="hybrid", capacity=0, online_url="", venue="")
    start = bad["starts_at"]
    bad["ends_at"] = start
    response = client.post("/console/events/new/", bad)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["ends_at"] == ["结束时间必须晚于开始时间。"]
    assert errors["online_url"] == ["线上或线上+线下活动需要填写线上链接。"]
    assert "capacity" in errors
    assert Event.objects.count() == 0


def test_manual_promote_and_organizer_cancel(client, setup):
    event, waiting, _session, editor = setup
    client.force_login(editor)
    client.post(f"/console/events/{event.pk}/registrations/{waiting.pk}/promote/")
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    third = registration_create(event=event, user=candidate())
    first = Registration.objects.filter(event=event).order_by("id").first()
    client.post(f"/console/events/{event.pk}/registrations/{first.pk}/cancel/")
    first.refresh_from_db()
    third.refresh_from_db()
    # Two confirmed on one seat after the manual promotion: one cancel frees nothing yet.
    assert (first.status, third.status) == ("cancelled", "waitlisted")
    assert AuditEntry.objects.get(action="registration.cancel").actor == editor


def test_registration_list_filters_and_exports(client, setup):
    event, waiting, _session, editor = setup
    client.force_login(editor)
    response = client.get(f"/console/events/{event.pk}/registrations/?status=waitlisted")
    rows = list(response.context["page"])
    assert [(r.pk, r.position) for r in rows] == [(waiting.pk, 1)]
    name = waiting.user.candidate_profile.full_name
    assert [r.pk for r in client.get(f"/console/events/{event.pk}/registrations/?q={name}").context["page"]] == [
        waiting.pk]
    xlsx = client.get(f"/console/events/{event.pk}/registrations.xlsx")
    assert xlsx["Content-Disposition"] == f'attachment; filename="registrations-{event.pk}.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0] == ("姓名", "邮箱", "手机号码", "单位", "一级学科", "候选人类别", "状态", "候补位次", "报名时间")
    assert len(values) == 3
    assert values[2][0] == name and values[2][6] == "候补中" and values[2][7] == 1
    assert sheet.freeze_panes == "A2"
    raw = client.get(f"/console/events/{event.pk}/registrations.csv?status=waitlisted").content
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[1][:2] == [name, waiting.user.email] and table[1][6:8] == ["候补中", "1"]


def test_csv_cells_cannot_become_formulas(client, setup):
    event, waiting, _session, editor = setup
    profile = waiting.user.candidate_profile
    profile.institution = "=HYPERLINK(\"http://evil\")"
    profile.save()
    client.force_login(editor)
    table = list(csv.reader(io.StringIO(
        client.get(f"/console/events/{event.pk}/registrations.csv?status=waitlisted").content.decode("utf-8-sig"))))
    assert table[1][3] == "'=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize("count", [1, 100])
def test_registration_list_query_count_constant(client, django_assert_num_queries, count):
    event = EventFactory(capacity=count)
    editor = organizer(manages_all=True)
    for _ in range(count):
        registration_create(event=event, user=candidate())
    client.force_login(editor)
    # session, user, event, count, rows, waitlist positions (+ auth permission lookups)
    with django_assert_num_queries(8):
        response = client.get(f"/console/events/{event.pk}/registrations/")
    assert len(response.context["page"]) == min(count, 50)


@pytest.mark.parametrize("count", [1, 30])
def test_console_home_query_count_constant(client, django_assert_num_queries, count):
    for _ in range(count):
        EventFactory()
    client.force_login(organizer(manages_all=True))
    with django_assert_num_queries(6):
        response = client.get("/console/")
    assert len(response.context["events"]) == count


def test_sessions_team_and_audit(client, setup):
    event, _waiting, session, editor = setup
    client.force_login(editor)
    start = timezone.localtime(event.starts_at)
    outside = {"title": "晚间交流", "starts_at": (start - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
               "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    response = client.post(f"/console/events/{event.pk}/sessions/new/", outside)
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"] == ["日程时间必须在活动时间之内。"]
    begin = (start + timedelta(minutes=1)).replace(second=0, microsecond=0)
    inside = {"title": "项目路演", "starts_at": begin.strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (begin + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")}
    assert client.post(f"/console/events/{event.pk}/sessions/new/", inside).status_code == 302
    assert list(event.sessions.values_list("title", flat=True).order_by("id")) == [session.title, "项目路演"]
    scanner = organizer(email="scanner@boju.cn")
    client.post(f"/console/events/{event.pk}/team/", {"email": "scanner@boju.cn", "can_scan": "on"})
    member = EventTeamMember.objects.get(event=event, user=scanner)
    assert (member.can_edit, member.can_scan) == (False, True)
    audit = client.get(f"/console/events/{event.pk}/audit/")
    actions = [e.action for e in audit.context["entries"]]
    assert "team.set" in actions and "session.create" in actions and "registration.waitlisted" in actions


def test_organizer_verifies_and_rejects_companies(client):
    from ..factories import CompanyFactory

    pending = CompanyFactory(status="pending")
    other = CompanyFactory(status="pending")
    client.force_login(company_member())
    assert client.post(f"/console/companies/{pending.pk}/verify/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"
    head = organizer()
    client.force_login(head)
    listing = client.get("/console/companies/")
    assert [c.pk for c in listing.context["companies"]] == sorted([pending.pk, other.pk],
                                                                  key=lambda pk: Company.objects.get(pk=pk).name)
    client.post(f"/console/companies/{pending.pk}/verify/")
    client.post(f"/console/companies/{other.pk}/reject/")
    pending.refresh_from_db()
    other.refresh_from_db()
    assert (pending.status, pending.verified_by, other.status) == ("verified", head, "rejected")
    assert list(AuditEntry.objects.filter(action__startswith="company.").values_list("action", "actor")
                .order_by("id")) == [("company.verify", head.pk), ("company.reject", head.pk)]
    assert client.post(f"/console/companies/{pending.pk}/approve-all/").status_code == 404
