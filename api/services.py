"""Writes of the api app: personal access tokens (create, revoke)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Event
from events.permissions import event_can_edit
from events.services.errors import ServiceError

from .models import ApiToken

TOKEN_PREFIX = "boju_"
TOKENS_PER_EVENT_MAX = 20


class ApiTokenError(ServiceError):
    messages = {
        "forbidden": _("您没有权限管理该活动的接口令牌。"),
        "too_many": _("每人每个活动最多 %(max)d 个有效令牌，请先撤销不用的令牌。"),
        "invalid": _("令牌信息有误：%(detail)s"),
        "not_active": _("该令牌已撤销。"),
    }


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def api_token_create(*, actor: User, event: Event, name: str, access: str) -> tuple[ApiToken, str]:
    """A new token for `actor` on `event`; returns (token row, the raw token, shown once).

    Raises ApiTokenError: forbidden / invalid / too_many.
    """
    if not event_can_edit(actor, event):
        raise ApiTokenError("forbidden")
    name = (name or "").strip()
    if not name or len(name) > 80 or "\x00" in name:
        raise ApiTokenError("invalid", detail=_("名称需为 1–80 个字符。"))
    if access not in ApiToken.Access.values:
        raise ApiTokenError("invalid", detail=_("请选择有效的权限。"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        active = ApiToken.objects.filter(user=actor, event=event, revoked_at__isnull=True).count()
        if active >= TOKENS_PER_EVENT_MAX:
            raise ApiTokenError("too_many", max=TOKENS_PER_EVENT_MAX)
        token = ApiToken.objects.create(
            user=actor,
            event=event,
            name=name,
            access=access,
            token_hash=token_hash(raw),
            prefix=raw[: len(TOKEN_PREFIX) + 4],
        )
        audit_log(actor=actor, action="api_token.create", target=token, data={"event": event.pk, "access": access})
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or anyone who may edit its event. Raises ApiTokenError."""
    if token.user_id != actor.pk and not event_can_edit(actor, token.event):
        raise ApiTokenError("forbidden")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ApiTokenError("not_active")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="api_token.revoke", target=token, data={"event": token.event_id})
    return token
