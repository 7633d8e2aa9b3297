"""The progress page (public, aggregates only), the console dashboard and its lists, the report."""

import json
import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programme.counting import tallies_catch_up
from programme.live import figures_payload
from programme.services import outcome_report, outcome_review, targets_default
from tests.factories import RegistrationFactory, SeriesFactory, candidate, company_member, organizer

from .factories import checkin_raw, past_event, project

pytestmark = pytest.mark.django_db


def _people(series, n, **profile):
    event = past_event(series)
    people = [candidate(province="jiangsu", university_type="985", **profile) for _ in range(n)]
    for person in people:
        checkin_raw(RegistrationFactory(event=event, user=person))
    return event, people


def _personal_strings(people) -> list[str]:
    strings = []
    for person in people:
        profile = person.candidate_profile
        strings += [person.email, person.name, profile.full_name, profile.phone]
    return strings


def test_public_page_and_its_figures_show_no_personal_data(client):
    series = SeriesFactory()
    targets_default(series=series, actor=None)
    _event, people = _people(series, 3)
    outcome = outcome_report(
        actor=people[0],
        series=series,
        kind="station_entry",
        happened_on=__import__("datetime").date.today(),
        note="进站说明",
    )
    outcome_review(outcome=outcome, actor=organizer(manages_all=True), approve=True)
    tallies_catch_up()
    page = client.get(reverse("programme:progress", args=[series.slug])).content.decode()
    snapshot = client.get(reverse("programme:progress_json", args=[series.slug])).content.decode()
    message = json.dumps(figures_payload(series), ensure_ascii=False, default=str)
    for text in (page, snapshot, message):
        for secret in _personal_strings(people) + ["进站说明"]:
            assert secret not in text
        assert not re.search(r"\b1[3-9]\d{9}\b", text)  # no mobile number at all
        assert "@" not in text.replace("@media", "")
    figures = json.loads(snapshot)
    assert figures["totals"]["people"] == 3
    assert figures["provinces"] == [{"key": "jiangsu", "label": "江苏", "value": 3}]
    assert figures["outcomes"][2] == {"key": "station_entry", "label": "博士后进站", "value": 1}
    assert set(figures) == {
        "series",
        "as_of",
        "targets",
        "totals",
        "trend",
        "provinces",
        "university_types",
        "kinds",
        "outcomes",
    }


def test_public_page_query_count_does_not_grow_with_people_or_events(client, django_assert_max_num_queries):
    series = SeriesFactory()
    targets_default(series=series, actor=None)
    _people(series, 1)
    tallies_catch_up()
    url = reverse("programme:progress_json", args=[series.slug])
    with django_assert_max_num_queries(7) as few:
        client.get(url)
    for _ in range(5):
        _people(series, 4)
        project(series)
    tallies_catch_up()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert json.loads(client.get(url).content)["totals"]["people"] == 21


def test_console_dashboard_for_organizers_lists_for_the_head_office(client):
    series = SeriesFactory()
    event, people = _people(series, 2)
    tallies_catch_up()
    dashboard = reverse("programme:console_dashboard", args=[series.pk])
    people_list = reverse("programme:console_list", args=[series.pk, "people"]) + f"?event={event.pk}"
    client.force_login(candidate())
    assert client.get(dashboard).status_code == 403
    client.force_login(company_member())
    assert client.get(dashboard).status_code == 403
    client.force_login(organizer())  # a partner: aggregates yes, names no
    assert client.get(dashboard).status_code == 200
    assert client.get(people_list).status_code == 403
    client.force_login(organizer(manages_all=True))
    page = client.get(people_list).content.decode()
    assert all(p.display_name in page for p in people)
    assert client.get(reverse("programme:console_list", args=[series.pk, "nonsense"])).status_code == 404
    assert client.get(reverse("programme:console_dashboard", args=[999999])).status_code == 404
    data = client.get(reverse("programme:console_json", args=[series.pk])).json()
    assert [row["attended"] for row in data["by_event"]] == [2]


