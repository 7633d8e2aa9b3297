"""Who is calling: a personal access token (Bearer), and how often they may call.

The token row is found by the SHA-256 of what was sent (one indexed query, with its owner).
Rate limits are counted in Django's cache (Redis in production) per token, or per address for
anonymous calls. If the cache is down the limit is not enforced for that request, and the
failure is logged: an unreachable Redis must not take the API down with it (DESIGN §4).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from .models import ApiToken
from .services import token_hash

logger = logging.getLogger(__name__)
TOKEN_MAX_LENGTH = 200
# last_used_at is informative; writing it on every call would make each read a write.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    openapi_description = "个人访问令牌（控制台“接口令牌”页面创建）：Authorization: Bearer boju_…"

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > TOKEN_MAX_LENGTH or "\x00" in token:
            return None
        found = (
            ApiToken.objects.select_related("user", "event")
            .filter(token_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found


def _count(key: str, timeout: int) -> int:
    """Add one to the window's counter and return it: one round trip to Redis (INCR, and EXPIRE
    on the first hit only); any other cache through Django's add/incr."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        client = cache._cache.get_client(name, write=True)
        count = client.incr(name)
        if count == 1:
            client.expire(name, timeout)
        return count
    if cache.add(key, 1, timeout=timeout):
        return 1
    return cache.incr(key)


def _limits() -> dict[str, tuple[int, int]]:
    configured = getattr(settings, "API_RATE_LIMITS", {})
    return {
        "token": tuple(configured.get("token", (600, 60))),
        "anonymous": tuple(configured.get("anonymous", (300, 60))),
    }


class CacheRateLimit(BaseThrottle):
    """A fixed window per token (or per client address when anonymous)."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            ident, (limit, window) = f"t{token.pk}", _limits()["token"]
        else:
            ident, (limit, window) = f"a{self.get_ident(request)}", _limits()["anonymous"]
        now = time.time()
        start = int(now // window) * window
        request._api_retry_after = int(start + window - now) + 1
        key = f"api:rl:{ident}:{start}"
        try:
            count = _count(key, window + 5)
        except Exception:
            logger.warning("API rate limit not enforced: the cache is unavailable", exc_info=True)
            return True
        return count <= limit

    def wait(self) -> float | None:
        return None  # the handler reads the request's own retry-after (objects are shared)
