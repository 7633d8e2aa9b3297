"""The data migration reads sessions' free-text speakers and rooms into entities, keeping the text."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("events", "0004_speakers_rooms")]
AFTER = [("events", "0005_speakers_from_text")]


@pytest.mark.django_db(transaction=True)
def test_free_text_becomes_speakers_and_rooms():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    series = old.get_model("events", "Series").objects.create(title="s", slug="s", year=2025)
    now = timezone.now()
    event = old.get_model("events", "Event").objects.create(
        series=series,
        kind="forum",
        title="论坛",
        starts_at=now,
        ends_at=now + timedelta(hours=3),
        capacity=10,
        venue="中国海洋大学学术交流中心",
    )
    Session = old.get_model("events", "Session")
    Session.objects.create(
        event=event,
        title="圆桌",
        speakers="中国海洋大学 王教授；海尔集团 李博士",
        room="报告厅",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )
    Session.objects.create(
        event=event,
        title="报告",
        speakers="中国海洋大学 王教授",
        room="报告厅",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    Session.objects.create(
        event=event, title="茶歇", starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Speaker, Room = new.get_model("events", "Speaker"), new.get_model("events", "Room")
    assert sorted(Speaker.objects.values_list("name", "organisation", "title")) == [
        ("李博士", "海尔集团", "博士"),
        ("王教授", "中国海洋大学", "教授"),
    ]
    assert list(Room.objects.values_list("venue", "name")) == [("中国海洋大学学术交流中心", "报告厅")]
    sessions = {s.title: s for s in new.get_model("events", "Session").objects.all()}
    links = new.get_model("events", "SessionSpeaker").objects
    assert links.filter(session=sessions["圆桌"]).count() == 2 and links.filter(session=sessions["报告"]).count() == 1
    assert sessions["圆桌"].speakers == "中国海洋大学 王教授；海尔集团 李博士"  # the text stays as the fallback
    assert sessions["茶歇"].place_id is None and not links.filter(session=sessions["茶歇"]).exists()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
