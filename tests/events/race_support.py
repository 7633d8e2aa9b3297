"""The negative controls' stand-in for the seat lock (test_concurrency, test_sqlite_concurrency)."""

from accounts.models import CandidateProfile
from events.models import Event


def lock_event_unlocked(pk, user=None):
    """What events.services.registration._lock_event returns (the row and the person's profile
    fields), without taking the lock."""
    event = Event.objects.get(pk=pk)
    profile = CandidateProfile.objects.filter(user=user).first() if user else None
    event.profile_degree = profile.degree if profile else None
    event.profile_postdoc_status = profile.postdoc_status if profile else None
    return event
