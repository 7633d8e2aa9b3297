"""Console pages for an event's people: the registration list, its actions and exports, the audit trail."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import exports, selectors
from ...forms import RegistrationFilterForm
from ...models import Registration
from ...questions.models import Answer, Question
from ...questions.selectors import answer_filter, answers_by_registration, event_questions
from ...services import RegistrationError, registration_cancel, registration_promote
from . import READ, WRITE, event_view

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100

# What the audit codes written by the services mean, for people reading the trail.
AUDIT_LABELS = {
    "event.create": gettext_lazy("创建活动"),
    "event.update": gettext_lazy("修改活动"),
    "event.published": gettext_lazy("发布活动"),
    "event.cancelled": gettext_lazy("取消活动"),
    "session.create": gettext_lazy("添加日程"),
    "session.update": gettext_lazy("修改日程"),
    "session.delete": gettext_lazy("删除日程"),
    "team.set": gettext_lazy("设置团队成员"),
    "team.remove": gettext_lazy("移出团队成员"),
    "registration.confirmed": gettext_lazy("报名成功"),
    "registration.waitlisted": gettext_lazy("报名进入候补"),
    "registration.cancel": gettext_lazy("取消报名"),
    "registration.promote": gettext_lazy("候补转为正式"),
    "answers.update": gettext_lazy("修改报名回答"),
    "question.create": gettext_lazy("添加报名问题"),
    "question.update": gettext_lazy("修改报名问题"),
    "question.move": gettext_lazy("调整报名问题顺序"),
    "question.hide": gettext_lazy("隐藏报名问题"),
    "question.show": gettext_lazy("恢复报名问题"),
    "question.delete": gettext_lazy("删除报名问题"),
}


def _filtered(request, event, questions=()):
    form = RegistrationFilterForm(request.GET or None, questions=questions)
    status = q = ""
    if form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    rows = selectors.console_registrations(event, status=status, q=q)
    if form.is_valid() and form.cleaned_data.get("question") and form.cleaned_data.get("answer", "").strip():
        question = next(x for x in questions if str(x.pk) == form.cleaned_data["question"])
        rows = answer_filter(rows, question=question, text=form.cleaned_data["answer"].strip())
    return form, rows


def _filter_query(request, *, drop=("page",)) -> str:
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


@event_view(READ)
def registrations(request, event):
    questions = event_questions(event) if event.has_questions else []
    form, rows = _filtered(request, event, questions)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    positions = selectors.waitlist_positions(event)
    answers = answers_by_registration([r.pk for r in page.object_list]) if questions else {}
    for registration in page.object_list:
        registration.position = positions.get(registration.pk)
        mine = answers.get(registration.pk, {})
        registration.answer_cells = [(q, mine.get(q.pk)) for q in questions]
    return render(
        request,
        "console/registrations.html",
        {
            "event": event,
            "form": form,
            "page": page,
            "query": _filter_query(request),
            "questions": questions,
            "next": request.get_full_path(),
        },
    )


def _all_answers(event) -> dict:
    """Every answer of the event's registrations, in one query (the export is one file)."""
    result: dict = {}
    for answer in Answer.objects.filter(registration__event=event).only("registration_id", "question_id", "text"):
        result.setdefault(answer.registration_id, {})[answer.question_id] = answer
    return result


@event_view(READ)
def answer_file(request, event, answer_pk):
    """An uploaded answer file, for the event's editors only (it is personal, like a CV)."""
    from django.http import FileResponse, Http404

    answer = get_object_or_404(
        Answer.objects.select_related("question"),
        pk=answer_pk,
        registration__event=event,
        question__kind=Question.Kind.FILE,
    )
    if not answer.file:
        raise Http404
    response = FileResponse(
        answer.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=f"answer-{answer.pk}.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


@event_view(READ)
def registrations_export(request, event, fmt):
    questions = event_questions(event) if event.has_questions else []
    _form, rows = _filtered(request, event, questions)
    positions = selectors.waitlist_positions(event)
    answers = _all_answers(event) if questions else {}
    rows = rows.iterator(chunk_size=1000)
    if fmt == "xlsx":
        body = exports.registrations_xlsx(rows, positions, title=event.title, questions=questions, answers=answers)
        content_type = exports.XLSX_CONTENT_TYPE
    else:
        body = exports.registrations_csv(rows, positions, questions, answers)
        content_type = exports.CSV_CONTENT_TYPE
    stamp = timezone.localtime(timezone.now(), exports.SHANGHAI).strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="registrations-{event.pk}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"  # personal data: no copies in shared caches
    return response


def _back_to_list(request, event):
    # Back to the page the organizer acted from (filters and page kept), never to another site.
    target = request.POST.get("next", "")
    base = reverse("console:registrations", args=[event.pk])
    return redirect(target if target.startswith(base) else base)


@event_view(WRITE)
def registration_action(request, event, registration_pk, action):
    registration = get_object_or_404(Registration.objects.select_related("user"), pk=registration_pk, event=event)
    change = {"promote": registration_promote, "cancel": registration_cancel}[action]
    try:
        change(registration=registration, actor=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        who = registration.user.display_name
        if action == "promote":
            messages.success(request, _("已将 %(name)s 移出候补，转为正式名额。") % {"name": who})
        else:
            messages.success(request, _("已取消 %(name)s 的报名。") % {"name": who})
    return _back_to_list(request, event)


@event_view(READ)
def audit(request, event):
    page = Paginator(selectors.event_audit_entries(event), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = AUDIT_LABELS.get(entry.action, entry.action)
    return render(request, "console/audit.html", {"event": event, "page": page})
