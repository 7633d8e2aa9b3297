"""The demo's 产才对接 sessions come with a grid, interests and meetings; 林晓 has meetings."""

import pytest
from django.core.management import call_command

from accounts.models import User
from matchmaking.models import Meeting, MeetingSetup, SchedulerRun, Slot, Table
from matchmaking.services import schedule_violations

pytestmark = pytest.mark.django_db


def test_demo_matchmaking_sessions_have_a_filled_grid_and_candidate1_has_meetings(client):
    call_command("load_demo", verbosity=0)
    setups = list(MeetingSetup.objects.select_related("event").order_by("event__starts_at"))
    assert len(setups) == 4
    assert all(Slot.objects.filter(event=s.event).count() == 5 for s in setups)
    assert all(Table.objects.filter(event=s.event, company__isnull=False).count() == 12 for s in setups)
    first = setups[0]
    assert Meeting.objects.filter(event=first.event, status="accepted").count() >= 20
    assert all(schedule_violations(s) == [] for s in setups)
    assert SchedulerRun.objects.filter(event=setups[1].event, status="draft").count() == 1
    lin = User.objects.get(email="candidate1@boju.local")
    assert Meeting.objects.filter(candidate=lin, event=first.event, status="accepted", origin="hand").count() == 1
    assert (
        Meeting.objects.filter(
            candidate=lin, event=first.event, status="requested", requested_by_side="company"
        ).count()
        == 1
    )
    counts = Meeting.objects.count()
    call_command("load_demo", verbosity=0)
    assert Meeting.objects.count() == counts
    client.force_login(lin)
    page = client.get(f"/meetings/{first.pk}/").content.decode()
    assert "青岛海蓝智能科技有限公司" in page
    client.force_login(User.objects.get(email="organizer@boju.local"))
    assert client.get(f"/console/meetings/{first.pk}/").status_code == 200
