"""Bad input never makes a 500: random form values on the entry form, the scorecard, the judge
declaration and the organizer's console (hypothesis; each example is one request)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competitions.models import Assignment, Judge, Round

from .factories import a_competition, a_judge, a_round, an_entry, boss

pytestmark = pytest.mark.django_db

junk = st.one_of(st.text(max_size=30), st.sampled_from(["", "-1", "1e999", "NaN", "0x10", "9" * 40, "１２", "%PDF-"]))
FIELDS = [
    "title",
    "track",
    "stage",
    "company_name",
    "credit_code",
    "organisation",
    "summary",
    "video_url",
    "patents",
    "funding_wan",
    "team",
    "email",
    "number",
    "name",
    "kind",
    "judges_per_entry",
    "advance_count",
    "advance_share",
    "tie_break",
    "weight",
    "scale_max",
    "criterion",
    "judge",
    "entry",
    "assignment",
    "result",
    "position",
    "award",
    "mentor",
    "tracks",
    "entries_open_at",
    "entry_deadline",
    "positions_total",
    "organisation",
    "entries",
    "coauthors",
    "organisations",
    "held_on",
    "minutes",
    "note",
    "project",
]
ACTIONS = [
    "assign",
    "open",
    "close",
    "compute",
    "review",
    "publish",
    "order",
    "advance",
    "timer_start",
    "timer_stop",
    "reveal",
    "criterion_add",
    "criterion_remove",
    "pair_add",
    "pair_remove",
    "adjust",
    "bogus",
]


@pytest.fixture
def world():
    competition = a_competition()
    entry = an_entry(competition)
    judge = a_judge(competition)
    round_ = a_round(competition, status=Round.Status.JUDGING)
    assignment = Assignment.objects.create(round=round_, judge=judge, entry=entry)
    invited = Judge.objects.create(competition=competition, email="new@example.cn", name="新评委", token="tok")
    return {
        "competition": competition,
        "entry": entry,
        "judge": judge,
        "round": round_,
        "assignment": assignment,
        "invited": invited,
        "boss": boss(),
    }


# Slow (seven requests per example, ~60 s): bounded to 20 examples.
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(st.sampled_from(FIELDS), junk, max_size=12),
    action=st.sampled_from(ACTIONS),
    form=st.sampled_from(["settings", "round", "judge", "award", "mentor", "x"]),
)
def test_forms_never_500(client, world, data, action, form):
    w = world
    posts = [
        (w["entry"].lead, reverse("competitions:enter", args=[w["competition"].pk]), data),
        (w["entry"].lead, reverse("competitions:entry", args=[w["entry"].pk]), data),
        (w["judge"].user, reverse("competitions:scorecard", args=[w["assignment"].pk]), data),
        (w["judge"].user, reverse("competitions:judge_declaration", args=[w["judge"].pk]), data),
        (w["boss"], reverse("competitions:console", args=[w["competition"].pk]), {**data, "form": form}),
        (w["boss"], reverse("competitions:console_round", args=[w["round"].pk]), {**data, "action": action}),
        (w["judge"].user, reverse("competitions:mentoring"), data),
    ]
    for user, url, body in posts:
        client.force_login(user)
        response = client.post(url, body)
        assert response.status_code < 500, (url, body, response.status_code)


@pytest.mark.parametrize(
    "field,value",
    [
        ("advance_share", "NaN"),
        ("advance_share", "Infinity"),
        ("advance_count", "9" * 40),
        ("number", "9" * 40),
        ("number", ""),
        ("judges_per_entry", "0"),
    ],
)
def test_round_form_odd_numbers_refused(client, world, field, value):
    client.force_login(world["boss"])
    body = {"form": "round", "number": "2", "name": "复赛", "kind": "roadshow", field: value}
    response = client.post(reverse("competitions:console", args=[world["competition"].pk]), body)
    assert response.status_code == 302
    assert world["competition"].rounds.count() == 1
