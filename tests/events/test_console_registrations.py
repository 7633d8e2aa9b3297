"""The organizer console's registration list: filters, search, pages, promote and cancel by hand,
Excel and CSV exports, the audit trail, and the list's query count."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.disciplines import DISCIPLINES
from accounts.models import AuditEntry
from events.models import Registration
from events.services import registration_cancel, registration_create

from ..factories import EventFactory, RegistrationFactory, candidate, organizer
from .console_support import SHANGHAI, flash, setup  # noqa: F401  (setup is a fixture)

pytestmark = pytest.mark.django_db


def test_promote_by_hand_and_cancel_by_organizer_promote_the_first_waiting(client, setup):
    event, first, waiting, _session, editor, _member = setup
    later = registration_create(event=event, user=candidate())
    client.force_login(editor)
    back = f"/console/events/{event.pk}/registrations/?status=waitlisted"
    response = client.post(f"/console/events/{event.pk}/registrations/{later.pk}/promote/", {"next": back})
    assert response.url == back
    name = later.user.display_name
    assert flash(response) == [f"已将 {name} 移出候补，转为正式名额。"]
    promote = AuditEntry.objects.get(action="registration.promote")
    assert (promote.actor, promote.data["reason"], promote.data["over_capacity"]) == (editor, "manual", True)
    # Two confirmed on one seat now: cancelling one frees nothing.
    response = client.post(f"/console/events/{event.pk}/registrations/{later.pk}/cancel/")
    assert flash(response) == [f"已取消 {name} 的报名。"]
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    response = client.post(
        f"/console/events/{event.pk}/registrations/{first.pk}/cancel/", {"next": "https://evil.example/"}
    )
    assert response.url == f"/console/events/{event.pk}/registrations/"
    assert flash(response) == [f"已取消 {first.user.display_name} 的报名。"]
    assert [Registration.objects.get(pk=r.pk).status for r in (first, waiting, later)] == [
        "cancelled",
        "confirmed",
        "cancelled",
    ]
    cancels = AuditEntry.objects.filter(action="registration.cancel").order_by("id")
    assert [(c.actor, c.target_id) for c in cancels] == [(editor, str(later.pk)), (editor, str(first.pk))]
    auto = AuditEntry.objects.filter(action="registration.promote").order_by("id").last()
    assert (auto.actor, auto.target_id, auto.data["reason"]) == (None, str(waiting.pk), "seat_freed")
    # Refusals come back as messages, not errors.
    response = client.post(f"/console/events/{event.pk}/registrations/{first.pk}/cancel/")
    assert flash(response) == ["该报名已取消。"]
    response = client.post(f"/console/events/{event.pk}/registrations/{waiting.pk}/promote/")
    assert flash(response) == ["只有候补中的报名可以转为正式。"]


def test_registration_list_filters_searches_and_pages(client, setup):
    event, first, waiting, _session, editor, _member = setup
    gone = registration_create(event=event, user=candidate(institution="山东大学", full_name="王海洋"))
    registration_cancel(registration=gone, actor=gone.user)
    client.force_login(editor)
    url = f"/console/events/{event.pk}/registrations/"

    def listed(query=""):
        return [(r.pk, r.position) for r in client.get(url + query).context["page"]]

    assert listed() == [(first.pk, None), (waiting.pk, 1), (gone.pk, None)]
    assert listed("?status=confirmed") == [(first.pk, None)]
    assert listed("?status=waitlisted") == [(waiting.pk, 1)]
    assert listed("?status=cancelled") == [(gone.pk, None)]
    assert listed("?q=山东") == [(gone.pk, None)]
    assert listed("?q=王海洋") == [(gone.pk, None)]
    assert listed(f"?q={waiting.user.email.upper()}") == [(waiting.pk, 1)]
    assert listed("?status=bogus") == [(first.pk, None), (waiting.pk, 1), (gone.pk, None)]
    page = client.get(url).content.decode()
    profile = waiting.user.candidate_profile
    for text in (
        profile.full_name,
        profile.phone,
        profile.institution,
        str(dict(DISCIPLINES)["0707"]),
        "博士",
        "第 1 位",
        timezone.localtime(waiting.created_at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
    ):
        assert text in page
    assert page.count('name="csrfmiddlewaretoken"') >= 3


def test_registration_list_has_fifty_a_page(client):
    event = EventFactory(capacity=60)
    RegistrationFactory.create_batch(51, event=event)
    client.force_login(organizer(manages_all=True))
    url = f"/console/events/{event.pk}/registrations/"
    first = client.get(url).context["page"]
    second = client.get(url + "?page=2").context["page"]
    assert (len(first), len(second), first.paginator.num_pages) == (50, 1, 2)
    assert client.get(url + "?page=abc").context["page"].number == 1


def test_excel_export_follows_the_filter(client, setup):
    event, first, waiting, _session, editor, _member = setup
    profile = waiting.user.candidate_profile
    profile.institution = '=HYPERLINK("http://evil.example")'
    profile.save()
    client.force_login(editor)
    response = client.get(f"/console/events/{event.pk}/registrations.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith(f'attachment; filename="registrations-{event.pk}-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("姓名", "邮箱", "手机号码", "单位", "一级学科", "候选人类别", "状态", "候补位次", "报名时间")
    expected = []
    for reg, status, position in ((first, "已确认", None), (waiting, "候补中", 1)):
        p = reg.user.candidate_profile
        expected.append(
            (
                p.full_name,
                reg.user.email,
                p.phone,
                p.institution,
                str(dict(DISCIPLINES)["0707"]),
                "博士",
                status,
                position,
                reg.created_at.astimezone(SHANGHAI).replace(tzinfo=None, microsecond=0),
            )
        )
    got = [row[:8] + (row[8].replace(microsecond=0),) for row in rows[1:]]
    assert got == expected
    assert sheet["I2"].is_date and sheet["I2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["D3"].data_type == "s"  # the formula-like text stays text
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len(first.user.email)
    waiting_only = load_workbook(
        io.BytesIO(client.get(f"/console/events/{event.pk}/registrations.xlsx?status=waitlisted").content)
    ).active
    assert [row[1] for row in waiting_only.iter_rows(min_row=2, values_only=True)] == [waiting.user.email]


def test_csv_export_has_a_bom_and_no_formulas(client, setup):
    event, first, waiting, _session, editor, _member = setup
    for reg, value in ((first, "+86 138 0000 0000"), (waiting, "@SUM(A1)")):
        profile = reg.user.candidate_profile
        profile.full_name, profile.institution = "=1+1", value
        profile.save()
    client.force_login(editor)
    response = client.get(f"/console/events/{event.pk}/registrations.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == ["姓名", "邮箱", "手机号码", "单位", "一级学科", "候选人类别", "状态", "候补位次", "报名时间"]
    when = timezone.localtime(waiting.created_at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert table[1:] == [
        [
            "'=1+1",
            first.user.email,
            first.user.candidate_profile.phone,
            "'+86 138 0000 0000",
            str(dict(DISCIPLINES)["0707"]),
            "博士",
            "已确认",
            "",
            timezone.localtime(first.created_at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        ],
        [
            "'=1+1",
            waiting.user.email,
            waiting.user.candidate_profile.phone,
            "'@SUM(A1)",
            str(dict(DISCIPLINES)["0707"]),
            "博士",
            "候补中",
            "1",
            when,
        ],
    ]
    filtered = client.get(f"/console/events/{event.pk}/registrations.csv?status=confirmed&q=nobody")
    assert list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig")))) == [table[0]]


def test_audit_trail_is_the_events_newest_first(client, setup):
    event, first, waiting, session, editor, _member = setup
    other = EventFactory()
    registration_create(event=other, user=candidate())
    client.force_login(editor)
    client.post(f"/console/events/{event.pk}/registrations/{first.pk}/cancel/")
    entries = list(client.get(f"/console/events/{event.pk}/audit/").context["page"])
    assert [(e.action, e.target_id) for e in entries] == [
        ("registration.promote", str(waiting.pk)),
        ("registration.cancel", str(first.pk)),
        ("registration.waitlisted", str(waiting.pk)),
        ("registration.confirmed", str(first.pk)),
    ]
    assert [str(e.label) for e in entries[:2]] == ["候补转为正式", "取消报名"]
    assert entries[1].actor == editor


@pytest.mark.parametrize("count", [1, 100])
def test_registration_list_query_count_is_constant(client, django_assert_num_queries, count):
    event = EventFactory(capacity=count // 2 or 1)
    for _ in range(count):
        registration_create(event=event, user=candidate())
    client.force_login(organizer(manages_all=True))
    # session, user, permission check, event, count, rows, waiting-list positions
    with django_assert_num_queries(8):
        response = client.get(f"/console/events/{event.pk}/registrations/")
    assert len(response.context["page"]) == min(count, 50)
