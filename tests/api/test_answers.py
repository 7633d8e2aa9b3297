"""Registrations through the API carry their answers, filterable like the console list."""

import pytest

from events.questions.services import answers_clean
from events.services import registration_create

from ..events.questions_factories import TEN_KINDS, event_with_questions
from ..factories import candidate
from .factories import bearer, token_for

pytestmark = pytest.mark.django_db


def test_registrations_with_answers_and_answer_filter(client):
    event, editor, questions = event_with_questions(*TEN_KINDS)
    _token, raw, _ = token_for(event, user=editor)
    people = []
    for city in ("崂山区", "市南区"):
        person = candidate()
        data = {
            f"answers-q{questions[0].pk}": "海洋",
            f"answers-q{questions[2].pk}": city,
            f"answers-q{questions[9].pk}": "on",
        }
        people.append(
            registration_create(event=event, user=person, answers=answers_clean(event=event, user=person, data=data))
        )
    body = client.get(f"/api/v1/events/{event.pk}/registrations", **bearer(raw)).json()
    assert body["items"][0]["answers"] == {
        str(questions[0].pk): "海洋",
        str(questions[2].pk): "崂山区",
        str(questions[9].pk): True,
    }
    only = client.get(
        f"/api/v1/events/{event.pk}/registrations?question={questions[2].pk}&answer=市南区", **bearer(raw)
    ).json()
    assert [r["id"] for r in only["items"]] == [people[1].pk]
    listed = client.get(f"/api/v1/events/{event.pk}/questions", **bearer(raw)).json()
    assert [q["label"] for q in listed] == [q["label"] for q in TEN_KINDS]


def test_answers_query_count_is_independent_of_page_size(client, django_assert_num_queries):
    # token, team membership, the page of registrations, their answers
    event, editor, questions = event_with_questions(*TEN_KINDS)
    _token, raw, _ = token_for(event, user=editor)
    for _ in range(6):
        person = candidate()
        data = {f"answers-q{questions[0].pk}": "海洋", f"answers-q{questions[9].pk}": "on"}
        registration_create(event=event, user=person, answers=answers_clean(event=event, user=person, data=data))
    client.get("/api/v1/token", **bearer(raw))
    url = f"/api/v1/events/{event.pk}/registrations"
    with django_assert_num_queries(4):
        client.get(url + "?limit=1", **bearer(raw))
    with django_assert_num_queries(4):
        client.get(url + "?limit=6", **bearer(raw))
