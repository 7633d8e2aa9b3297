"""Every company and organizer object URL of fairs refuses another company's user (404/403),
and no page shows one company another company's bookings, visitors or notes."""

import json

import pytest

from fairs.models import BoothBooking, BoothVisit

from ..factories import candidate, organizer
from .factories import approved_booking, booths, fair_with_booths, member, position

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    fair = fair_with_booths(3, approval_required=True)
    a, b, c = booths(fair)
    ours, our_user = member(name="本单位")
    theirs, their_user = member(name="他单位")
    our_booking = approved_booking(fair, a, ours)
    their_booking = approved_booking(fair, b, theirs)
    their_position = position(theirs, fair)
    visitor = candidate(consent_share=True, full_name="到访者甲")
    their_visit = BoothVisit.objects.create(
        fair=fair, company=theirs, visitor=visitor, booth=b, shared=True, note="他单位的私密备注", rating=5
    )
    return {
        "fair": fair,
        "ours": ours,
        "our_user": our_user,
        "theirs": theirs,
        "their_user": their_user,
        "our_booking": our_booking,
        "their_booking": their_booking,
        "their_position": their_position,
        "their_visit": their_visit,
        "free": c,
    }


def company_urls(w):
    """Object URLs that belong to the other company."""
    return [
        ("post", f"/company/bookings/{w['their_booking'].pk}/cancel/"),
        ("get", f"/company/positions/{w['their_position'].pk}/"),
        ("post", f"/company/positions/{w['their_position'].pk}/"),
        ("post", f"/company/positions/{w['their_position'].pk}/delete/"),
        ("post", f"/company/visits/{w['their_visit'].pk}/"),
        ("get", f"/company/visits/{w['their_visit'].pk}/cv/"),
    ]


def organizer_urls(w):
    fair = w["fair"]
    booking, booth = w["their_booking"], w["free"]
    return [
        ("get", f"/console/fairs/{fair.pk}/"),
        ("post", f"/console/fairs/{fair.pk}/"),
        ("post", f"/console/fairs/{fair.pk}/booths/"),
        ("post", f"/console/fairs/{fair.pk}/booths/{booth.pk}/"),
        ("get", f"/console/fairs/{fair.pk}/bookings/"),
        ("post", f"/console/fairs/{fair.pk}/bookings/{booking.pk}/approve/"),
        ("post", f"/console/fairs/{fair.pk}/bookings/{booking.pk}/reject/"),
        ("post", f"/console/fairs/{fair.pk}/bookings/{booking.pk}/cancel/"),
        ("post", f"/console/fairs/{fair.pk}/bookings/{booking.pk}/move/"),
    ]


def test_company_object_urls_refuse_another_companys_user(client, world):
    client.force_login(world["our_user"])
    for method, url in company_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert BoothBooking.objects.get(pk=world["their_booking"].pk).status == "approved"
    assert world["their_position"].__class__.objects.filter(pk=world["their_position"].pk).exists()
    visit = BoothVisit.objects.get(pk=world["their_visit"].pk)
    assert (visit.note, visit.rating) == ("他单位的私密备注", 5)


def test_organizer_urls_refuse_company_users_and_organizers_off_the_team(client, world):
    for user, expected in [(world["our_user"], 403), (organizer(), 404)]:
        client.force_login(user)
        for method, url in organizer_urls(world):
            kwargs = (
                {"data": json.dumps({"code": "Z-1"}), "content_type": "application/json"} if "/booths/" in url else {}
            )
            response = getattr(client, method)(url, **kwargs)
            assert response.status_code == expected, (user, method, url, response.status_code)
    assert BoothBooking.objects.get(pk=world["their_booking"].pk).status == "approved"


def test_visitor_pages_of_a_fair_without_our_booth_are_404(client, world):
    other_fair = fair_with_booths(1)
    client.force_login(world["our_user"])
    for url in [
        f"/company/fairs/{other_fair.pk}/scan/",
        f"/company/fairs/{other_fair.pk}/visitors/",
        f"/company/fairs/{other_fair.pk}/visitors.xlsx",
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/company/fairs/{other_fair.pk}/scan.json", data="{}", content_type="application/json").status_code
        == 404
    )


def test_company_pages_show_only_our_own_bookings_and_visitors(client, world):
    client.force_login(world["our_user"])
    home = client.get("/company/fairs/").content.decode()
    assert f'data-booking="{world["our_booking"].pk}"' in home
    assert f'data-booking="{world["their_booking"].pk}"' not in home
    visitors = client.get(f"/company/fairs/{world['fair'].pk}/visitors/")
    page = visitors.content.decode()
    assert visitors.status_code == 200
    assert "到访者甲" not in page and "他单位的私密备注" not in page
    assert list(visitors.context["visits"]) == [] and visitors.context["anonymous"] == 0


def test_candidate_cannot_withdraw_someone_elses_visit(client, world):
    client.force_login(candidate())
    assert client.post(f"/fairs/visits/{world['their_visit'].pk}/withdraw/").status_code == 404
    assert BoothVisit.objects.get(pk=world["their_visit"].pk).shared is True


def test_company_pages_need_a_company(client, world):
    client.force_login(candidate())
    assert client.get("/company/fairs/").status_code == 403
    assert client.get("/company/positions/new/").status_code == 403
    client.logout()
    assert client.get("/company/fairs/").status_code == 302
