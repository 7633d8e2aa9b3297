"""Ticket codes: format, signature, revocation, keys, the e-mail attachment contract."""

import base64
import io

import pytest
import zxingcpp
from PIL import Image

from checkin.errors import CheckinError
from checkin.keys import private_key, signing_key_create, signing_key_current, signing_key_retire
from checkin.models import SigningKey, Ticket
from checkin.tickets import (
    TicketClaim,
    ticket_code,
    ticket_code_verify,
    ticket_for_registration,
    ticket_qr_png,
    ticket_qr_svg,
)
from events.models import Registration
from notifications.attachments import attachments_for
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def invalid(code):
    with pytest.raises(CheckinError) as caught:
        ticket_code_verify(code)
    assert caught.value.code == "invalid"


def test_ticket_code_verify_returns_claim_of_genuine_code():
    registration = RegistrationFactory()
    ticket = ticket_for_registration(registration)
    code = ticket_code(ticket)
    key = SigningKey.objects.get(event=registration.event)
    assert ticket_code_verify(code) == TicketClaim(ticket_id=ticket.pk, event_id=registration.event_id, key_id=key.pk)
    assert code.startswith(f"1.{key.pk}.{ticket.pk}.{registration.event_id}.")
    assert len(code) < 120
    assert registration.user.name not in code and registration.user.email not in code


def test_ticket_for_registration_is_one_per_registration():
    registration = RegistrationFactory()
    assert ticket_for_registration(registration) == ticket_for_registration(registration)
    assert Ticket.objects.filter(registration=registration).count() == 1


def test_ticket_for_registration_refuses_waitlisted():
    registration = RegistrationFactory(status=Registration.Status.WAITLISTED)
    with pytest.raises(CheckinError) as caught:
        ticket_for_registration(registration)
    assert caught.value.code == "not_confirmed"


def test_ticket_code_verify_rejects_garbage_and_truncation():
    code = ticket_code(ticket_for_registration(RegistrationFactory()))
    for bad in ["", "hello", code[:-1], code[:40], code + "A", code.replace(".", ",", 1), None, 12, "x" * 5000]:
        invalid(bad)


def test_ticket_code_verify_rejects_tampered_ids_and_signature():
    registration = RegistrationFactory()
    other = RegistrationFactory(event=registration.event)
    code = ticket_code(ticket_for_registration(registration))
    other_ticket = ticket_for_registration(other)
    version, key_id, ticket_id, event_id, signature = code.split(".")
    invalid(".".join([version, key_id, str(other_ticket.pk), event_id, signature]))
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    invalid(".".join([version, key_id, ticket_id, event_id, flipped]))
    # The last character has spare bits: a different spelling of the same bytes is refused too.
    last = base64.urlsafe_b64encode(base64.urlsafe_b64decode(signature + "=="))[:86].decode()
    assert last == signature
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    invalid(".".join([version, key_id, ticket_id, event_id, twin]))


def test_ticket_code_verify_rejects_forged_signature_from_other_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    registration = RegistrationFactory()
    code = ticket_code(ticket_for_registration(registration))
    body = code.rsplit(".", 1)[0]
    forged = Ed25519PrivateKey.generate().sign(body.encode())
    invalid(body + "." + base64.urlsafe_b64encode(forged).rstrip(b"=").decode())


def test_ticket_code_verify_rejects_other_event_key():
    registration = RegistrationFactory()
    other_event = EventFactory()
    code = ticket_code(ticket_for_registration(registration))
    other_key = signing_key_current(other_event.pk)
    version, _key_id, ticket_id, event_id, signature = code.split(".")
    # Another event's key id with this event's id: the key does not belong to the event named.
    invalid(".".join([version, str(other_key.pk), ticket_id, event_id, signature]))
    invalid(".".join([version, _key_id, ticket_id, str(other_event.pk), signature]))


