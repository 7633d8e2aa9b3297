"""Who may listen to a competition's live final (`competition.<id>`): anyone who may see the
competition. The topic carries only what the public screen shows (services/live.py live_state)."""

from .models import Competition
from .permissions import competition_visible


def authorize_competition_topic(user, competition_id: int, audience: str) -> bool:
    if audience:  # one public group; scores never travel on a live topic
        return False
    competition = Competition.objects.select_related("event").filter(pk=competition_id).first()
    return competition is not None and competition_visible(competition, user)