def test_list_filters_with_junk_values_answer_empty_not_500(client):
    series = SeriesFactory()
    _people(series, 1)
    tallies_catch_up()
    client.force_login(organizer(manages_all=True))
    for what, query in (
        ("people", "?event=abc"),
        ("people", "?month=x' OR 1=1"),
        ("attendees", "?event=-1"),
        ("projects", "?district=%C3%A9"),
        ("events", "?action=zz"),
    ):
        response = client.get(reverse("programme:console_list", args=[series.pk, what]) + query)
        assert response.status_code == 200, (what, query)
    # A NUL character never reaches the view: refused with a message (config/middleware.py).
    response = client.get(reverse("programme:console_list", args=[series.pk, "projects"]) + "?district=%00")
    assert response.status_code == 400


def test_monthly_report_excel_has_a_cover_and_a_sheet_per_target(client):
    series = SeriesFactory()
    targets_default(series=series, actor=None)
    event, people = _people(series, 2)
    project(series)
    tallies_catch_up()
    month = __import__("programme.counting.tallies", fromlist=["month_of"]).month_of(event.starts_at)
    client.force_login(organizer(manages_all=True))
    response = client.get(reverse("programme:console_report_xlsx", args=[series.pk]) + f"?month={month}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 1 + series.targets.count()
    cover = book.worksheets[0]
    rows = {row[1]: row for row in cover.iter_rows(min_row=8, values_only=True)}
    assert rows["集聚博士/博士后"][4] == 2 and rows["签约项目"][2] == 1000
    people_sheet = book.worksheets[1 + [t.metric for t in series.targets.all()].index("people_reached")]
    names = [row[0] for row in people_sheet.iter_rows(min_row=5, values_only=True)]
    assert sorted(names) == sorted(p.display_name for p in people)
    printable = client.get(reverse("programme:console_report", args=[series.pk]) + f"?month={month}")
    assert printable.status_code == 200 and people[0].display_name in printable.content.decode()
    client.force_login(organizer())
    assert client.get(reverse("programme:console_report_xlsx", args=[series.pk])).status_code == 403


def test_targets_page_sets_and_refuses(client):
    series = SeriesFactory()
    head = organizer(manages_all=True)
    client.force_login(head)
    url = reverse("programme:console_targets", args=[series.pk])
    client.post(url, {"action": "defaults"})
    assert series.targets.count() == 6
    client.post(url, {"title": "举办政策培训", "metric": "events_held", "param": "training", "goal": "6"})
    assert series.targets.get(param="training").goal == 6
    response = client.post(url, {"title": "x", "metric": "events_held", "param": "", "goal": "3"}, follow=True)
    assert "口径参数与统计口径不符" in response.content.decode()
    assert series.targets.count() == 7
    client.force_login(organizer())
    assert client.post(url, {"action": "defaults"}).status_code == 403


def test_target_form_parameter_labels_follow_the_request_language():
    # Catches: the labels were f-strings built at import, frozen in the importer's language.
    from django.utils import translation

    from programme.forms import TargetForm

    with translation.override("en"):
        labels = [str(label) for _value, label in TargetForm().fields["param"].choices]
    assert any(label.startswith("Event: ") for label in labels)
    assert not any("活动" in label or "成果" in label for label in labels)
    with translation.override("zh-hans"):
        assert any(str(label).startswith("活动: ") for _v, label in TargetForm().fields["param"].choices)


def test_public_page_body_is_rendered_once_per_figures_version(client, monkeypatch):
    # The body (figures, their JSON, the charts' markup) is the same for every visitor: it is
    # rendered once per figures version and language, and again as soon as the figures change.
    from programme.selectors.cached import figures_changed
    from programme.views import public

    series = SeriesFactory()
    targets_default(series=series, actor=None)
    _people(series, 2)
    tallies_catch_up()
    url = reverse("programme:progress", args=[series.slug])
    first = client.get(url).content.decode()
    renders = []
    real = public.render_to_string
    monkeypatch.setattr(public, "render_to_string", lambda name, *a, **k: renders.append(name) or real(name, *a, **k))
    assert client.get(url).content.decode().count('data-total="people"') == 1 and renders == []
    _people(series, 3)
    tallies_catch_up()
    figures_changed(series.pk)
    again = client.get(url).content.decode()
    assert renders.count("programme/_progress_body.html") == 1
    people = re.compile(r'data-total="people">(\d+)<')
    assert people.search(first)[1] == "2" and people.search(again)[1] == "5"
