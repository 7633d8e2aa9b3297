"""Files that other apps add to a notification's e-mail, by notification kind.

`notifications` imports no other app (DESIGN §2), yet a registration confirmation must carry the
ticket's QR code, which `checkin` owns. So `checkin` registers a provider in its `ready()` and the
e-mail task asks for attachments by kind, passing only ids and plain data.
"""

from __future__ import annotations

from collections.abc import Callable

# (file name, content, MIME type), as EmailMessage.attach() takes them.
Attachment = tuple[str, bytes, str]
# provider(user_id=..., context=...) -> attachments; context is the notification's plain-data context.
Provider = Callable[..., list[Attachment]]

_providers: dict[str, list[Provider]] = {}


def attachment_provider_register(kind: str, provider: Provider) -> None:
    """Add `provider` for notifications of `kind` (idempotent: ready() may run twice in tests)."""
    providers = _providers.setdefault(kind, [])
    if provider not in providers:
        providers.append(provider)


def attachments_for(kind: str, *, user_id: int, context: dict) -> list[Attachment]:
    """Every registered provider's files for one notification, in registration order."""
    files: list[Attachment] = []
    for provider in _providers.get(kind, []):
        files.extend(provider(user_id=user_id, context=context))
    return files
