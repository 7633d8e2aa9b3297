"""Reads of questions and answers: console list and filter, exports, API, personal data."""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import Q, QuerySet

from ..models import Event, Registration
from .models import Answer, Question


def event_questions(event: Event, *, include_hidden: bool = True) -> list[Question]:
    questions = Question.objects.filter(event=event).order_by("position", "id")
    return list(questions if include_hidden else questions.filter(hidden=False))


def answers_by_registration(registration_ids: list[int]) -> dict[int, dict[int, Answer]]:
    """Registration id -> {question id: Answer}, in one query."""
    result: dict[int, dict[int, Answer]] = {}
    if not registration_ids:
        return result
    for answer in Answer.objects.filter(registration_id__in=registration_ids).only(
        "id", "registration_id", "question_id", "value", "text", "file"
    ):
        result.setdefault(answer.registration_id, {})[answer.question_id] = answer
    return result


def answer_filter(rows: QuerySet[Registration], *, question: Question, text: str) -> QuerySet[Registration]:
    """Registrations whose answer to `question` contains `text` (exact option for choices)."""
    answers = Answer.objects.filter(question=question)
    if question.kind == Question.Kind.ONE_CHOICE:
        answers = answers.filter(text=text)
    elif question.kind == Question.Kind.MANY_CHOICES:
        # `text` joins the options with "、"; matched as a whole option on every database
        # (JSON containment is PostgreSQL-only).
        sep = "、"
        answers = answers.filter(
            Q(text=text)
            | Q(text__startswith=text + sep)
            | Q(text__endswith=sep + text)
            | Q(text__contains=sep + text + sep)
        )
    else:
        answers = answers.filter(text__icontains=text)
    return rows.filter(pk__in=answers.values("registration_id"))


def personal_answers(user) -> list[dict]:
    return [
        {
            "event_id": a.registration.event_id,
            "question": a.question.label,
            "answer": a.text,
            "file": bool(a.file),
            "updated_at": a.updated_at.isoformat(),
        }
        for a in Answer.objects.filter(registration__user=user)
        .select_related("question", "registration")
        .order_by("registration_id", "question__position", "question_id")
    ]


_AGGREGATE = {
    # One JSON object per registration, built by the database: a page of 50 people with 10 answers
    # each is 50 small documents to decode instead of 500 values (the API's registrations list).
    "postgresql": "jsonb_object_agg(question_id::text, COALESCE(value, 'null'::jsonb))::text",
    "sqlite": "json_group_object(CAST(question_id AS TEXT), json(COALESCE(value, 'null')))",
}


def answer_values(registration_ids: list[int]) -> dict[int, dict[str, object]]:
    """Registration id -> {question id as text: typed answer}; one query, plain values only."""
    if not registration_ids:
        return {}
    aggregate = _AGGREGATE.get(connection.vendor)
    if aggregate is None:  # another database: the same result, decoded value by value
        result: dict[int, dict[str, object]] = {}
        for rid, qid, value in Answer.objects.filter(registration_id__in=registration_ids).values_list(
            "registration_id", "question_id", "value"
        ):
            result.setdefault(rid, {})[str(qid)] = value
        return result
    marks = ", ".join(["%s"] * len(registration_ids))
    sql = (
        f"SELECT registration_id, {aggregate} FROM {Answer._meta.db_table} "
        f"WHERE registration_id IN ({marks}) GROUP BY registration_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, registration_ids)
        return {rid: json.loads(document) for rid, document in cursor.fetchall()}
