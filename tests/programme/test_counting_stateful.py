"""Random sequences of registrations, cancellations, check-ins (three ways), projects, outcomes
and profile changes: after a catch-up the dashboard's figures equal a full recount.

Slow (~30-40 s on PostgreSQL, marked here as such): 15 examples of up to 20 steps, each step a few real transactions.
"""

from datetime import date, timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from checkin.models import Checkin
from events.models import Registration
from events.services import RegistrationError, registration_cancel, registration_create
from programme.counting import recount, tallies_catch_up, tallies_read
from programme.errors import ProgrammeError
from programme.models import Outcome
from programme.selectors import console_figures
from programme.services import outcome_report, outcome_review
from projects.services import project_create
from tests.factories import EventFactory, SeriesFactory, candidate, organizer

from .factories import checkin_orm, checkin_raw

PROVINCES = ["shandong", "beijing", "jiangsu", ""]


class Programme(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        n = Programme.examples = getattr(Programme, "examples", 0) + 1
        self.series = SeriesFactory(slug=f"s{n}", title=f"系列{n}")
        now = timezone.now()
        self.events = [
            EventFactory(
                series=self.series,
                capacity=2,
                starts_at=now + timedelta(days=3 + i),
                ends_at=now + timedelta(days=3 + i, hours=3),
            )
            for i in range(3)
        ]
        self.people = [candidate(province=PROVINCES[i % 4]) for i in range(4)]
        self.head = organizer(manages_all=True)

    @rule(person=st.integers(0, 3), event=st.integers(0, 2))
    def register(self, person, event):
        try:
            registration_create(event=self.events[event], user=self.people[person])
        except RegistrationError:
            pass  # duplicate: refused, nothing changes

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        active = list(Registration.objects.filter(event__series=self.series).active().order_by("pk"))
        if active:
            registration = active[pick % len(active)]
            registration_cancel(registration=registration, actor=registration.user)

    @rule(pick=st.integers(0, 50), way=st.sampled_from(["orm", "raw"]), hours=st.integers(-200, 200))
    def check_in(self, pick, way, hours):
        confirmed = list(Registration.objects.filter(event__series=self.series, status="confirmed").order_by("pk"))
        if not confirmed:
            return
        registration = confirmed[pick % len(confirmed)]
        if Checkin.objects.filter(ticket__registration=registration).exists():
            return  # the door answers "already checked in" and writes nothing
        at = timezone.now() + timedelta(hours=hours)
        (checkin_orm if way == "orm" else checkin_raw)(registration, at=at)

    @rule(days=st.integers(0, 90))
    def sign_project(self, days):
        project_create(
            series=self.series,
            title="海洋装备项目",
            source="manual",
            actor=self.head,
            signed_on=timezone.localdate() - timedelta(days=days),
        )

    @rule(person=st.integers(0, 3), kind=st.sampled_from(["station_entry", "job", "project"]), approve=st.booleans())
    def outcome(self, person, kind, approve):
        try:
            outcome = outcome_report(
                actor=self.people[person],
                series=self.series,
                kind=kind,
                happened_on=date.today() - timedelta(days=person * 17),
            )
        except ProgrammeError:
            return  # reported before
        outcome_review(outcome=outcome, actor=self.head, approve=approve)

    @rule(person=st.integers(0, 3), province=st.sampled_from(PROVINCES))
    def move(self, person, province):
        from accounts.services import candidate_profile_save
        from programme.counting.origin import reach_origin_refresh

        candidate_profile_save(user=self.people[person], data={"province": province})
        reach_origin_refresh(self.people[person].pk)  # what its on-commit hook does

    @invariant()
    def figures_equal_a_recount(self):
        if not hasattr(self, "series"):
            return
        tallies_catch_up()
        assert tallies_read(self.series.pk) == recount(self.series.pk)
        figures = console_figures(self.series)
        attended = Checkin.objects.filter(ticket__event__series=self.series)
        assert figures["totals"]["people"] == attended.values("ticket__registration__user").distinct().count()
        assert figures["totals"]["outcomes"] == Outcome.objects.filter(series=self.series, status="confirmed").count()
        direct = {
            row["event"]: row
            for row in Registration.objects.filter(event__series=self.series)
            .values("event")
            .annotate(
                confirmed=Count("id", filter=Q(status="confirmed")),
                waitlisted=Count("id", filter=Q(status="waitlisted")),
            )
        }
        for row in figures["by_event"]:
            assert row["confirmed"] == direct.get(row["id"], {}).get("confirmed", 0)
            assert row["waitlisted"] == direct.get(row["id"], {}).get("waitlisted", 0)
            assert (
                row["attended"]
                == attended.filter(ticket__event_id=row["id"]).values("ticket__registration__user").distinct().count()
            )


@pytest.mark.django_db
def test_dashboard_figures_equal_a_recount_after_random_sequences(django_capture_on_commit_callbacks):
    run_state_machine_as_test(
        Programme,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
