"""Registration questions for tests (kept out of the shared tests/factories.py)."""

from events.questions.models import Question
from events.questions.services import question_save

from ..factories import EventFactory, organizer, team_member


def event_with_questions(*specs, **event_fields):
    """(event, editor, [questions]): each spec a dict of Question fields (kind and label at least)."""
    event = EventFactory(**event_fields)
    editor = organizer()
    team_member(event, editor)
    questions = [question_save(event=event, actor=editor, data={"required": False, **spec}) for spec in specs]
    event.refresh_from_db()
    return event, editor, questions


TEN_KINDS = [
    {"kind": Question.Kind.SHORT_TEXT, "label": "研究方向", "required": True},
    {"kind": Question.Kind.LONG_TEXT, "label": "合作设想"},
    {"kind": Question.Kind.ONE_CHOICE, "label": "意向城区", "choices": ["市南区", "崂山区", "西海岸新区"]},
    {"kind": Question.Kind.MANY_CHOICES, "label": "关注产业", "choices": ["海洋", "人工智能", "新材料"]},
    {"kind": Question.Kind.YES_NO, "label": "是否需要住宿"},
    {"kind": Question.Kind.NUMBER, "label": "发表论文数"},
    {"kind": Question.Kind.DATE, "label": "最早到岗日期"},
    {"kind": Question.Kind.SHORT_TEXT, "label": "推荐人"},
    {"kind": Question.Kind.LONG_TEXT, "label": "备注"},
    {
        "kind": Question.Kind.CONSENT,
        "label": "信息使用",
        "consent_text": "同意主办方向用人单位提供报名信息",
        "required": True,
    },
]
