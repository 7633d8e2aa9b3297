"""API test data: tokens for an event's team member."""

from api.models import ApiToken
from api.services import api_token_create

from ..factories import EventFactory, organizer, team_member


def token_for(event=None, *, access: str = ApiToken.Access.READ, user=None) -> tuple[ApiToken, str, object]:
    """(token row, raw token, event): a token of an organizer on the event's team."""
    event = event or EventFactory()
    if user is None:
        user = organizer()
        team_member(event, user)
    token, raw = api_token_create(actor=user, event=event, name="同步", access=access)
    return token, raw, event


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
