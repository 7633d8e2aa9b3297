"""Ed25519 signing keys per event: creation, rotation, retirement and the cached public keys.

The private key is encrypted at rest with Fernet under a key derived from SECRET_KEY, so a
database dump alone cannot mint tickets. Public keys are cached (Django cache: Redis in
production) so verifying a code touches no table; retiring a key drops its cache entry.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.services import audit_log

from .models import SigningKey

CACHE_TTL = 300
_RAW = serialization.Encoding.Raw


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"boju.checkin.signing-key\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _cache_key(key_id: int) -> str:
    return f"checkin:pubkey:{int(key_id)}"


def signing_key_create(*, event_id: int, actor=None) -> SigningKey:
    """A new key pair for `event`; it signs every code from now on (older keys still verify).
    Audited: a rotation by `actor`, or the first key made on first use (no actor)."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    with transaction.atomic():
        key = SigningKey.objects.create(
            event_id=event_id,
            public_key=private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw),
            private_key_encrypted=_fernet().encrypt(raw_private),
        )
        audit_log(actor=actor, action="checkin.key_create", target=key, data={"event": event_id})
    return key


def signing_key_current(event_id: int) -> SigningKey:
    """The newest active key of `event`, created on first use. Concurrent first uses may both
    create one; both are valid keys, the newest simply wins from then on."""
    now = timezone.now()
    key = (
        SigningKey.objects.filter(event_id=event_id).exclude(retired_at__lte=now).order_by("-created_at", "-id").first()
    )
    return key or signing_key_create(event_id=event_id)


def signing_key_retire(*, key: SigningKey, actor=None) -> None:
    """Codes signed with `key` stop verifying at once (the cache entry goes after commit). Audited."""
    with transaction.atomic():
        SigningKey.objects.filter(pk=key.pk).update(retired_at=timezone.now())
        audit_log(actor=actor, action="checkin.key_retire", target=key, data={"event": key.event_id})
        transaction.on_commit(lambda: cache.delete(_cache_key(key.pk)))


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(bytes(key.private_key_encrypted)))


def public_key_lookup(key_id: int) -> tuple[int, bytes] | None:
    """(event id, raw public key) of an active key, from the cache when it can; None if the key
    is unknown or retired (a miss is cached too, briefly, so garbage cannot hammer the table)."""
    entry = cache.get(_cache_key(key_id))
    if entry is None:
        key = SigningKey.objects.filter(pk=key_id).only("event_id", "public_key", "retired_at").first()
        entry = (key.event_id, bytes(key.public_key)) if key is not None and key.is_active() else ()
        cache.set(_cache_key(key_id), entry, CACHE_TTL if entry else 10)
    return tuple(entry) if entry else None


def public_key_object(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)
