"""A person's origin (province, university type) as counted follows their profile: when the
profile changes, the person moves between the origin counters of every series they reached."""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from accounts.models import CandidateProfile

from ..models import Cursor, Reach
from .tallies import tallies_add


def reach_origin_refresh(user_id: int) -> set[int]:
    """Returns the series whose figures changed."""
    profile = CandidateProfile.objects.filter(user_id=user_id).values_list("province", "university_type").first()
    province, kind = profile or ("", "")
    deltas: Counter = Counter()
    with transaction.atomic():
        Cursor.objects.get_or_create(name="checkin")
        Cursor.objects.select_for_update().get(name="checkin")  # the catch-up writes Reach too
        moved = list(Reach.objects.filter(user_id=user_id).exclude(province=province, university_type=kind))
        for reach in moved:
            deltas[(reach.series_id, "people.province", reach.province)] -= 1
            deltas[(reach.series_id, "people.unitype", reach.university_type)] -= 1
            deltas[(reach.series_id, "people.province", province)] += 1
            deltas[(reach.series_id, "people.unitype", kind)] += 1
        tallies_add(deltas)
        Reach.objects.filter(pk__in=[r.pk for r in moved]).update(province=province, university_type=kind)
    return {r.series_id for r in moved}


def on_profile_saved(sender, instance, **kwargs) -> None:
    """post_save of CandidateProfile: refresh after commit (cheap when the person was never
    reached: one indexed query)."""
    user_id = instance.user_id

    def refresh():
        from ..live import figures_push

        for series_id in reach_origin_refresh(user_id):
            figures_push(series_id)

    transaction.on_commit(refresh)
