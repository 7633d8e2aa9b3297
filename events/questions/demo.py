"""Demo registration questions on the cross-disciplinary forum, answered by its registrants.

Loaded by `manage.py load_demo` after the registrations, through the real services.
"""

from __future__ import annotations

from ..models import Event, Registration
from .models import Question
from .services import answers_clean, answers_update, question_save

QUESTIONS = [
    {
        "kind": Question.Kind.SHORT_TEXT,
        "label": "研究方向",
        "required": True,
        "help_text": "例如：物理海洋学、深度学习",
    },
    {
        "kind": Question.Kind.ONE_CHOICE,
        "label": "报告形式",
        "required": True,
        "choices": ["口头报告", "墙报展示", "仅参会"],
    },
    {
        "kind": Question.Kind.MANY_CHOICES,
        "label": "感兴趣的分论坛",
        "choices": ["海洋观测与大数据", "智能装备", "海洋生态"],
    },
    {"kind": Question.Kind.YES_NO, "label": "是否需要协助预订住宿"},
    {
        "kind": Question.Kind.SHORT_TEXT,
        "label": "合作导师",
        "audience": Question.Audience.POSTDOC,
        "help_text": "在站博士后填写",
    },
    {
        "kind": Question.Kind.CONSENT,
        "label": "信息使用",
        "required": True,
        "consent_text": "我同意主办方将报名信息提供给论坛学术委员会及参会用人单位，仅用于本次论坛。",
    },
]
ANSWERS = [
    ("物理海洋学", "口头报告", ["海洋观测与大数据"], "no"),
    ("深度学习", "墙报展示", ["智能装备", "海洋生态"], "yes"),
    ("海洋化学", "仅参会", [], "no"),
]


def load(*, head, event: Event) -> None:
    if event.questions.exists():
        return
    questions = [question_save(event=event, actor=head, data={"required": False, **spec}) for spec in QUESTIONS]
    registrations = Registration.objects.active().filter(event=event).select_related("user", "event")
    for index, registration in enumerate(registrations):
        field, choice, several, lodging = ANSWERS[index % len(ANSWERS)]
        data = {
            f"answers-q{questions[0].pk}": field,
            f"answers-q{questions[1].pk}": choice,
            f"answers-q{questions[3].pk}": lodging,
            f"answers-q{questions[4].pk}": "王教授",
            f"answers-q{questions[5].pk}": "on",
        }
        from django.http import QueryDict

        body = QueryDict(mutable=True)
        body.update(data)
        body.setlist(f"answers-q{questions[2].pk}", several)
        answers = answers_clean(event=event, user=registration.user, data=body)
        answers_update(registration=registration, actor=registration.user, answers=answers)
