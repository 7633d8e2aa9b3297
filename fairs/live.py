"""Who may listen to a fair's live map (`fair.<event id>`), called by notifications' consumer."""

from .models import Fair
from .permissions import fair_visible


def authorize_fair_topic(user, fair_id: int, audience: str) -> bool:
    if audience:  # the map has one public group; no other audience exists
        return False
    fair = Fair.objects.select_related("event").filter(pk=fair_id).first()
    return fair is not None and fair_visible(fair, user)
