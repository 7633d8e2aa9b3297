"""The floor editor's rules found missing by the mutation run (docs/mutation.md, the fourth run):
the cleaning of a booth edit, the edges of a booth and of a hall, who may change what, and what
an edit records and pushes. The services are called directly; test_pages.py drives the views."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import AuditEntry
from events.models import Event
from fairs.errors import FairError
from fairs.models import Booth, BoothBooking, Fair, Hall
from fairs.services import effects
from fairs.services.floor import (
    booth_create,
    booth_delete,
    booth_update,
    fair_ensure,
    fair_settings_save,
    hall_save,
)
from tests.factories import EventFactory, organizer, team_member

from .factories import booths, fair_with_booths, member

pytestmark = pytest.mark.django_db


def refusal(call) -> tuple[str, str]:
    """(code, message in Chinese) of the FairError that `call` raises."""
    with translation.override("zh-hans"), pytest.raises(FairError) as refused:
        call()
    return refused.value.code, str(refused.value.message)


def test_a_booth_code_is_trimmed_upper_cased_and_of_at_most_twelve_letters_digits_or_dashes():
    fair = fair_with_booths(1)
    hall = fair.halls.get()

    def create(code, x):
        return booth_create(hall=hall, actor=fair.boss, data={"code": code, "x": x, "y": 2, "width": 1, "height": 1})

    assert [create(code, x).code for x, code in enumerate([" b-7 ", "ABCDEFGHIJK9", "z"])] == [
        "B-7",
        "ABCDEFGHIJK9",
        "Z",
    ]
    too_long = "ABCDEFGHIJKLMNOPQRSTUVWXY"
    assert refusal(lambda: create(too_long, 5)) == ("invalid", "信息有误：ABCDEFGHIJKLMNOPQRST")
    for bad in ("ABCDEFGHIJKLM", "-A", "A_1", ""):
        assert refusal(lambda bad=bad: create(bad, 6))[0] == "invalid"
    assert refusal(lambda: booth_create(hall=hall, actor=fair.boss, data={"x": 7, "y": 2})) == (
        "invalid",
        "信息有误：code",
    )


def test_numbers_may_come_as_text_a_zone_is_trimmed_to_forty_and_only_json_true_closes():
    fair = fair_with_booths(1)
    booth = booths(fair)[0]
    changed = booth_update(
        booth=booth, actor=fair.boss, data={"x": "3", "y": "1", "size": "12", "zone": "  " + "区" * 45 + " "}
    )
    assert (changed.x, changed.y, changed.size, changed.zone) == (3, 1, 12, "区" * 40)
    assert booth_update(booth=booth, actor=fair.boss, data={"zone": 7, "is_closed": 1}).zone == ""
    assert Booth.objects.get(pk=booth.pk).is_closed is False
    assert refusal(lambda: booth_update(booth=booth, actor=fair.boss, data={"width": "wide"})) == (
        "invalid",
        "信息有误：number",
    )


def test_a_booth_fits_exactly_to_the_halls_edges_and_no_further():
    fair = fair_with_booths(1)  # a 40×4 hall, A-1 at (0,0)
    hall = fair.halls.get()

    def create(code, **place):
        return booth_create(hall=hall, actor=fair.boss, data={"code": code, **place})

    create("E-1", x=38, y=2, width=2, height=2)  # its right and bottom edges are the hall's
    create("E-2", x=0, y=1, width=1, height=3, size=1)
    create("E-3", x=1, y=0, width=1, height=1, size=9999)
    for place in (
        {"x": 39, "y": 0, "width": 2, "height": 1},
        {"x": 30, "y": 3, "width": 1, "height": 2},
    ):
        assert refusal(lambda place=place: create("F-1", **place)) == ("invalid", "信息有误：展位超出展厅范围")
    sizes = "信息有误：展位的宽、高至少 1 格，面积 1–9999 平方米"
    for place in (
        {"x": 20, "y": 0, "width": 0, "height": 1},
        {"x": 20, "y": 0, "width": 1, "height": 0},
        {"x": 20, "y": 0, "width": 1, "height": 1, "size": 0},
        {"x": 20, "y": 0, "width": 1, "height": 1, "size": 10000},
        {"x": -1, "y": 0, "width": 1, "height": 1},
        {"x": 20, "y": -1, "width": 1, "height": 1},
    ):
        assert refusal(lambda place=place: create("F-2", **place)) == ("invalid", sizes)
    assert sorted(Booth.objects.filter(hall=hall).values_list("code", flat=True)) == ["A-1", "E-1", "E-2", "E-3"]


def test_an_overlap_names_the_first_booth_in_code_order():
    fair = fair_with_booths(3)  # at x 0, 1, 2
    hall = fair.halls.get()
    data = {"code": "G-1", "x": 1, "y": 0, "width": 2, "height": 1}
    assert refusal(lambda: booth_create(hall=hall, actor=fair.boss, data=data)) == (
        "overlap",
        "该位置与展位 A-2 重叠，请换一个位置。",
    )


def test_a_booth_code_is_unique_across_the_fairs_halls_but_may_be_kept_or_reused_elsewhere():
    fair = fair_with_booths(2)
    first, second = booths(fair)
    other_hall = Hall.objects.create(fair=fair, name="B 馆", columns=10, rows=10)
    data = {"code": "a-2", "x": 0, "y": 0, "width": 1, "height": 1}
    assert refusal(lambda: booth_create(hall=other_hall, actor=fair.boss, data=data))[0] == "duplicate_code"
    assert refusal(lambda: booth_update(booth=first, actor=fair.boss, data={"code": "A-2"})) == (
        "duplicate_code",
        "本场招聘会已有展位号 A-2。",
    )
    assert booth_update(booth=first, actor=fair.boss, data={"code": "A-1", "zone": "能源"}).zone == "能源"
    # Across halls only the service's own check refuses (the database's unique pair is per hall).
    in_b = booth_create(hall=other_hall, actor=fair.boss, data={**data, "code": "B-0", "x": 3})
    assert refusal(lambda: booth_update(booth=in_b, actor=fair.boss, data={"code": "a-1"})) == (
        "duplicate_code",
        "本场招聘会已有展位号 A-1。",
    )
    elsewhere = fair_with_booths(1)
    reused = booth_create(hall=elsewhere.halls.get(), actor=elsewhere.boss, data={**data, "x": 5})
    assert reused.code == "A-2"
    moved = booth_create(hall=other_hall, actor=fair.boss, data={**data, "code": "B-1"})
    assert (moved.hall_id, moved.code, second.code) == (other_hall.pk, "B-1", "A-2")


def test_closing_is_refused_only_for_a_booth_with_an_active_booking():
    fair = fair_with_booths(3)
    booked, cancelled, closed = booths(fair)
    company, _admin = member()
    BoothBooking.objects.create(fair=fair, booth=booked, company=company, status=BoothBooking.Status.REQUESTED)
    BoothBooking.objects.create(fair=fair, booth=cancelled, company=company, status=BoothBooking.Status.CANCELLED)
    BoothBooking.objects.create(fair=fair, booth=closed, company=company, status=BoothBooking.Status.APPROVED)
    Booth.objects.filter(pk=closed.pk).update(is_closed=True)  # closed by hand before it was booked
    assert refusal(lambda: booth_update(booth=booked, actor=fair.boss, data={"is_closed": True}))[0] == "has_bookings"
    assert booth_update(booth=cancelled, actor=fair.boss, data={"is_closed": True}).is_closed is True
    # A booth already closed may still be edited with its flag sent again (the editor sends it).
    assert booth_update(booth=closed, actor=fair.boss, data={"is_closed": True, "zone": "北区"}).zone == "北区"


def test_an_edit_counts_its_version_and_audits_the_changed_fields():
    fair = fair_with_booths(1)
    booth = booths(fair)[0]
    booth_update(booth=booth, actor=fair.boss, data={"zone": "能源", "x": 5, "size": 20})
    again = booth_update(booth=booth, actor=fair.boss, data={"y": 1})
    assert again.version == Booth.objects.get(pk=booth.pk).version == 2
    entries = AuditEntry.objects.filter(action="fair.booth_update").order_by("pk")
    assert [(e.actor_id, e.target_id, e.data) for e in entries] == [
        (fair.boss.pk, str(booth.pk), {"changed": ["size", "x", "zone"]}),
        (fair.boss.pk, str(booth.pk), {"changed": ["y"]}),
    ]
    created = booth_create(hall=booth.hall, actor=fair.boss, data={"code": "N-1", "x": 9, "y": 0})
    entry = AuditEntry.objects.get(action="fair.booth_create")
    assert (entry.actor_id, entry.target_id, entry.data) == (fair.boss.pk, str(created.pk), {"hall": booth.hall_id})


def test_deleting_a_booth_pushes_its_removal_and_is_refused_once_it_was_ever_booked(monkeypatch):
    fair = fair_with_booths(2)
    gone, kept = booths(fair)
    booth_update(booth=gone, actor=fair.boss, data={"zone": "能源"})  # version 1
    pushed = []
    monkeypatch.setattr(effects, "map_changed", lambda fair_id, *messages: pushed.append((fair_id, messages)))
    booth_delete(booth=gone, actor=fair.boss)
    state = {"id": gone.pk, "hall": gone.hall_id, "code": "A-1", "deleted": True, "version": 2}
    assert pushed == [(fair.pk, ((f"fair.{fair.pk}", {"type": "fair.booth", "fair": fair.pk, "booth": state}),))]
    entry = AuditEntry.objects.get(action="fair.booth_delete")
    assert (entry.actor_id, entry.target_id) == (fair.boss.pk, str(gone.pk))
    company, _admin = member()
    BoothBooking.objects.create(fair=fair, booth=kept, company=company, status=BoothBooking.Status.CANCELLED)
    assert refusal(lambda: booth_delete(booth=kept, actor=fair.boss))[0] == "has_bookings"
    assert list(Booth.objects.filter(hall__fair=fair).values_list("code", flat=True)) == ["A-2"]
    outsider = organizer()
    assert refusal(lambda: booth_delete(booth=kept, actor=outsider))[0] == "forbidden"


def test_a_hall_is_four_to_a_hundred_and_twenty_cells_each_way_with_a_trimmed_name(monkeypatch):
    fair = fair_with_booths(1)
    pushed = []
    monkeypatch.setattr(effects, "map_changed", lambda fair_id, *messages: pushed.append((fair_id, messages)))
    smallest = hall_save(fair=fair, actor=fair.boss, name="  小馆 ", columns=4, rows=4)
    largest = hall_save(fair=fair, actor=fair.boss, name="大" * 70, columns=120, rows=120)
    assert [(h.name, h.columns, h.rows, h.position) for h in (smallest, largest)] == [
        ("小馆", 4, 4, 1),
        ("大" * 60, 120, 120, 2),
    ]
    for name, columns, rows in (
        (None, 10, 10),
        ("x", 3, 10),
        ("x", 121, 10),
        ("x", 10, 3),
        ("x", 10, 121),
        ("  ", 10, 10),
    ):
        assert (
            refusal(lambda n=name, c=columns, r=rows: hall_save(fair=fair, actor=fair.boss, name=n, columns=c, rows=r))[
                0
            ]
            == "invalid"
        )
    assert refusal(lambda: hall_save(fair=fair, actor=fair.boss, name="x", columns=3, rows=10)) == (
        "invalid",
        "信息有误：x 3×10",
    )
    assert pushed == [(fair.pk, ()), (fair.pk, ())]  # the map is retired after each saved hall
    entries = AuditEntry.objects.filter(action="fair.hall").order_by("pk")
    assert [(e.actor_id, e.target_id, e.data) for e in entries] == [
        (fair.boss.pk, str(smallest.pk), {"columns": 4, "rows": 4}),
        (fair.boss.pk, str(largest.pk), {"columns": 120, "rows": 120}),
    ]
    assert Hall.objects.filter(fair=fair).count() == 3


def test_a_hall_may_shrink_to_its_last_booths_edge_but_not_past_it_nor_change_another_fairs_hall():
    fair = fair_with_booths(5, columns=5)  # A-1..A-5 at x 0..4, y 0; the hall is 5×4
    hall = hall_save(fair=fair, actor=fair.boss, name="A 馆", columns=5, rows=6, hall=fair.halls.get())
    booth_create(hall=hall, actor=fair.boss, data={"code": "Z-1", "x": 0, "y": 5, "width": 1, "height": 1})
    # The booths end on the last column and the last row: saving the same size again is fine.
    assert hall_save(fair=fair, actor=fair.boss, name="1号馆", columns=5, rows=6, hall=hall).name == "1号馆"
    for columns, rows in ((4, 6), (5, 5)):
        assert refusal(
            lambda c=columns, r=rows: hall_save(fair=fair, actor=fair.boss, name="x", columns=c, rows=r, hall=hall)
        ) == (
            "invalid",
            "信息有误：缩小后有展位落在展厅外，请先移动这些展位。",
        )
    other = fair_with_booths(1)
    assert (
        refusal(lambda: hall_save(fair=fair, actor=fair.boss, name="x", columns=9, rows=9, hall=other.halls.get()))[0]
        == "forbidden"
    )
    assert refusal(lambda: hall_save(fair=fair, actor=organizer(), name="x", columns=9, rows=9))[0] == "forbidden"


def test_fair_settings_change_only_what_is_sent_and_are_audited():
    fair = fair_with_booths(1, quota=2)
    saved = fair_settings_save(fair=fair, actor=fair.boss, data={"approval_required": True, "ignored": 1})
    assert (saved.approval_required, saved.booths_per_company, saved.booking_open) == (True, 2, True)
    closes = timezone.now() + timedelta(days=3)
    data = {"booths_per_company": 3, "booking_open": False, "booking_closes_at": closes}
    saved = fair_settings_save(fair=fair, actor=fair.boss, data=data)
    fresh = Fair.objects.get(pk=fair.pk)
    assert (fresh.approval_required, fresh.booths_per_company, fresh.booking_open) == (True, 3, False)
    assert fresh.booking_closes_at == closes
    entries = AuditEntry.objects.filter(action="fair.settings").order_by("pk")
    assert [(e.actor_id, e.target_id, e.data) for e in entries] == [
        (fair.boss.pk, str(fair.pk), {"approval_required": True, "quota": 2, "open": True}),
        (fair.boss.pk, str(fair.pk), {"approval_required": True, "quota": 3, "open": False}),
    ]
    assert (
        refusal(lambda: fair_settings_save(fair=fair, actor=organizer(), data={"booking_open": True}))[0] == "forbidden"
    )
    assert Fair.objects.get(pk=fair.pk).booking_open is False


def test_a_fair_is_set_up_once_for_a_fair_event_by_its_editors_only():
    event = EventFactory(kind=Event.Kind.FAIR)
    boss, scanner_only = organizer(), organizer()
    team_member(event, boss)
    team_member(event, scanner_only, can_edit=False, can_scan=True)
    assert refusal(lambda: fair_ensure(event=event, actor=scanner_only))[0] == "forbidden"
    fair = fair_ensure(event=event, actor=boss)
    assert fair_ensure(event=event, actor=boss) == fair == Fair.objects.get(event=event)
    entries = AuditEntry.objects.filter(action="fair.create")
    assert [(e.actor_id, e.target_id) for e in entries] == [(boss.pk, str(fair.pk))]
    forum = EventFactory(kind=Event.Kind.FORUM)
    team_member(forum, boss)
    assert refusal(lambda: fair_ensure(event=forum, actor=boss)) == ("invalid", "信息有误：学术研讨")
    assert not Fair.objects.filter(event=forum).exists()


def test_a_floor_image_may_weigh_up_to_eight_megabytes():
    # The size is refused before the file is decoded: one byte over says "too large", exactly
    # 8 MB goes on to be read (and this junk is then refused as no image).
    from django.core.files.uploadedfile import SimpleUploadedFile

    fair = fair_with_booths(1)
    limit = 8 * 1024 * 1024

    def upload(size):
        image = SimpleUploadedFile("floor.png", b"x" * size, content_type="image/png")
        return lambda: hall_save(fair=fair, actor=fair.boss, name="B 馆", columns=9, rows=9, image=image)

    assert refusal(upload(limit + 1)) == ("invalid", "信息有误：图片文件不能超过 8 MB。")
    assert refusal(upload(limit)) == ("invalid", "信息有误：只接受 PNG、JPEG、GIF 或 WebP 图片，该文件无法识别为图片。")
    assert not fair.halls.filter(name="B 馆").exists()


def test_a_code_taken_behind_the_services_back_is_still_a_duplicate_naming_the_code(monkeypatch):
    # The database's unique pair (hall, code) backs up the service's check, which runs under the
    # hall's lock: a writer that bypasses the services (the admin) is the only way past it.
    from fairs.services import floor

    fair = fair_with_booths(2)
    first, _second = booths(fair)
    monkeypatch.setattr(floor, "_code_taken", lambda hall, code, exclude: False)
    assert refusal(lambda: booth_update(booth=first, actor=fair.boss, data={"code": "A-2"})) == (
        "duplicate_code",
        "本场招聘会已有展位号 A-2。",
    )
    assert Booth.objects.get(pk=first.pk).code == "A-1"
    data = {"code": "A-1", "x": 9, "y": 0, "width": 1, "height": 1}
    assert refusal(lambda: booth_create(hall=first.hall, actor=fair.boss, data=data)) == (
        "duplicate_code",
        "本场招聘会已有展位号 A-1。",
    )
