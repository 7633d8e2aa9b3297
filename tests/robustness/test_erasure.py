"""After "delete my account", nothing in the whole database names the person: the test reads
every row of every table and looks for their name, e-mail address and phone number."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from accounts.models import AuditEntry, CompanyInvitation, User
from accounts.services import candidate_profile_save, company_invite_create
from checkin.services import checkin_perform
from events.services import registration_create
from fairs.services import visit_note_set, visit_record

from ..checkin.helpers import device_scanner, nonce, paired_device
from ..factories import candidate, organizer, team_member
from ..fairs.factories import booths, fair_with_booths, member

pytestmark = pytest.mark.django_db(transaction=True)
NAME = "甄小慧"
EMAIL = "zhen.xiaohui.erase@example.cn"
PHONE = "13912345678"
PASSWORD = "Qingdao-Haibo-2026"


def rows_mentioning(*needles: str) -> list[tuple[str, str]]:
    """(table, row) for every row of every table whose text holds one of `needles` (also as the
    \\uXXXX escapes SQLite keeps JSON in)."""
    forms = set()
    for needle in needles:
        forms |= {needle.lower(), json.dumps(needle)[1:-1].lower()}
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).lower()
                if any(form in text for form in forms):
                    found.append((table, text[:300]))
    return found


def test_account_deletion_leaves_no_name_email_or_phone_anywhere(client, settings, tmp_path):
    # Catches: the name stayed in audit entries (target_repr, e.g. "甄小慧 @ 招聘会"), and a pending
    # company invitation (and its queued mail) kept the e-mail address.
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    person = candidate()
    person.email = EMAIL
    person.set_password(PASSWORD)
    person.save()
    candidate_profile_save(
        user=person,
        data={
            "full_name": NAME,
            "phone": PHONE,
            "degree": "phd",
            "postdoc_status": "in_station",
            "institution": "中国海洋大学",
            "discipline": "0707",
            "research_field": "海洋声学",
            "consent_share": True,
            "cv": SimpleUploadedFile(f"{NAME}-简历.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )
    fair = fair_with_booths(2)
    event = fair.event
    registration = registration_create(event=event, user=person)
    boss = organizer()
    team_member(event, boss)
    device, _token = paired_device(boss, [event])
    from checkin.tickets import ticket_code, ticket_for_registration

    checkin_perform(
        code=ticket_code(ticket_for_registration(registration)),
        gate="东门",
        nonce=nonce(),
        scanned_at=None,
        scanner=device_scanner(device),
    )
    company, admin_user = member()
    from fairs.models import BoothBooking

    BoothBooking.objects.create(fair=fair, booth=booths(fair)[0], company=company, status="approved")
    visit, _first = visit_record(fair=fair, company=company, actor=admin_user, visitor=person)
    visit_note_set(visit=visit, actor=admin_user, note=f"{NAME} 很适合海洋声学岗位", rating=5)
    # Another company invites the same address (a pending invitation, and its mail in the outbox).
    other_company, other_admin = member()
    with transaction.atomic():
        company_invite_create(company=other_company, actor=other_admin, email=EMAIL, accept_url=lambda t: t)
    assert rows_mentioning(NAME, EMAIL, PHONE)  # the test can see them before
    before_audit = AuditEntry.objects.count()

    client.force_login(person)
    response = client.post("/me/data/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(email=EMAIL).exists()
    assert not CompanyInvitation.objects.filter(email=EMAIL).exists()
    assert rows_mentioning(NAME, EMAIL, PHONE) == []
    # The trail keeps what was done, and by which id.
    assert AuditEntry.objects.count() > before_audit
    assert AuditEntry.objects.filter(actor_ref=person.pk, actor__isnull=True).exists()