def test_ticket_code_verify_rejects_code_signed_by_other_events_key():
    # The only case the event check alone refuses: the other event's key really signed this
    # text (so the signature verifies), but the text names this event. Without the key-belongs-
    # to-event check, a key leaked from one event would admit people to every event.
    registration = RegistrationFactory()
    ticket = ticket_for_registration(registration)
    other_key = signing_key_current(EventFactory().pk)
    body = f"1.{other_key.pk}.{ticket.pk}.{registration.event_id}"
    signature = base64.urlsafe_b64encode(private_key(other_key).sign(body.encode())).rstrip(b"=").decode()
    invalid(f"{body}.{signature}")
    # The same signing with the right event's id is genuine: the refusal above is the event check.
    honest = f"1.{other_key.pk}.{ticket.pk}.{other_key.event_id}"
    signature = base64.urlsafe_b64encode(private_key(other_key).sign(honest.encode())).rstrip(b"=").decode()
    assert ticket_code_verify(f"{honest}.{signature}").event_id == other_key.event_id


def test_ticket_code_verify_rejects_retired_key_but_keeps_rotated_one(django_capture_on_commit_callbacks):
    registration = RegistrationFactory()
    ticket = ticket_for_registration(registration)
    old_code = ticket_code(ticket)
    assert ticket_code_verify(old_code).ticket_id == ticket.pk  # cached now
    new_key = signing_key_create(event_id=registration.event_id)
    new_code = ticket_code(ticket)
    assert new_code != old_code and new_code.split(".")[1] == str(new_key.pk)
    assert ticket_code_verify(old_code).ticket_id == ticket.pk  # rotation alone keeps old codes valid
    old_key = SigningKey.objects.exclude(pk=new_key.pk).get(event=registration.event)
    # The production path: the cached public key is dropped after commit, so a retired key stops
    # verifying at once rather than after the cache's 300 s.
    with django_capture_on_commit_callbacks(execute=True):
        signing_key_retire(key=old_key)
    invalid(old_code)
    assert ticket_code_verify(new_code).ticket_id == ticket.pk


def test_ticket_code_verify_reads_no_ticket_rows(django_assert_num_queries):
    code = ticket_code(ticket_for_registration(RegistrationFactory()))
    ticket_code_verify(code)
    with django_assert_num_queries(0):
        ticket_code_verify(code)


def test_ticket_qr_png_decodes_to_code():
    code = ticket_code(ticket_for_registration(RegistrationFactory()))
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket_qr_png(code))))
    assert [r.text for r in results] == [code]
    assert ticket_qr_svg(code).startswith("<svg")


def test_attachment_provider_gives_png_for_own_confirmed_registration_only():
    registration = RegistrationFactory()
    files = attachments_for(
        "registration.confirmed", user_id=registration.user_id, context={"registration_id": registration.pk}
    )
    assert [(name, mime) for name, _content, mime in files] == [("ticket.png", "image/png")]
    code = ticket_code(Ticket.objects.get(registration=registration))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(files[0][1])))] == [code]
    assert (
        attachments_for(
            "registration.promoted", user_id=registration.user_id + 999, context={"registration_id": registration.pk}
        )
        == []
    )
    waiting = RegistrationFactory(status=Registration.Status.WAITLISTED)
    assert (
        attachments_for("registration.confirmed", user_id=waiting.user_id, context={"registration_id": waiting.pk})
        == []
    )
    assert attachments_for("registration.confirmed", user_id=1, context={}) == []


def test_admin_rotate_and_retire_keys(client, django_capture_on_commit_callbacks):
    from accounts.models import User

    registration = RegistrationFactory()
    code = ticket_code(ticket_for_registration(registration))
    key = SigningKey.objects.get(event=registration.event)
    admin_user = User.objects.create_superuser(email="root@example.cn", password="x-Boju-2025!")
    client.force_login(admin_user)
    client.post("/admin/checkin/signingkey/", {"action": "rotate", "_selected_action": [key.pk]})
    assert SigningKey.objects.filter(event=registration.event).count() == 2
    assert ticket_code_verify(code).key_id == key.pk  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/checkin/signingkey/", {"action": "retire", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.retired_at is not None
    invalid(code)  # the admin's retire clears the cached key after commit, as production does
