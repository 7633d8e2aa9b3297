"""The map, its data, the directory with filters and shortlist, positions: wiring and query counts."""

import json

import pytest

from accounts.models import Company
from fairs.errors import FairError
from fairs.live import authorize_fair_topic
from fairs.models import Booth, BoothBooking, Fair, Position, ShortlistEntry
from fairs.services import position_save

from ..factories import EventFactory, candidate, organizer
from .factories import approved_booking, booths, fair_with_booths, member, position

pytestmark = pytest.mark.django_db


def fair_with_companies(n: int):
    """A fair of `n` booths, each booked by its own company with one position."""
    fair = fair_with_booths(n)
    companies = Company.objects.bulk_create(
        [
            Company(
                name=f"单位{i}",
                credit_code=f"CODE{i:014d}",
                industry="ai" if i % 2 else "marine",
                platform_kind="workstation",
                status="verified",
            )
            for i in range(n)
        ]
    )
    BoothBooking.objects.bulk_create(
        [BoothBooking(fair=fair, booth=b, company=c, status="approved") for b, c in zip(booths(fair), companies)]
    )
    positions = Position.objects.bulk_create(
        [Position(company=c, title=f"岗位{i}", discipline="0812" if i % 3 else "0707") for i, c in enumerate(companies)]
    )
    Fair.positions.through.objects.bulk_create([Fair.positions.through(position=p, fair=fair) for p in positions])
    return fair


@pytest.mark.parametrize("n", [1, 300])
def test_map_json_query_count_is_constant(client, django_assert_num_queries, n):
    fair = fair_with_companies(n)
    with django_assert_num_queries(4):  # fair, halls, active bookings, booths
        response = client.get(f"/fairs/{fair.pk}/map.json")
    data = response.json()
    assert len(data["booths"]) == n and {b["status"] for b in data["booths"]} == {"booked"}
    assert data["booths"][0]["company"].startswith("单位")
    with django_assert_num_queries(0):  # the fair row and the map come from this process (issue 18)
        again = client.get(f"/fairs/{fair.pk}/map.json")
    assert again.json() == data


