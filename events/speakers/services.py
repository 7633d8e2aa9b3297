"""Writes on speakers and rooms, and linking them to sessions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import AccountError, audit_log, image_png_checked

from ..models import Session
from ..services.errors import ServiceError
from .models import Room, SessionSpeaker, Speaker
from .text import split_speakers, title_of


class SpeakerError(ServiceError):
    messages = {
        "forbidden": _("只有主办方可以管理嘉宾和会议室。"),
        "invalid": _("信息有误：%(detail)s"),
        "photo": _("照片无法使用：%(detail)s"),
    }

    @property
    def status_code(self) -> int:
        return 403 if self.code == "forbidden" else 400


def _require_organizer(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_organizer:
        raise SpeakerError("forbidden")


def _clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise SpeakerError("invalid", detail="; ".join(error.messages)) from error


def speaker_save(*, actor: User, data: dict[str, Any], speaker: Speaker | None = None, photo=None) -> Speaker:
    """Add or change a speaker; `photo` (an upload) is checked and re-encoded as a PNG like a logo.

    Side effect: a replaced photo file is removed from storage after commit.
    Raises SpeakerError: forbidden / invalid / photo.
    """
    _require_organizer(actor)
    png = None
    if photo is not None:
        try:
            png = image_png_checked(photo)
        except AccountError as error:
            raise SpeakerError("photo", detail=error.message) from error
    with transaction.atomic():
        speaker = speaker or Speaker()
        created = speaker.pk is None
        for field, value in data.items():
            setattr(speaker, field, value)
        _clean(speaker)
        speaker.save()
        if png is not None:
            before = speaker.photo.name or ""
            speaker.photo.save(f"speaker-{speaker.pk}.png", ContentFile(png), save=False)
            speaker.save(update_fields=["photo"])
            if before and before != speaker.photo.name:
                storage = speaker.photo.storage
                transaction.on_commit(lambda: storage.delete(before))
        audit_log(actor=actor, action="speaker.create" if created else "speaker.update", target=speaker)
    return speaker


def room_save(*, actor: User, data: dict[str, Any], room: Room | None = None) -> Room:
    _require_organizer(actor)
    with transaction.atomic():
        room = room or Room()
        created = room.pk is None
        for field, value in data.items():
            setattr(room, field, value)
        _clean(room)
        room.save()
        audit_log(actor=actor, action="room.create" if created else "room.update", target=room)
    return room


def session_speakers_set(session: Session, speakers: list[Speaker]) -> None:
    """Replace the session's speakers, in the given order. Caller holds the transaction."""
    SessionSpeaker.objects.filter(session=session).delete()
    SessionSpeaker.objects.bulk_create(
        [SessionSpeaker(session=session, speaker=s, position=i) for i, s in enumerate(speakers)]
    )


def session_people_from_text(session: Session) -> None:
    """Give a session made from free text (the demo, old data) its speaker and room entities,
    reusing speakers with the same name and organisation and rooms of the same venue."""
    with transaction.atomic():
        if session.room and session.place_id is None:
            session.place, _created = Room.objects.get_or_create(
                venue=session.event.venue or session.event.city, name=session.room
            )
            session.save(update_fields=["place"])
        if not SessionSpeaker.objects.filter(session=session).exists():
            people = []
            for name, organisation in split_speakers(session.speakers):
                speaker = Speaker.objects.filter(
                    name=name, organisation=organisation
                ).first() or Speaker.objects.create(name=name, organisation=organisation, title=title_of(name))
                people.append(speaker)
            session_speakers_set(session, people)
