"""Organizers lay out a fair: its booking rules, halls, and booths placed on a hall's grid."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Event

from ..errors import FairError
from ..models import ACTIVE_BOOKING, Booth, BoothBooking, Fair, Hall
from ..permissions import fair_can_manage
from . import effects

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,11}$")
HALL_MAX_CELLS = 120  # a hall is at most 120×120 cells
BOOTH_FIELDS = ("code", "x", "y", "width", "height", "size", "zone", "is_closed")


def _require(actor: User, fair: Fair) -> None:
    if not fair_can_manage(actor, fair):
        raise FairError("forbidden")


def fair_ensure(*, event: Event, actor: User) -> Fair:
    """The fair settings of a recruitment-fair event, created with defaults on first use."""
    if event.kind != Event.Kind.FAIR:
        raise FairError("invalid", detail=event.get_kind_display())
    fair = Fair.objects.filter(pk=event.pk).select_related("event").first()
    if fair is None:
        fair = Fair(event=event)
        _require(actor, fair)
        with transaction.atomic():
            fair, created = Fair.objects.get_or_create(event=event)
            if created:
                audit_log(actor=actor, action="fair.create", target=fair)
    return fair


def fair_settings_save(*, fair: Fair, actor: User, data: dict[str, Any]) -> Fair:
    _require(actor, fair)
    with transaction.atomic():
        fair = Fair.objects.select_for_update(of=("self",)).select_related("event").get(pk=fair.pk)
        for field in ("approval_required", "booths_per_company", "booking_open", "booking_closes_at"):
            if field in data:
                setattr(fair, field, data[field])
        fair.save()
        audit_log(
            actor=actor,
            action="fair.settings",
            target=fair,
            data={
                "approval_required": fair.approval_required,
                "quota": fair.booths_per_company,
                "open": fair.booking_open,
            },
        )
    return fair


def hall_save(
    *, fair: Fair, actor: User, name: str, columns: int, rows: int, hall: Hall | None = None, image=None
) -> Hall:
    """Create or change a hall. `image` (an upload) becomes its floor image, re-encoded."""
    _require(actor, fair)
    name = (name or "").strip()
    if not name or not (4 <= columns <= HALL_MAX_CELLS and 4 <= rows <= HALL_MAX_CELLS):
        raise FairError("invalid", detail=f"{name} {columns}×{rows}")
    png = _floor_png(image) if image is not None else None
    with transaction.atomic():
        if hall is None:
            hall = Hall(fair=fair, position=fair.halls.count())
        elif hall.fair_id != fair.pk:
            raise FairError("forbidden")
        hall.name, hall.columns, hall.rows = name[:60], columns, rows
        if (
            hall.pk
            and Booth.objects.filter(hall=hall)
            .filter(models.Q(x__gt=columns - models.F("width")) | models.Q(y__gt=rows - models.F("height")))
            .exists()
        ):
            raise FairError("invalid", detail=_("缩小后有展位落在展厅外，请先移动这些展位。"))
        hall.save()
        if png is not None:
            from django.core.files.base import ContentFile

            hall.image.save(f"hall-{hall.pk}.png", ContentFile(png), save=True)
        audit_log(actor=actor, action="fair.hall", target=hall, data={"columns": columns, "rows": rows})
        effects.map_changed(fair.pk)
    return hall


def _floor_png(upload) -> bytes:
    """A floor image goes through the same checks as a logo, kept larger (up to 2000 px)."""
    from accounts.services import AccountError, image_png_checked

    try:
        return image_png_checked(upload, max_side=2000, max_bytes=8 * 1024 * 1024)
    except AccountError as error:
        raise FairError("invalid", detail=error.message) from None


def _clean_booth(hall: Hall, data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    try:
        for field in ("x", "y", "width", "height", "size"):
            if field in data:
                clean[field] = int(data[field])
    except (TypeError, ValueError):
        raise FairError("invalid", detail="number") from None
    if "code" in data:
        code = data["code"].strip().upper() if isinstance(data["code"], str) else ""
        if not CODE_RE.match(code):
            raise FairError("invalid", detail=code[:20])
        clean["code"] = code
    if "zone" in data:
        clean["zone"] = data["zone"].strip()[:40] if isinstance(data["zone"], str) else ""
    if "is_closed" in data:
        clean["is_closed"] = data["is_closed"] is True  # JSON true only: "false" is not a yes
    return clean


def _check_geometry(hall: Hall, booth: Booth) -> None:
    """Inside the hall and on no other booth. Callers hold the hall's row lock, so two
    organizers placing booths on the same cells at once cannot both succeed."""
    if booth.width < 1 or booth.height < 1 or not 1 <= booth.size <= 9999 or booth.x < 0 or booth.y < 0:
        raise FairError("invalid", detail=_("展位的宽、高至少 1 格，面积 1–9999 平方米"))
    if booth.x + booth.width > hall.columns or booth.y + booth.height > hall.rows:
        raise FairError("invalid", detail=_("展位超出展厅范围"))
    # Two rectangles overlap when each starts before the other ends, on both axes.
    other = (
        Booth.objects.filter(hall_id=hall.pk, x__lt=booth.x + booth.width, y__lt=booth.y + booth.height)
        .alias(right=F("x") + F("width"), bottom=F("y") + F("height"))
        .filter(right__gt=booth.x, bottom__gt=booth.y)
        .exclude(pk=booth.pk)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if other is not None:
        raise FairError("overlap", booth=other)


def _lock_hall(hall: Hall) -> Hall:
    return Hall.objects.select_for_update().get(pk=hall.pk)


def _code_taken(hall: Hall, code: str, exclude: int | None) -> bool:
    return Booth.objects.filter(hall__fair_id=hall.fair_id, code=code).exclude(pk=exclude).exists()


def booth_create(*, hall: Hall, actor: User, data: dict[str, Any]) -> Booth:
    fair = Fair.objects.select_related("event").get(pk=hall.fair_id)
    _require(actor, fair)
    booth = Booth(hall=hall, **_clean_booth(hall, data))
    if not booth.code:
        raise FairError("invalid", detail="code")
    try:
        with transaction.atomic():
            booth.hall = hall = _lock_hall(hall)
            _check_geometry(hall, booth)
            if _code_taken(hall, booth.code, None):
                raise FairError("duplicate_code", booth=booth.code)
            booth.save()
            audit_log(actor=actor, action="fair.booth_create", target=booth, data={"hall": hall.pk})
            effects.booth_changed(fair, booth)
    except IntegrityError:
        raise FairError("duplicate_code", booth=booth.code) from None
    return booth


def booth_update(*, booth: Booth, actor: User, data: dict[str, Any]) -> Booth:
    """Move, resize, rename, re-zone, close or reopen a booth. Closing a booked booth is refused."""
    fair = Fair.objects.select_related("event").get(pk=booth.hall.fair_id)
    _require(actor, fair)
    try:
        with transaction.atomic():
            _lock_hall(booth.hall)
            booth = Booth.objects.select_for_update(of=("self",)).select_related("hall").get(pk=booth.pk)
            changes = _clean_booth(booth.hall, data)
            if changes.get("code") and _code_taken(booth.hall, changes["code"], booth.pk):
                raise FairError("duplicate_code", booth=changes["code"])
            if (
                changes.get("is_closed")
                and not booth.is_closed
                and BoothBooking.objects.filter(booth=booth, status__in=ACTIVE_BOOKING).exists()
            ):
                raise FairError("has_bookings")
            for field, value in changes.items():
                setattr(booth, field, value)
            _check_geometry(booth.hall, booth)
            booth.version += 1
            booth.save()
            audit_log(actor=actor, action="fair.booth_update", target=booth, data={"changed": sorted(changes)})
            effects.booth_changed(fair, booth)
    except IntegrityError:
        raise FairError("duplicate_code", booth=str(data.get("code", ""))) from None
    except ValidationError as error:
        raise FairError("invalid", detail="; ".join(error.messages)) from None
    return booth


def booth_delete(*, booth: Booth, actor: User) -> None:
    """Remove a booth that never had a booking (history keeps booked booths: close them instead)."""
    fair = Fair.objects.select_related("event").get(pk=booth.hall.fair_id)
    _require(actor, fair)
    with transaction.atomic():
        booth = Booth.objects.select_for_update().get(pk=booth.pk)
        if BoothBooking.objects.filter(booth=booth).exists():
            raise FairError("has_bookings")
        state = {
            "id": booth.pk,
            "hall": booth.hall_id,
            "code": booth.code,
            "deleted": True,
            "version": booth.version + 1,
        }
        audit_log(actor=actor, action="fair.booth_delete", target=booth)
        booth.delete()
        payload = {"type": "fair.booth", "fair": fair.pk, "booth": state}
        effects.map_changed(fair.pk, (effects.group_fair(fair.pk), payload))
