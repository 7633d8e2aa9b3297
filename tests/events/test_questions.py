"""Registration questions: validation before the seat, answers in the same transaction,
audience, files, re-ordering, hiding, editing until close, console, exports, personal data."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import RestrictedError
from django.utils import timezone

from accounts.models import PostdocStatus
from accounts.services import account_delete, personal_data_export
from events.models import Registration
from events.questions.models import Answer, Question
from events.questions.services import (
    QuestionError,
    answers_clean,
    answers_update,
    question_delete,
    question_move,
    question_set_hidden,
    questions_for,
)
from events.services import registration_create

from ..accounts.files import PDF, PNG
from ..factories import EventFactory, candidate, organizer
from .questions_factories import TEN_KINDS, event_with_questions

pytestmark = pytest.mark.django_db
Kind = Question.Kind


def _post(questions, values: dict) -> dict:
    return {f"answers-q{questions[i].pk}": v for i, v in values.items()}


def test_required_answer_missing_creates_nothing_and_holds_no_seat():
    event, _editor, questions = event_with_questions(
        {"kind": Kind.SHORT_TEXT, "label": "研究方向", "required": True}, capacity=1
    )
    person = candidate()
    with pytest.raises(QuestionError) as error:
        answers_clean(event=event, user=person, data={})
    assert error.value.code == "invalid"
    assert list(error.value.form.errors) == [f"q{questions[0].pk}"]
    with pytest.raises(QuestionError):
        registration_create(event=event, user=person)  # without answers the service checks itself
    assert Registration.objects.filter(event=event).count() == 0
    other = candidate()
    answers = answers_clean(event=event, user=other, data=_post(questions, {0: "海洋声学"}))
    assert registration_create(event=event, user=other, answers=answers).status == "confirmed"


def test_answers_written_with_the_registration_including_waiting_list():
    event, _editor, questions = event_with_questions(*TEN_KINDS, capacity=1)
    registration_create(
        event=event,
        user=candidate(),
        answers=answers_clean(event=event, user=candidate(), data=_post(questions, {0: "a", 9: "on"})),
    )
    person = candidate()
    data = _post(questions, {0: "海洋声学", 2: "崂山区", 4: "yes", 5: "12", 6: "2026-03-01", 9: "on"})
    data[f"answers-q{questions[3].pk}"] = ["海洋", "新材料"]
    from django.http import QueryDict

    body = QueryDict(mutable=True)
    for key, value in data.items():
        body.setlist(key, value if isinstance(value, list) else [value])
    registration = registration_create(
        event=event, user=person, answers=answers_clean(event=event, user=person, data=body)
    )
    assert registration.status == "waitlisted"
    stored = {
        a.question.label: (a.value, a.text)
        for a in Answer.objects.filter(registration=registration).select_related("question")
    }
    assert stored == {
        "研究方向": ("海洋声学", "海洋声学"),
        "意向城区": ("崂山区", "崂山区"),
        "关注产业": (["海洋", "新材料"], "海洋、新材料"),
        "是否需要住宿": (True, "是"),
        "发表论文数": (12, "12"),
        "最早到岗日期": ("2026-03-01", "2026-03-01"),
        "信息使用": (True, "是"),
    }


@pytest.mark.parametrize(
    "index,value,message",
    [
        (2, "黄岛区", "Select a valid choice"),
        (5, "很多", "Enter a number"),
        (6, "2026-02-30", "Enter a valid date"),
        (0, "x" * 201, "Ensure this value has at most 200 characters"),
        (0, "a\x00b", "The content contains invalid characters."),
    ],
)
def test_bad_answers_are_refused_with_a_message(index, value, message, settings):
    settings.LANGUAGE_CODE = "en"
    event, _editor, questions = event_with_questions(*TEN_KINDS)
    data = _post(questions, {0: "海洋", 9: "on"})
    data[f"answers-q{questions[index].pk}"] = value
    with pytest.raises(QuestionError) as error:
        answers_clean(event=event, user=candidate(), data=data)
    assert any(message in m for m in error.value.form.errors[f"q{questions[index].pk}"])


def test_consent_must_be_ticked():
    event, _editor, questions = event_with_questions(*TEN_KINDS)
    with pytest.raises(QuestionError) as error:
        answers_clean(event=event, user=candidate(), data=_post(questions, {0: "海洋"}))
    assert list(error.value.form.errors) == [f"q{questions[9].pk}"]


def test_file_answer_must_be_a_pdf():
    event, _editor, questions = event_with_questions({"kind": Kind.FILE, "label": "推荐信", "required": True})
    key = f"answers-q{questions[0].pk}"
    with pytest.raises(QuestionError):
        answers_clean(
            event=event,
            user=candidate(),
            data={},
            files={key: SimpleUploadedFile("x.pdf", PNG, content_type="application/pdf")},
        )
    person = candidate()
    answers = answers_clean(
        event=event,
        user=person,
        data={},
        files={key: SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")},
    )
    registration = registration_create(event=event, user=person, answers=answers)
    answer = Answer.objects.get(registration=registration)
    assert answer.file.name.startswith("cv/answers/")
    assert answer.file.read() == PDF


def test_question_for_postdocs_is_not_asked_of_a_phd():
    event, _editor, questions = event_with_questions(
        {"kind": Kind.SHORT_TEXT, "label": "合作导师", "required": True, "audience": Question.Audience.POSTDOC}
    )
    assert questions_for(event, candidate()) == []
    postdoc = candidate(postdoc_status=PostdocStatus.IN_STATION)
    assert questions_for(event, postdoc) == questions
    assert registration_create(event=event, user=candidate()).status == "confirmed"
    with pytest.raises(QuestionError):
        registration_create(event=event, user=postdoc)


def test_answered_question_can_be_hidden_not_deleted():
    event, editor, questions = event_with_questions(
        {"kind": Kind.SHORT_TEXT, "label": "研究方向"}, {"kind": Kind.SHORT_TEXT, "label": "未回答"}
    )
    person = candidate()
    registration_create(
        event=event, user=person, answers=answers_clean(event=event, user=person, data=_post(questions, {0: "海洋"}))
    )
    with pytest.raises(QuestionError) as error:
        question_delete(question=questions[0], actor=editor)
    assert error.value.code == "answered"
    with pytest.raises(RestrictedError):
        questions[0].delete()  # the ORM refuses too, outside the service
    question_set_hidden(question=questions[0], actor=editor, hidden=True)
    assert questions_for(event, candidate()) == [questions[1]]
    question_delete(question=questions[1], actor=editor)
    assert list(Question.objects.filter(event=event)) == [questions[0]]
    event.refresh_from_db()
    assert event.has_questions is True  # the hidden one still has answers to show
    event.delete()  # the whole event still goes, its questions and answers with it
    assert not Answer.objects.exists()


def test_questions_reorder():
    event, editor, questions = event_with_questions(*TEN_KINDS[:3])
    question_move(question=questions[2], actor=editor, up=True)
    assert [q.label for q in Question.objects.filter(event=event)] == ["研究方向", "意向城区", "合作设想"]
    question_move(question=questions[0], actor=editor, up=True)  # already first: nothing moves
    assert [q.label for q in Question.objects.filter(event=event)] == ["研究方向", "意向城区", "合作设想"]


def test_question_writes_refused_outside_the_team():
    event, _editor, questions = event_with_questions(TEN_KINDS[0])
    with pytest.raises(QuestionError) as error:
        question_set_hidden(question=questions[0], actor=organizer(), hidden=True)
    assert error.value.code == "forbidden"


def test_answers_editable_until_registration_closes():
    event, _editor, questions = event_with_questions(TEN_KINDS[0])
    person = candidate()
    registration = registration_create(
        event=event, user=person, answers=answers_clean(event=event, user=person, data=_post(questions, {0: "海洋"}))
    )
    answers_update(
        registration=registration,
        actor=person,
        answers=answers_clean(event=event, user=person, data=_post(questions, {0: "声学"})),
    )
    assert Answer.objects.get(registration=registration).text == "声学"
    with pytest.raises(QuestionError) as error:
        answers_update(registration=registration, actor=candidate(), answers=[])
    assert error.value.code == "forbidden"
    event.registration_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()
    registration.refresh_from_db()
    with pytest.raises(QuestionError) as error:
        answers_update(registration=registration, actor=person, answers=[])
    assert error.value.code == "closed"


def test_event_without_questions_registers_without_extra_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = EventFactory()
    first = candidate()
    with CaptureQueriesContext(connection) as plain:
        registration_create(event=event, user=first)
    assert not any("question" in q["sql"] or "answer" in q["sql"] for q in plain.captured_queries)


def test_register_view_shows_errors_then_registers(client):
    event, _editor, questions = event_with_questions(*TEN_KINDS)
    person = candidate()
    client.force_login(person)
    page = client.get(f"/events/{event.pk}/")
    assert f'name="answers-q{questions[0].pk}"' in page.content.decode()
    refused = client.post(f"/events/{event.pk}/register/", {})
    assert refused.status_code == 400
    assert "请检查报名问题的回答。" in refused.content.decode()
    assert not Registration.objects.filter(event=event).exists()
    done = client.post(f"/events/{event.pk}/register/", _post(questions, {0: "海洋", 9: "on"}))
    assert done.status_code == 302
    registration = Registration.objects.get(event=event, user=person)
    assert Answer.objects.filter(registration=registration).count() == 2
    edit = client.post(f"/events/{event.pk}/answers/", _post(questions, {0: "深海", 9: "on"}))
    assert edit.status_code == 302
    assert Answer.objects.get(registration=registration, question=questions[0]).text == "深海"


def _registered(event, questions, values):
    person = candidate()
    return registration_create(
        event=event, user=person, answers=answers_clean(event=event, user=person, data=_post(questions, values))
    )


def test_console_list_filter_and_exports(client):
    event, editor, questions = event_with_questions(*TEN_KINDS)
    sea = _registered(event, questions, {0: "海洋声学", 2: "崂山区", 9: "on"})
    _registered(event, questions, {0: "材料", 2: "市南区", 9: "on"})
    client.force_login(editor)
    html = client.get(f"/console/events/{event.pk}/registrations/").content.decode()
    assert "意向城区" in html and "海洋声学" in html
    filtered = client.get(f"/console/events/{event.pk}/registrations/?question={questions[2].pk}&answer=崂山区")
    assert list(filtered.context["page"].object_list) == [sea]
    body = client.get(f"/console/events/{event.pk}/registrations.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][9:] == [q["label"] for q in TEN_KINDS]
    assert [row[9] for row in table[1:]] == ["海洋声学", "材料"]
    assert [row[18] for row in table[1:]] == ["是", "是"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(f"/console/events/{event.pk}/registrations.xlsx").content)).active
    assert [c.value for c in sheet[1]][9:] == [q["label"] for q in TEN_KINDS]
    assert sheet.cell(row=2, column=12).value == "崂山区"


def test_answers_in_personal_data_and_erased_with_the_account():
    event, _editor, questions = event_with_questions(TEN_KINDS[0], {"kind": Kind.FILE, "label": "推荐信"})
    person = candidate()
    files = {f"answers-q{questions[1].pk}": SimpleUploadedFile("l.pdf", PDF, content_type="application/pdf")}
    registration = registration_create(
        event=event,
        user=person,
        answers=answers_clean(event=event, user=person, data=_post(questions, {0: "海洋"}), files=files),
    )
    exported = personal_data_export(user=person)["registration_answers"]
    assert [(a["question"], a["answer"]) for a in exported] == [("研究方向", "海洋"), ("推荐信", "l.pdf")]
    stored = Answer.objects.get(registration=registration, question=questions[1]).file
    storage, name = stored.storage, stored.name
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        account_delete(user=person)
    assert not Answer.objects.filter(question__event=event).exists()
    assert not storage.exists(name)
