"""Facts check-in announces, after commit, with ids only (the programme's counters listen;
DESIGN §2: no app imports programme). Sent by the Django scan path and by the fast lane (on
its event loop: receivers must not block)."""

from django.dispatch import Signal

# kwargs: event_id
checkins_recorded = Signal()
