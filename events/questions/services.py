"""Writes on registration questions (organizer) and answers (candidate).

Answers are checked by AnswersForm before events.services.registration_create takes the event
lock, and written by `answers_write` inside that same transaction: a registration with invalid
answers is never created and never holds a seat, and a registration never exists without them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CandidateProfile, User
from accounts.services import audit_log

from ..models import Event, Registration
from ..permissions import event_can_edit
from ..services.errors import ServiceError
from .forms import AnswerInput, AnswersForm
from .models import Answer, Question


class QuestionError(ServiceError):
    messages = {
        "forbidden": _("您没有权限进行此操作。"),
        "answered": _("该问题已有人回答，不能删除，可以隐藏。"),
        "answered_kind": _("该问题已有人回答，不能再修改题型。"),
        "invalid": _("请检查报名问题的回答。"),
        "closed": _("报名已截止，回答不能再修改。"),
        "not_active": _("该报名已取消。"),
    }

    def __init__(self, code: str, message=None, form: AnswersForm | None = None, **params):
        super().__init__(code, message, **params)
        self.form = form

    @property
    def status_code(self) -> int:
        return 403 if self.code == "forbidden" else 409 if self.code.startswith("answered") else 400


def _require_editor(actor: User, event: Event) -> None:
    if not event_can_edit(actor, event):
        raise QuestionError("forbidden")


def _refresh_flag(event: Event) -> None:
    # Any question, hidden ones included: their answers still show in the console and exports.
    exists = Question.objects.filter(event=event).exists()
    Event.objects.filter(pk=event.pk).update(has_questions=exists)
    event.has_questions = exists


def question_save(*, event: Event, actor: User, data: dict[str, Any], question: Question | None = None) -> Question:
    """Add or change a question. Raises QuestionError: forbidden / answered_kind."""
    _require_editor(actor, event)
    with transaction.atomic():
        if question is None:
            last = Question.objects.filter(event=event).aggregate(m=Max("position"))["m"]
            question = Question(event=event, position=(last or 0) + 1)
        elif question.event_id != event.pk:
            raise QuestionError("forbidden")
        elif data.get("kind", question.kind) != question.kind and question.answers.exists():
            raise QuestionError("answered_kind")
        created = question.pk is None
        for field, value in data.items():
            setattr(question, field, value)
        question.save()
        _refresh_flag(event)
        audit_log(
            actor=actor,
            action="question.create" if created else "question.update",
            target=question,
            data={"event": event.pk},
        )
    return question


def question_move(*, question: Question, actor: User, up: bool) -> None:
    """Swap the question with its neighbour above (or below)."""
    _require_editor(actor, question.event)
    with transaction.atomic():
        siblings = list(
            Question.objects.select_for_update().filter(event_id=question.event_id).order_by("position", "id")
        )
        index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for place, item in enumerate(siblings, start=1):  # renumbered: positions stay distinct
            if item.position != place:
                Question.objects.filter(pk=item.pk).update(position=place)
        audit_log(actor=actor, action="question.move", target=question, data={"event": question.event_id})


def question_set_hidden(*, question: Question, actor: User, hidden: bool) -> Question:
    _require_editor(actor, question.event)
    with transaction.atomic():
        question.hidden = hidden
        question.save(update_fields=["hidden"])
        _refresh_flag(question.event)
        audit_log(
            actor=actor,
            action="question.hide" if hidden else "question.show",
            target=question,
            data={"event": question.event_id},
        )
    return question


def question_delete(*, question: Question, actor: User) -> None:
    """Delete a question nobody answered. Raises QuestionError: forbidden / answered."""
    _require_editor(actor, question.event)
    with transaction.atomic():
        audit_log(actor=actor, action="question.delete", target=question.event, data={"question": question.label})
        try:
            question.delete()
        except RestrictedError as error:
            raise QuestionError("answered") from error
        _refresh_flag(question.event)


# --- Answers ---------------------------------------------------------------------------------


def questions_for(event: Event, user: User) -> list[Question]:
    """The visible questions `user` is asked (audience read from their profile's kind)."""
    if not event.has_questions:
        return []
    questions = list(Question.objects.filter(event=event, hidden=False).order_by("position", "id"))
    if any(q.audience != Question.Audience.ALL for q in questions):
        profile = CandidateProfile.objects.filter(user=user).first()
        kind = profile.kind if profile else None
        questions = [q for q in questions if q.applies_to(kind)]
    return questions


def answers_clean(
    *, event: Event, user: User, data=None, files=None, existing: dict[int, Answer] | None = None
) -> list[AnswerInput]:
    """The answers in `data`/`files`, checked. Raises QuestionError("invalid") carrying the
    bound form, whose errors say what is wrong next to each question."""
    form = AnswersForm(questions_for(event, user), data or {}, files or {}, existing=existing)
    if not form.is_valid():
        raise QuestionError("invalid", form=form)
    return form.answers()


def answers_write(registration: Registration, answers: list[AnswerInput]) -> None:
    """Insert the answers of a new registration. Caller holds the transaction (and the lock)."""
    now = timezone.now()
    rows = [
        Answer(
            registration=registration,
            question=a.question,
            value=a.value,
            text=a.text,
            file=a.file or "",
            updated_at=now,
        )
        for a in answers
        if a.value not in (None, "", []) or a.file
    ]
    if rows:
        Answer.objects.bulk_create(rows)


def answers_update(*, registration: Registration, actor: User, answers: list[AnswerInput]) -> None:
    """Change one's answers while registration is open. Raises QuestionError: forbidden /
    not_active / closed. On commit: replaced files are removed from storage."""
    if registration.user_id != actor.pk:
        raise QuestionError("forbidden")
    event = registration.event
    if registration.status == Registration.Status.CANCELLED:
        raise QuestionError("not_active")
    if timezone.now() >= (event.registration_closes_at or event.starts_at) or event.status != Event.Status.PUBLISHED:
        raise QuestionError("closed")
    with transaction.atomic():
        current = {a.question_id: a for a in Answer.objects.select_for_update().filter(registration=registration)}
        stale_files = []
        now = timezone.now()
        for item in answers:
            answer = current.get(item.question.pk)
            if item.keep_file:
                continue
            if answer is not None and answer.file and (item.file or item.value is None):
                stale_files.append((answer.file.storage, answer.file.name))
            if item.value in (None, "", []) and not item.file:
                if answer is not None:
                    answer.delete()
                continue
            answer = answer or Answer(registration=registration, question=item.question)
            answer.value, answer.text, answer.updated_at = item.value, item.text, now
            if item.file:
                answer.file = item.file
            answer.save()
        audit_log(actor=actor, action="answers.update", target=registration, data={"event": event.pk})
        for storage, name in stale_files:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def answers_erase_for_user(user: User) -> None:
    """Personal data eraser: the person's answers go with the account, their files too (on commit)."""
    answers = Answer.objects.filter(registration__user=user)
    files = [(a.file.storage, a.file.name) for a in answers.exclude(file="").only("file")]
    answers.delete()
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
