"""The demo's recruitment fairs come with a hall of booths, bookings and positions."""

import pytest
from django.core.management import call_command

from events.models import Event
from fairs.models import Booth, BoothBooking, Fair, Position

pytestmark = pytest.mark.django_db


def test_demo_fairs_have_floor_plans_bookings_and_positions_and_reload_is_idempotent(client):
    call_command("load_demo", verbosity=0)
    blue = Fair.objects.get(event__title="“蓝洽会”博士后人才招聘专区")
    assert blue.approval_required is True
    assert Booth.objects.filter(hall__fair=blue).count() == 24
    assert blue.bookings.filter(status="approved").count() == 6
    assert blue.bookings.filter(status="requested").count() == 2
    assert blue.positions.count() == 12
    online = Event.objects.get(title="青岛博士后人才线上双选会")
    assert not Fair.objects.filter(event=online).exists()
    counts = (Fair.objects.count(), BoothBooking.objects.count(), Position.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Fair.objects.count(), BoothBooking.objects.count(), Position.objects.count()) == counts
    data = client.get(f"/fairs/{blue.pk}/map.json").json()
    assert sorted({b["status"] for b in data["booths"]}) == ["booked", "closed", "free", "held"]
    page = client.get(f"/fairs/{blue.pk}/directory/").content.decode()
    assert "青岛海蓝智能科技有限公司" in page or "青岛蓝湾海洋科技研究院有限公司" in page
