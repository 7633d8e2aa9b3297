"""Check-in lists and scanner devices (pairing, scope, revocation)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import audit_log

from ..errors import CheckinError
from ..models import CheckinList, ScannerDevice

PAIRING_TTL = timedelta(minutes=15)
DEVICE_CACHE_TTL = 60
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a screen


def secret_hash(secret: str) -> str:
    """How device tokens and pairing codes are stored (and looked up): SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _device_cache_key(token_hash: str) -> str:
    return f"checkin:device:{token_hash}"


def checkin_list_default(*, event_id: int) -> CheckinList:
    """The whole-event list, created on first use (a constraint keeps it single)."""
    found = CheckinList.objects.select_related("event").filter(event_id=event_id, session__isnull=True).first()
    if found is not None:
        return found
    from events.models import Event

    event = Event.objects.get(pk=event_id)
    try:
        with transaction.atomic():
            return CheckinList.objects.create(event=event, name=str(event.title)[:80])
    except IntegrityError:
        return CheckinList.objects.select_related("event").get(event_id=event_id, session__isnull=True)


def checkin_list_save(
    *, event, actor, session=None, name: str = "", opens_minutes_before: int = 120, allow_reentry: bool = False
) -> CheckinList:
    """Create or update the list of the whole event (session None) or of one session."""
    with transaction.atomic():
        checkin_list = (
            checkin_list_default(event_id=event.pk)
            if session is None
            else CheckinList.objects.filter(session=session).first() or CheckinList(event=event, session=session)
        )
        if session is not None and session.event_id != event.pk:
            raise CheckinError("no_list")
        checkin_list.name = (name or (session.title if session else event.title))[:80]
        checkin_list.opens_minutes_before = max(0, int(opens_minutes_before))
        checkin_list.allow_reentry = bool(allow_reentry)
        checkin_list.save()
        audit_log(
            actor=actor,
            action="checkin.list_save",
            target=checkin_list,
            data={
                "opens_minutes_before": checkin_list.opens_minutes_before,
                "allow_reentry": checkin_list.allow_reentry,
            },
        )
    return checkin_list


REHEARSAL = timedelta(hours=4)


def checkin_rehearsal_start(*, checkin_list: CheckinList, actor, now=None) -> CheckinList:
    """Open scanning on this list now, for REHEARSAL, whatever its regular window: the team
    tries the phones, the pairing and the door days before the event (and the demo is scannable
    today). Check-ins made before the regular opening are removed by checkin_rehearsal_end."""
    now = now or timezone.now()
    with transaction.atomic():
        CheckinList.objects.filter(pk=checkin_list.pk).update(rehearsal_until=now + REHEARSAL)
        checkin_list.rehearsal_until = now + REHEARSAL
        audit_log(
            actor=actor,
            action="checkin.rehearsal_start",
            target=checkin_list,
            data={"until": checkin_list.rehearsal_until.isoformat()},
        )
    return checkin_list


def checkin_rehearsal_end(*, checkin_list: CheckinList, actor) -> int:
    """Close the rehearsal and delete its check-ins and scans (those before the regular opening:
    outside a rehearsal nothing can be checked in then). Returns how many check-ins went."""
    from ..models import Checkin, Scan

    with transaction.atomic():
        locked = (
            CheckinList.objects.select_for_update(of=("self",))
            .select_related("event", "session")
            .get(pk=checkin_list.pk)
        )
        opens = locked.window()[0]
        removed, _ = Checkin.objects.filter(checkin_list=locked, scanned_at__lt=opens).delete()
        Scan.objects.filter(checkin_list=locked, scanned_at__lt=opens).delete()
        locked.rehearsal_until = None
        locked.save(update_fields=["rehearsal_until"])
        audit_log(actor=actor, action="checkin.rehearsal_end", target=locked, data={"removed_checkins": removed})
    checkin_list.rehearsal_until = None
    return removed


def device_create(*, actor, name: str, events) -> tuple[ScannerDevice, str]:
    """A device waiting to be paired, and its one-time pairing code (valid 15 minutes, shown once)."""
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(10))
    with transaction.atomic():
        device = ScannerDevice.objects.create(
            name=name[:80],
            created_by=actor,
            pairing_code_hash=secret_hash(code),
            pairing_expires_at=timezone.now() + PAIRING_TTL,
        )
        device.events.set(events)
        audit_log(
            actor=actor, action="checkin.device_create", target=device, data={"events": [event.pk for event in events]}
        )
    return device, code


def device_pair(*, code: str, now=None) -> tuple[ScannerDevice, str]:
    """Exchange a pairing code for the device token (once). Raises CheckinError("pairing_invalid")."""
    now = now or timezone.now()
    code = "".join((code or "").split()).upper()[:20]
    with transaction.atomic():
        device = (
            ScannerDevice.objects.select_for_update()
            .filter(pairing_code_hash=secret_hash(code), revoked_at__isnull=True, pairing_expires_at__gt=now)
            .first()
        )
        if device is None:
            raise CheckinError("pairing_invalid")
        token = secrets.token_urlsafe(32)
        device.token_hash, device.pairing_code_hash, device.paired_at = secret_hash(token), None, now
        device.save(update_fields=["token_hash", "pairing_code_hash", "paired_at"])
        audit_log(actor=None, action="checkin.device_pair", target=device)
    return device, token


def device_revoke(*, device: ScannerDevice, actor) -> None:
    """The device's token stops working at once (its cache entry goes after commit)."""
    with transaction.atomic():
        ScannerDevice.objects.filter(pk=device.pk).update(revoked_at=timezone.now(), pairing_code_hash=None)
        audit_log(actor=actor, action="checkin.device_revoke", target=device)
        token_hash = device.token_hash
        if token_hash:
            transaction.on_commit(lambda: cache.delete(_device_cache_key(token_hash)))