def test_map_json_is_served_from_the_process_without_redis_and_answers_304(client, monkeypatch):
    from fairs import selectors

    fair = fair_with_booths(2)
    first = client.get(f"/fairs/{fair.pk}/map.json")
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache" and "Cookie" in first["Vary"]

    stamp_get = selectors.cache.get

    def stamp_only(key, *args, **kwargs):
        # The fair's stamp is the one thing a hit asks the shared cache (a few bytes); the map not.
        if not key.startswith("fairs:stamp:"):
            raise AssertionError("a hit in this process must not ask the shared cache for the map")
        return stamp_get(key, *args, **kwargs)

    def unreachable(*args, **kwargs):
        raise AssertionError("a hit in this process must not write the shared cache")

    monkeypatch.setattr(selectors.cache, "get", stamp_only)
    monkeypatch.setattr(selectors.cache, "set", unreachable)
    again = client.get(f"/fairs/{fair.pk}/map.json")
    assert again.content == first.content and again["ETag"] == etag
    unchanged = client.get(f"/fairs/{fair.pk}/map.json", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == etag
    # The viewer's own booths are part of the snapshot: a member gets other bytes, another ETag.
    company, user = member()
    approved_booking(fair, booths(fair)[0], company)
    selectors.map_cache_clear()
    monkeypatch.undo()
    client.force_login(user)
    mine = client.get(f"/fairs/{fair.pk}/map.json", HTTP_IF_NONE_MATCH=etag)
    assert mine.status_code == 200 and mine.json()["mine"] == [booths(fair)[0].pk] and mine["ETag"] != etag


def test_map_of_another_version_is_never_served(client):
    """A map cached (here or in Redis) for an older map_version is rebuilt, not served."""
    from fairs import selectors

    fair = fair_with_booths(1)
    assert client.get(f"/fairs/{fair.pk}/map.json").json()["booths"][0]["status"] == "free"
    company, _user = member()
    approved_booking(fair, booths(fair)[0], company)  # past the services: no bump yet
    assert client.get(f"/fairs/{fair.pk}/map.json").json()["booths"][0]["status"] == "free"
    from fairs.services.effects import map_version_bump

    new = map_version_bump(fair.pk)
    assert new == Fair.objects.get(pk=fair.pk).map_version
    selectors.map_cache_clear()  # as in another process: only the shared cache holds the old map
    assert client.get(f"/fairs/{fair.pk}/map.json").json()["booths"][0]["status"] == "booked"


def test_new_fairs_start_at_unrelated_map_versions():
    """A fair that reuses a deleted fair's id (a reset database) must not hit that fair's maps."""
    versions = {fair_with_booths(1).map_version for _ in range(3)}
    assert len(versions) == 3


@pytest.mark.parametrize("n", [1, 300])
def test_map_page_query_count_is_constant(client, django_assert_num_queries, n):
    fair = fair_with_companies(n)
    user = member()[1]
    client.force_login(user)
    # session, user, fair, acting company, halls, bookings, booths, own booths (a company
    # member is no organizer, so the can-manage check needs no query)
    with django_assert_num_queries(8):
        response = client.get(f"/fairs/{fair.pk}/map/")
    assert response.status_code == 200
    assert len(json.loads(response.context["snapshot_json"])["booths"]) == n
    # The same without the fair and the three map queries: both held by the process.
    with django_assert_num_queries(4):
        client.get(f"/fairs/{fair.pk}/map/")


@pytest.mark.parametrize("n", [1, 300])
def test_directory_query_count_is_constant(client, django_assert_num_queries, n):
    fair = fair_with_companies(n)
    client.force_login(candidate())
    # session, user, fair, companies, their positions, their bookings + booths, shortlist
    with django_assert_num_queries(7):
        response = client.get(f"/fairs/{fair.pk}/directory/")
    assert len(response.context["companies"]) == n


def test_directory_filters_discipline_industry_platform_keyword(client):
    fair = fair_with_booths(4)
    a, b, c, d = booths(fair)
    marine, _ = member(name="青岛海洋装备研究院", industry="marine", platform_kind="workstation")
    ai, _ = member(name="青岛智算科技", industry="ai", platform_kind="city_base")
    bio, _ = member(name="青岛生物医药公司", industry="biomed", platform_kind="none", description="专注海洋药物研发")
    for booth, company in [(a, marine), (b, ai), (c, bio)]:
        approved_booking(fair, booth, company)
    position(marine, fair, title="海洋声学博士后", discipline="0707")
    position(ai, fair, title="大模型算法工程师", discipline="0812")
    position(ai, None, title="未在本场展示的岗位", discipline="0707")
    from datetime import date

    position(ai, fair, title="已截止的岗位", discipline="0812", deadline=date(2020, 1, 1))
    unbooked, _ = member(name="未订展位的单位")
    position(unbooked, None, title="不该出现")

    def names(**params):
        response = client.get(f"/fairs/{fair.pk}/directory/", params)
        return [c.name for c in response.context["companies"]]

    assert names() == ["青岛智算科技", "青岛海洋装备研究院", "青岛生物医药公司"]
    assert names(discipline="0707") == ["青岛海洋装备研究院"]
    assert names(industry="ai") == ["青岛智算科技"]
    assert names(platform_kind="city_base") == ["青岛智算科技"]
    assert names(q="海洋") == ["青岛海洋装备研究院", "青岛生物医药公司"]
    assert names(q="大模型") == ["青岛智算科技"]
    assert names(industry="not-a-choice") == names()
    page = client.get(f"/fairs/{fair.pk}/directory/", {"discipline": "0707"}).content.decode()
    assert "海洋声学博士后" in page and "大模型算法工程师" not in page and "未在本场展示的岗位" not in page
    page = client.get(f"/fairs/{fair.pk}/directory/").content.decode()
    assert "大模型算法工程师" in page and "已截止的岗位" not in page
    assert f"/fairs/{fair.pk}/map/?highlight={a.pk}" in page


def test_shortlist_toggle_and_filter(client):
    fair = fair_with_booths(2)
    x, _ = member(name="甲单位")
    y, _ = member(name="乙单位")
    approved_booking(fair, booths(fair)[0], x)
    approved_booking(fair, booths(fair)[1], y)
    person = candidate()
    client.force_login(person)
    response = client.post(f"/fairs/{fair.pk}/shortlist/{x.pk}/", {"next": f"/fairs/{fair.pk}/directory/"})
    assert response.status_code == 302 and response["Location"] == f"/fairs/{fair.pk}/directory/"
    assert list(ShortlistEntry.objects.filter(user=person).values_list("company__name", flat=True)) == ["甲单位"]
    response = client.get(f"/fairs/{fair.pk}/directory/", {"shortlist": "1"})
    assert [c.name for c in response.context["companies"]] == ["甲单位"]
    client.post(f"/fairs/{fair.pk}/shortlist/{x.pk}/", {"next": "https://evil.example/"})
    assert not ShortlistEntry.objects.filter(user=person).exists()
    outsider, _ = member()
    response = client.post(f"/fairs/{fair.pk}/shortlist/{outsider.pk}/")
    assert not ShortlistEntry.objects.filter(user=person).exists()


def test_book_from_map_view_and_refusal_message(client):
    fair = fair_with_booths(2, approval_required=True)
    company, user = member()
    client.force_login(user)
    booth = booths(fair)[0]
    response = client.post(f"/fairs/{fair.pk}/booths/{booth.pk}/book/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["已申请展位 A-1，等待主办方审核。"]
    assert BoothBooking.objects.get(booth=booth).status == "requested"
    assert json.loads(response.context["snapshot_json"])["mine"] == [booth.pk]
    other, other_user = member(verified=False)
    client.force_login(other_user)
    response = client.post(f"/fairs/{fair.pk}/booths/{booths(fair)[1].pk}/book/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["单位通过主办方认证后才能预订展位、发布岗位。"]


def test_map_of_a_draft_fair_is_404_for_the_public_and_topic_refused(client):
    fair = fair_with_booths(1, status="draft")
    assert client.get(f"/fairs/{fair.pk}/map/").status_code == 404
    assert client.get(f"/fairs/{fair.pk}/map.json").status_code == 404
    from django.contrib.auth.models import AnonymousUser

    assert authorize_fair_topic(AnonymousUser(), fair.pk, "") is False
    assert authorize_fair_topic(fair.boss, fair.pk, "") is True
    published = fair_with_booths(1)
    assert authorize_fair_topic(AnonymousUser(), published.pk, "") is True
    assert authorize_fair_topic(AnonymousUser(), published.pk, "staff") is False
    assert authorize_fair_topic(AnonymousUser(), 999999, "") is False


def test_position_save_only_at_fairs_with_our_booth():
    fair = fair_with_booths(1)
    elsewhere = fair_with_booths(1)
    company, user = member()
    approved_booking(fair, booths(fair)[0], company)
    data = {
        "title": "博士后（海洋遥感）",
        "discipline": "0707",
        "headcount": 3,
        "salary_min": 30,
        "salary_max": 50,
        "location": "青岛西海岸新区",
        "requirements": "海洋科学博士",
        "deadline": None,
    }
    p = position_save(company=company, actor=user, data=data, fairs=[fair])
    assert list(p.fairs.all()) == [fair]
    with pytest.raises(FairError) as error:
        position_save(company=company, actor=user, data=data, fairs=[elsewhere])
    assert error.value.code == "no_booth"
    with pytest.raises(FairError) as error:
        position_save(company=company, actor=user, data={**data, "salary_min": 60}, fairs=[])
    assert error.value.code == "invalid"
    unverified, someone = member(verified=False)
    with pytest.raises(FairError) as error:
        position_save(company=unverified, actor=someone, data=data)
    assert error.value.code == "not_verified"


def test_position_form_view_creates_position(client):
    fair = fair_with_booths(1)
    company, user = member()
    approved_booking(fair, booths(fair)[0], company)
    client.force_login(user)
    response = client.post(
        "/company/positions/new/",
        {
            "title": "新材料研发工程师",
            "discipline": "0805",
            "headcount": "2",
            "salary_min": "25",
            "salary_max": "20",
            "location": "青岛",
            "requirements": "",
            "deadline": "",
            "fairs": [fair.pk],
        },
    )
    assert response.status_code == 400
    assert "年薪上限不能低于下限。" in response.content.decode()
    response = client.post(
        "/company/positions/new/",
        {
            "title": "新材料研发工程师",
            "discipline": "0805",
            "headcount": "2",
            "salary_min": "20",
            "salary_max": "35",
            "location": "青岛",
            "requirements": "",
            "deadline": "2030-01-31",
            "fairs": [fair.pk],
        },
    )
    assert response.status_code == 302
    p = Position.objects.get(company=company)
    assert (p.title, p.salary_max, list(p.fairs.all())) == ("新材料研发工程师", 35, [fair])


def test_a_salary_in_yuan_is_refused_with_the_unit(client):
    """300000–450000 in a field in 万元 was published as "300000–450000 万元/年" (issue 17)."""
    fair = fair_with_booths(1)
    company, user = member()
    approved_booking(fair, booths(fair)[0], company)
    client.force_login(user)
    form = {
        "title": "算法工程师",
        "discipline": "0812",
        "headcount": "1",
        "salary_min": "300000",
        "salary_max": "450000",
        "location": "青岛",
        "requirements": "",
        "deadline": "",
        "fairs": [fair.pk],
    }
    response = client.post("/company/positions/new/", form)
    assert response.status_code == 400
    assert response.content.decode().count("年薪以万元为单位，请填写 1 到 500 之间的数，如 30 表示 30 万元。") == 2
    assert not Position.objects.filter(company=company).exists()
    data = {
        "title": "算法工程师",
        "discipline": "0812",
        "headcount": 1,
        "salary_min": 30,
        "salary_max": 501,
        "location": "青岛",
        "requirements": "",
        "deadline": None,
    }
    with pytest.raises(FairError) as error:  # the service refuses it too (the API and the admin use it)
        position_save(company=company, actor=user, data=data, fairs=[fair])
    assert error.value.code == "invalid"
    response = client.post("/company/positions/new/", {**form, "salary_min": "1", "salary_max": "500"})
    assert response.status_code == 302
    assert Position.objects.get(company=company).salary_max == 500


def test_event_page_links_to_map_and_console_has_buttons(client):
    fair = fair_with_booths(1)
    page = client.get(f"/events/{fair.pk}/").content.decode()
    assert f'href="/fairs/{fair.pk}/map/"' in page and f'href="/fairs/{fair.pk}/directory/"' in page
    forum = EventFactory(kind="forum")
    assert "/map/" not in client.get(f"/events/{forum.pk}/").content.decode()
    client.force_login(fair.boss)
    console = client.get(f"/console/events/{fair.pk}/").content.decode()
    assert f'href="/console/fairs/{fair.pk}/"' in console and f'href="/console/fairs/{fair.pk}/bookings/"' in console


def test_console_floor_creates_fair_and_hall_and_booths_json(client):
    event = EventFactory()
    boss = organizer(manages_all=True)
    client.force_login(boss)
    assert client.get(f"/console/fairs/{event.pk}/").status_code == 200
    response = client.post(f"/console/fairs/{event.pk}/", {"form": "hall", "name": "1号馆", "columns": 20, "rows": 10})
    assert response.status_code == 302
    hall = Fair.objects.get(pk=event.pk).halls.get()
    create = f"/console/fairs/{event.pk}/booths/"
    answer = client.post(
        create,
        json.dumps({"hall": hall.pk, "code": "a-01", "x": 0, "y": 0, "width": 2, "height": 2}),
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["booth"]["code"] == "A-01"
    booth_id = answer.json()["booth"]["id"]
    dup = client.post(
        create, json.dumps({"hall": hall.pk, "code": "A-01", "x": 4, "y": 0}), content_type="application/json"
    )
    assert dup.status_code == 409, dup.json()
    assert dup.json()["message"] == "本场招聘会已有展位号 A-01。"
    outside = client.post(
        create,
        json.dumps({"hall": hall.pk, "code": "A-02", "x": 19, "y": 0, "width": 2}),
        content_type="application/json",
    )
    assert outside.status_code == 400 and outside.json()["code"] == "invalid"
    bad = client.post(create, b"{not json", content_type="application/json")
    assert bad.status_code == 400
    moved = client.post(
        f"/console/fairs/{event.pk}/booths/{booth_id}/",
        json.dumps({"x": 5, "y": 3, "zone": "海洋"}),
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert (moved.json()["booth"]["x"], moved.json()["booth"]["y"], moved.json()["booth"]["zone"]) == (5, 3, "海洋")
    assert Booth.objects.filter(pk=booth_id).values_list("x", "y", "zone").get() == (5, 3, "海洋")
    gone = client.post(
        f"/console/fairs/{event.pk}/booths/{booth_id}/", json.dumps({"delete": True}), content_type="application/json"
    )
    assert gone.json() == {"ok": True, "deleted": booth_id}
    forum = EventFactory(kind="forum")
    response = client.get(f"/console/fairs/{forum.pk}/")
    assert response.status_code == 302


def test_map_cache_is_retired_by_every_booth_change(client, django_capture_on_commit_callbacks):
    from fairs.services import booth_book, booth_update

    fair = fair_with_booths(2)
    company, user = member()
    assert [b["status"] for b in client.get(f"/fairs/{fair.pk}/map.json").json()["booths"]] == ["free", "free"]
    with django_capture_on_commit_callbacks(execute=True):
        booth_book(booth=booths(fair)[0], company=company, actor=user)
    assert [b["status"] for b in client.get(f"/fairs/{fair.pk}/map.json").json()["booths"]] == ["booked", "free"]
    with django_capture_on_commit_callbacks(execute=True):
        booth_update(booth=booths(fair)[1], actor=fair.boss, data={"is_closed": True, "code": "B-9"})
    data = client.get(f"/fairs/{fair.pk}/map.json").json()
    assert [(b["code"], b["status"]) for b in data["booths"]] == [("A-1", "booked"), ("B-9", "closed")]


def test_map_page_escapes_names_in_the_embedded_snapshot(client):
    fair = fair_with_booths(1)
    company, _ = member(name="</script><script>alert(1)</script>")
    approved_booking(fair, booths(fair)[0], company)
    page = client.get(f"/fairs/{fair.pk}/map/").content.decode()
    assert "</script><script>alert(1)" not in page
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in page


def test_console_hall_rename_resize_and_refusal_to_cut_off_booths(client):
    fair = fair_with_booths(5, columns=5)  # 1×1 booths at x 0..4, y 0
    client.force_login(fair.boss)
    hall = fair.halls.get()
    response = client.post(
        f"/console/fairs/{fair.pk}/", {"form": "hall", "hall": hall.pk, "name": "1号馆", "columns": 10, "rows": 6}
    )
    assert response.status_code == 302
    hall.refresh_from_db()
    assert (hall.name, hall.columns, hall.rows) == ("1号馆", 10, 6)
    client.get(f"/console/fairs/{fair.pk}/")  # shows (and so uses up) the message
    response = client.post(
        f"/console/fairs/{fair.pk}/", {"form": "hall", "hall": hall.pk, "name": "1号馆", "columns": 4, "rows": 4}
    )
    assert response.status_code == 400  # booth A-5 at x=4 would fall outside
    assert [str(m) for m in response.context["messages"]] == ["信息有误：缩小后有展位落在展厅外，请先移动这些展位。"]
    hall.refresh_from_db()
    assert (hall.columns, hall.rows) == (10, 6)
    other = fair_with_booths(1)
    response = client.post(
        f"/console/fairs/{fair.pk}/",
        {"form": "hall", "hall": other.halls.get().pk, "name": "x", "columns": 10, "rows": 10},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"code": None},
        {"code": 12},
        {"x": "left"},
        {"x": None},
        {"width": 10**9},
        {"size": -1},
        {"x": 10**12},
        {"code": "A 1"},
        {"code": "<b>"},
    ],
)
def test_booth_update_bad_input_is_a_400_and_changes_nothing(client, body):
    fair = fair_with_booths(1)
    booth = booths(fair)[0]
    client.force_login(fair.boss)
    response = client.post(
        f"/console/fairs/{fair.pk}/booths/{booth.pk}/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    fresh = booths(fair)[0]
    assert (fresh.code, fresh.x, fresh.width, fresh.size, fresh.version) == ("A-1", 0, 1, 9, 0)


def test_booth_update_is_closed_needs_json_true(client):
    fair = fair_with_booths(1)
    booth = booths(fair)[0]
    client.force_login(fair.boss)
    client.post(
        f"/console/fairs/{fair.pk}/booths/{booth.pk}/",
        json.dumps({"is_closed": "false"}),
        content_type="application/json",
    )
    assert booths(fair)[0].is_closed is False
    client.post(
        f"/console/fairs/{fair.pk}/booths/{booth.pk}/", json.dumps({"is_closed": True}), content_type="application/json"
    )
    assert booths(fair)[0].is_closed is True


def test_hall_floor_image_is_reencoded_and_a_non_image_refused(client, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # CVs: outside MEDIA_ROOT in production
    fair = fair_with_booths(1)
    client.force_login(fair.boss)
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 1500), (200, 210, 220)).save(buffer, format="JPEG")
    image = SimpleUploadedFile("floor.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.post(
        f"/console/fairs/{fair.pk}/", {"form": "hall", "name": "B 馆", "columns": 30, "rows": 15, "image": image}
    )
    assert response.status_code == 302
    hall = fair.halls.get(name="B 馆")
    with Image.open(hall.image.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (2000, 1000))
    fake = SimpleUploadedFile("floor.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(
        f"/console/fairs/{fair.pk}/", {"form": "hall", "name": "C 馆", "columns": 30, "rows": 15, "image": fake}
    )
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]][
        -1
    ] == "信息有误：只接受 PNG、JPEG、GIF 或 WebP 图片，该文件无法识别为图片。"
    assert not fair.halls.filter(name="C 馆").exists()


def test_map_page_and_data_read_no_database_in_the_steady_state(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Issue 18: a reader of a map nobody changes costs no query; any change is seen at once."""
    from django.core.cache import cache

    from fairs import selectors
    from fairs.services import booth_book

    fair = fair_with_companies(3)
    free = Booth.objects.create(hall=booths(fair)[0].hall, code="Z-1", x=40, y=40, width=2, height=2)
    client.get(f"/fairs/{fair.pk}/map/")
    client.get(f"/fairs/{fair.pk}/map.json")  # the first reads of this process fill its copies
    with django_assert_num_queries(0):
        page = client.get(f"/fairs/{fair.pk}/map/")
        data = client.get(f"/fairs/{fair.pk}/map.json")
    assert page.status_code == 200 and data.status_code == 200
    assert {b["id"]: b["status"] for b in data.json()["booths"]}[free.pk] == "free"

    # A booking through the service: its commit bumps the version and the stamp; the next read
    # sees it (and queries), the one after is free again.
    company, user = member()
    with django_capture_on_commit_callbacks(execute=True):
        booth_book(booth=free, company=company, actor=user)
    assert {b["id"]: b["status"] for b in client.get(f"/fairs/{fair.pk}/map.json").json()["booths"]}[free.pk] != "free"
    with django_assert_num_queries(0):
        client.get(f"/fairs/{fair.pk}/map.json")

    # The event saved (here: cancelled and renamed): the copy of the row is retired.
    event = fair.event
    event.title = "改名后的招聘会"
    with django_capture_on_commit_callbacks(execute=True):
        event.save()
    assert "改名后的招聘会" in client.get(f"/fairs/{fair.pk}/map/").content.decode()

    # Another process changed the fair: only the shared stamp moved, this process still holds
    # its copy. The stamp is checked on every read, so the copy is not used.
    Fair.objects.filter(pk=fair.pk).update(booking_open=False)  # past the services, no signal
    client.get(f"/fairs/{fair.pk}/map.json")
    assert client.get(f"/fairs/{fair.pk}/map.json").json()["booking_open"] is True  # held: not seen yet
    cache.set(selectors._stamp_key(fair.pk), "from-another-process")
    with django_assert_num_queries(1):  # the fair row, nothing else (the map is unchanged)
        assert client.get(f"/fairs/{fair.pk}/map.json").json()["booking_open"] is False
