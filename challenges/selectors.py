"""Reads of challenges reused by views, the API and the benchmark. Each costs a fixed number of
queries, whatever the page size (tests/challenges/test_pages.py pins them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Q, QuerySet, Sum, When
from django.utils import timezone

from projects.models import Project, TeamMember

from .models import Application, Challenge, ConfidentialityAcceptance, Follow
from .permissions import can_see_details
from .search import query_terms, search_filter

BUDGET_RANGES = {
    "lt50": (None, Decimal("50")),
    "50-200": (Decimal("50"), Decimal("200")),
    "200-500": (Decimal("200"), Decimal("500")),
    "gt500": (Decimal("500"), None),
}
PAGE_SIZE = 20


def public_challenges(filters: dict, *, now=None) -> QuerySet[Challenge]:
    """The public list, narrowed by cleaned ChallengeFilterForm data."""
    now = now or timezone.now()
    qs = Challenge.objects.listed().select_related("company")
    deadline = filters.get("deadline") or ""
    if deadline == "all":
        pass
    else:
        qs = qs.filter(status=Challenge.Status.PUBLISHED, deadline__gt=now)
        if deadline in ("7", "30"):
            qs = qs.filter(deadline__lte=now + timedelta(days=int(deadline)))
    if filters.get("discipline"):
        qs = qs.filter(discipline=filters["discipline"])
    if filters.get("district"):
        qs = qs.filter(district=filters["district"])
    if filters.get("company"):
        qs = qs.filter(company_id=filters["company"])
    low, high = BUDGET_RANGES.get(filters.get("budget") or "", (None, None))
    # A budget range overlaps the chosen band.
    if low is not None:
        qs = qs.filter(budget_max_wan__gte=low)
    if high is not None:
        qs = qs.filter(budget_min_wan__lt=high)
    if filters.get("q"):
        qs = search_filter(qs, filters["q"])
    return qs.order_by("deadline", "-id") if deadline in ("7", "30") else qs.order_by("-published_at", "-id")


COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (a LIMIT inside the COUNT): a common search word such
    as 材料 matches thousands of challenges, and counting them all was most of a search's
    database time. Nobody pages past 1,000 results; the page says "1000+" instead."""

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list[: self.cap + 1].count()
        return self._capped_count

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def page_of(queryset: QuerySet, number, *, size: int = PAGE_SIZE) -> Page:
    return CappedPaginator(queryset, size).get_page(number)


@dataclass
class Viewer:
    following: bool = False
    accepted_nda: bool = False
    application: Application | None = None
    details: bool = False


def viewer_state(challenge: Challenge, user) -> Viewer:
    """What the signed-in person has to do with the challenge: three small queries, or none."""
    viewer = Viewer()
    if user.is_authenticated:
        viewer.following = Follow.objects.filter(challenge=challenge, user=user).exists()
        viewer.accepted_nda = (
            challenge.details_confidential
            and ConfidentialityAcceptance.objects.filter(challenge=challenge, user=user).exists()
        )
        teams = TeamMember.objects.filter(user=user, status=TeamMember.Status.ACCEPTED).values("team_id")
        # One query: an active application of a team the person is on first, else one they lead.
        viewer.application = (
            Application.objects.filter(challenge=challenge)
            .filter(Q(team_id__in=teams) | Q(team__lead=user))
            .order_by(Case(When(status=Application.Status.WITHDRAWN, then=1), default=0), "-id")
            .first()
        )
    viewer.details = can_see_details(user, challenge)
    return viewer


def recommended_for(user, *, limit: int = 10) -> list[Challenge]:
    """为你推荐: open challenges ranked by the profile's discipline (3 points, 1 for the same
    category) and the words of its research field found in the challenge (1 point each)."""
    profile = getattr(user, "candidate_profile", None) if user.is_authenticated else None
    if profile is None:
        return []
    field_terms = [t for t in query_terms(profile.research_field or "") if len(t) >= 2][:8]
    condition = Q(discipline=profile.discipline) | Q(discipline__startswith=profile.discipline[:2])
    for term in field_terms:
        condition |= Q(search_text__contains=f" {term} ")
    pool = list(Challenge.objects.open().filter(condition).select_related("company").order_by("deadline")[:300])

    def score(challenge: Challenge) -> tuple:
        points = (
            3
            if challenge.discipline == profile.discipline
            else (1 if challenge.discipline[:2] == profile.discipline[:2] else 0)
        )
        points += sum(1 for term in field_terms if f" {term} " in challenge.search_text)
        return (-points, challenge.deadline)

    return sorted(pool, key=score)[:limit]


def company_challenges(company_ids) -> QuerySet[Challenge]:
    return (
        Challenge.objects.filter(company_id__in=company_ids)
        .select_related("company")
        .annotate(
            n_applications=Count("applications", filter=~Q(applications__status="withdrawn"), distinct=True),
            n_followers=Count("follows", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def challenge_applications(challenge: Challenge) -> list[Application]:
    return list(
        challenge.applications.exclude(status=Application.Status.WITHDRAWN)
        .select_related("team__lead__candidate_profile", "project")
        .prefetch_related("team__members__user")
        .order_by("status", "created_at")
    )


def followers(challenge: Challenge) -> tuple[list, int]:
    """Followers who share their profile (by name), and how many others follow (a count only)."""
    rows = list(
        Follow.objects.filter(challenge=challenge).select_related("user__candidate_profile").order_by("-created_at")
    )
    shown = [
        f.user for f in rows if getattr(f.user, "candidate_profile", None) and f.user.candidate_profile.consent_share
    ]
    return shown, len(rows) - len(shown)


def my_applications(user) -> QuerySet[Application]:
    teams = TeamMember.objects.filter(user=user, status=TeamMember.Status.ACCEPTED).values("team_id")
    return (
        Application.objects.filter(team_id__in=teams)
        .select_related("challenge__company", "team", "project")
        .order_by("-created_at")
    )


def console_counts(series_ids=None) -> dict[str, int]:
    qs = Challenge.objects.all() if series_ids is None else Challenge.objects.filter(series_id__in=series_ids)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Challenge.Status.values}


def console_challenges(status: str = "") -> QuerySet[Challenge]:
    qs = Challenge.objects.select_related("company", "series").annotate(
        n_applications=Count("applications", filter=~Q(applications__status="withdrawn"))
    )
    if status in Challenge.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-id")


def challenge_projects(series_ids=None) -> tuple[QuerySet[Project], Decimal]:
    qs = Project.objects.filter(source=Project.Source.CHALLENGE)
    if series_ids is not None:
        qs = qs.filter(series_id__in=series_ids)
    qs = qs.select_related("company", "team", "challenge_application__challenge", "series").order_by(
        "-signed_on", "-id"
    )
    total = qs.aggregate(total=Sum("amount_wan"))["total"] or Decimal("0")
    return qs, total
