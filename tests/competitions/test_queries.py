"""List pages cost the same number of queries at one item and at many (DESIGN §7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions.models import Assignment, Round, Scorecard

from .factories import a_competition, a_judge, a_round, an_entry, boss

pytestmark = pytest.mark.django_db


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def build(n):
    competition, organizer = a_competition(), boss()
    judge = a_judge(competition, organisation="山东大学")
    round_ = a_round(competition, status=Round.Status.JUDGING)
    for i in range(n):
        entry = an_entry(competition, organisation=f"大学{i}")
        assignment = Assignment.objects.create(round=round_, judge=judge, entry=entry)
        if i % 2:
            Scorecard.objects.create(assignment=assignment, values={}, total=50)
    return competition, organizer, judge, round_


@pytest.mark.parametrize("page", ["judging", "round", "console", "detail"])
def test_list_pages_query_count_flat(client, page):
    counts = []
    for n in (1, 8):
        competition, organizer, judge, round_ = build(n)
        viewer = judge.user if page == "judging" else organizer
        client.force_login(viewer)
        url = {
            "judging": reverse("competitions:judging"),
            "round": reverse("competitions:console_round", args=[round_.pk]),
            "console": reverse("competitions:console", args=[competition.pk]),
            "detail": reverse("competitions:detail", args=[competition.pk]),
        }[page]
        counts.append(count(client, url))
    assert counts[0] == counts[1], counts
