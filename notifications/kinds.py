"""The kinds of notification, declared by the apps that send them.

`notifications` imports no other app (DESIGN §2), so each app declares its kinds in its own
`ready()` (or a module that ready() imports): the key it passes to `notify()`, the label shown
on the preferences page, whether e-mail is on by default, and the templates. Templates live
under templates/notifications/email/ by default:

    <template>_subject.txt   one line: the e-mail subject and the inbox title
    <template>_body.txt      the message itself (plain text; the inbox shows it, the e-mail wraps it)
    <template>_body.html     optional richer HTML body; without it the text body is used

All three are rendered in the recipient's language with the notification's context.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # a lazy translation, shown on the preferences page
    email_default: bool = True
    # False: the person cannot turn the e-mail off (it still honours nothing else).
    email_optional: bool = True
    template: str = ""
    # Who it is meant for, to group the preferences page: "candidate", "company", "organizer", "all".
    audience: str = "all"
    order: int = 100
    extra: dict = field(default_factory=dict)

    @property
    def template_base(self) -> str:
        return f"notifications/email/{self.template or self.key.replace('.', '_')}"


class UnknownKind(LookupError):
    pass


_kinds: dict[str, Kind] = {}


def kind_register(
    key: str,
    *,
    label,
    email_default: bool = True,
    email_optional: bool = True,
    template: str = "",
    audience: str = "all",
    order: int = 100,
) -> Kind:
    """Declare a notification kind. Idempotent for the same key (ready() may run twice in tests)."""
    kind = Kind(
        key=key,
        label=label,
        email_default=email_default,
        email_optional=email_optional,
        template=template,
        audience=audience,
        order=order,
    )
    _kinds[key] = kind
    return kind


def kind_get(key: str) -> Kind:
    try:
        return _kinds[key]
    except KeyError:
        raise UnknownKind(f"notification kind {key!r} is not registered (kind_register in the app's ready())") from None


def kinds_all() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))
