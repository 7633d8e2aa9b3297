"""Facts projects announce, sent after commit with ids only.

The programme's counters listen (DESIGN §2: `programme` reads every app, no app imports it).
A signal carries no business logic here; it only says what happened.
"""

from django.dispatch import Signal

# kwargs: project_id, series_id, status, created (bool)
project_changed = Signal()
