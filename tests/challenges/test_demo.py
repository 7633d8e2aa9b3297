"""The demo loads about thirty challenges through the services, with applications and projects."""

import pytest
from django.core.management import call_command

from challenges.models import Application, Challenge
from challenges.selectors import public_challenges
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_demo_loads_challenges_applications_and_projects(capsys):
    call_command("load_demo", "--reset")
    assert Challenge.objects.count() == 30
    assert Challenge.objects.filter(status="published").count() >= 20
    assert set(Challenge.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "published",
        "closed",
    }
    assert Application.objects.count() >= 40
    projects = Project.objects.filter(source="challenge")
    assert projects.count() == 3 and projects.filter(status="accepted").count() == 1
    assert all(p.challenge_application.status == "selected" for p in projects)
    for query in ("海洋", "氢能", "材料"):
        assert public_challenges({"q": query}).exists(), query
    call_command("load_demo", "--reset")  # a second reset works (challenges protect the series)
    assert Challenge.objects.count() == 30
