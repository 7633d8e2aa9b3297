"""Console pages for an event's registration questions: list, add/edit, re-order, hide, delete."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ...questions.forms import QuestionForm
from ...questions.models import Question
from ...questions.services import QuestionError, question_delete, question_move, question_save, question_set_hidden
from . import FORM, READ, WRITE, event_view

FIELDS = ["kind", "label", "help_text", "required", "audience", "consent_text", "choices"]


@event_view(READ)
def questions(request, event):
    rows = Question.objects.filter(event=event).annotate(answer_count=Count("answers")).order_by("position", "id")
    return render(request, "console/questions.html", {"event": event, "questions": rows})


@event_view(FORM)
def question_edit(request, event, question_pk=None):
    question = get_object_or_404(Question, pk=question_pk, event=event) if question_pk else None
    form = QuestionForm(
        request.POST or None,
        instance=Question(event=event) if question is None else Question.objects.get(pk=question.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            question_save(
                event=event,
                actor=request.user,
                question=question,
                data={field: form.cleaned_data[field] for field in FIELDS},
            )
        except QuestionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("报名问题已保存。"))
            return redirect("console:questions", event.pk)
    return render(
        request,
        "console/question_form.html",
        {"event": event, "form": form, "question": question},
        status=400 if request.method == "POST" else 200,
    )


@event_view(WRITE)
def question_action(request, event, question_pk, action):
    question = get_object_or_404(Question.objects.select_related("event"), pk=question_pk, event=event)
    try:
        if action in ("up", "down"):
            question_move(question=question, actor=request.user, up=action == "up")
        elif action in ("hide", "show"):
            question_set_hidden(question=question, actor=request.user, hidden=action == "hide")
            messages.success(request, _("问题已隐藏。") if action == "hide" else _("问题已恢复显示。"))
        else:
            question_delete(question=question, actor=request.user)
            messages.success(request, _("问题已删除。"))
    except QuestionError as error:
        messages.error(request, error.message)
    return redirect("console:questions", event.pk)
