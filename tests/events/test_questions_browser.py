"""In a real browser on a phone: registering with required questions fails with messages next to
the questions and holds no seat, then succeeds once they are answered."""

import pytest

from events.models import Registration
from events.questions.models import Answer

from ..browser_support import ARTIFACTS
from ..factories import candidate
from .questions_factories import event_with_questions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_registration_with_required_questions_fails_then_succeeds(open_page):
    event, _editor, questions = event_with_questions(
        {"kind": "short_text", "label": "研究方向", "required": True, "help_text": "例如：物理海洋学"},
        {"kind": "one_choice", "label": "意向城区", "required": True, "choices": ["市南区", "崂山区", "西海岸新区"]},
        {"kind": "many_choices", "label": "关注产业", "choices": ["海洋", "人工智能", "新材料"]},
        {
            "kind": "consent",
            "label": "信息使用",
            "required": True,
            "consent_text": "我同意主办方向参会用人单位提供我的报名信息",
        },
        title="海洋科学青年博士后学术论坛",
        capacity=1,
    )
    person = candidate()
    page = open_page(person, f"/events/{event.pk}/")
    page.click("[data-register-button]")
    page.wait_for_selector(".field-error")
    errors = page.locator(".field-error").all_inner_texts()
    assert len(errors) == 3  # the three required questions, each with its own message
    assert not Registration.objects.filter(event=event).exists()
    assert page.locator("[data-seats-left]").inner_text() == "1"  # no seat held by the refused form
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "questions-refused.png"), full_page=True)

    page.fill(f"[name=answers-q{questions[0].pk}]", "物理海洋学")
    page.select_option(f"[name=answers-q{questions[1].pk}]", "崂山区")
    page.check(f"[name=answers-q{questions[2].pk}][value=人工智能]")
    page.check(f"[name=answers-q{questions[3].pk}]")
    page.click("[data-register-button]")
    page.wait_for_selector("[data-my-state][data-status=confirmed]")
    page.screenshot(path=str(ARTIFACTS / "questions-registered.png"), full_page=True)
    registration = Registration.objects.get(event=event, user=person)
    assert registration.status == "confirmed"
    assert dict(Answer.objects.filter(registration=registration).values_list("question__label", "text")) == {
        "研究方向": "物理海洋学",
        "意向城区": "崂山区",
        "关注产业": "人工智能",
        "信息使用": "是",
    }
