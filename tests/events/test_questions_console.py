"""The console's questions pages: add, validate, re-order, hide, delete; 404 outside the team."""

import pytest

from events.questions.models import Question

from ..factories import EventFactory, organizer, team_member
from .questions_factories import event_with_questions

pytestmark = pytest.mark.django_db


def test_console_adds_a_choice_question(client):
    event = EventFactory()
    editor = organizer()
    team_member(event, editor)
    client.force_login(editor)
    bad = client.post(
        f"/console/events/{event.pk}/questions/new/",
        {"kind": "one_choice", "label": "意向城区", "audience": "all", "choices_text": "市南区"},
    )
    assert bad.status_code == 400
    assert "单选、多选题至少需要两个选项。" in bad.content.decode()
    done = client.post(
        f"/console/events/{event.pk}/questions/new/",
        {
            "kind": "one_choice",
            "label": "意向城区",
            "audience": "all",
            "required": "on",
            "choices_text": "市南区\n崂山区\n\n",
        },
    )
    assert done.status_code == 302
    question = Question.objects.get(event=event)
    assert (question.choices, question.required, question.position) == (["市南区", "崂山区"], True, 1)
    event.refresh_from_db()
    assert event.has_questions is True


def test_console_consent_needs_its_text(client):
    event, editor, _ = event_with_questions()
    client.force_login(editor)
    response = client.post(
        f"/console/events/{event.pk}/questions/new/", {"kind": "consent", "label": "同意", "audience": "all"}
    )
    assert response.status_code == 400
    assert "同意条款题需要填写条款内容。" in response.content.decode()


def test_console_move_hide_delete(client):
    event, editor, questions = event_with_questions(
        {"kind": "short_text", "label": "一"}, {"kind": "short_text", "label": "二"}
    )
    client.force_login(editor)
    client.post(f"/console/events/{event.pk}/questions/{questions[1].pk}/up/")
    assert [q.label for q in Question.objects.filter(event=event)] == ["二", "一"]
    client.post(f"/console/events/{event.pk}/questions/{questions[0].pk}/hide/")
    assert Question.objects.get(pk=questions[0].pk).hidden is True
    client.post(f"/console/events/{event.pk}/questions/{questions[0].pk}/delete/")
    assert list(Question.objects.filter(event=event)) == [questions[1]]
    page = client.get(f"/console/events/{event.pk}/questions/").content.decode()
    assert "二" in page


def test_console_questions_are_404_outside_the_team(client):
    event, _editor, questions = event_with_questions({"kind": "short_text", "label": "一"})
    client.force_login(organizer())
    assert client.get(f"/console/events/{event.pk}/questions/").status_code == 404
    assert client.post(f"/console/events/{event.pk}/questions/{questions[0].pk}/delete/").status_code == 404
    other = EventFactory()
    editor_of_other = organizer()
    team_member(other, editor_of_other)
    client.force_login(editor_of_other)
    # A question of another event through one's own event URL: not found either.
    assert client.post(f"/console/events/{other.pk}/questions/{questions[0].pk}/delete/").status_code == 404
    assert Question.objects.filter(pk=questions[0].pk).exists()
