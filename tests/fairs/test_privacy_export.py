"""Issue 17: the personal-data export holds everything fairs keeps about a person: the visits
with the company's note and rating, and the visits they scanned for their company."""

import pytest

from accounts.services import personal_data_export
from fairs.models import Booth, BoothVisit
from tests.factories import candidate

from .factories import fair_with_booths, member

pytestmark = pytest.mark.django_db


def test_booth_visits_with_note_and_rating_and_scans_made_are_exported(client):
    fair = fair_with_booths(1)
    company, staff = member()
    visitor = candidate()
    visit = BoothVisit.objects.create(
        fair=fair,
        company=company,
        booth=Booth.objects.get(hall__fair=fair),
        visitor=visitor,
        scanned_by=staff,
        shared=True,
        scans=2,
        rating=4,
        note="海洋方向，下周面试",
    )
    data = personal_data_export(user=visitor)
    assert data["booth_visits"] == [
        {
            "event": fair.event.title,
            "company": company.name,
            "booth": "A-1",
            "first_seen_at": visit.first_seen_at.isoformat(),
            "last_seen_at": visit.last_seen_at.isoformat(),
            "scans": 2,
            "shared": True,
            "rating": 4,
            "note": "海洋方向，下周面试",
        }
    ]
    assert "booth_scans_made" not in data
    made = personal_data_export(user=staff)["booth_scans_made"]
    assert made == [
        {"event": fair.event.title, "company": company.name, "first_seen_at": visit.first_seen_at.isoformat()}
    ]
    assert visitor.email not in str(made)  # who was scanned belongs to them, not to the scanner
    client.force_login(visitor)
    page = client.get("/me/data/").content.decode()
    assert "招聘会展位到访" in page and "<td>海洋方向，下周面试</td>" in page and "<th>评分</th>" in page
