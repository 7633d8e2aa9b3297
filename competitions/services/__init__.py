"""Writes of competitions (DESIGN §5.1). Import from here; the modules split by subject."""

from .awards import award_grant, entry_to_project, mentor_session_add  # noqa: F401
from .entries import entry_submit, patents_parse  # noqa: F401
from .judging import (  # noqa: F401
    assignment_add,
    assignment_remove,
    conflict_pairs,
    judge_accept,
    judge_invite,
    round_assign,
    round_entries,
)
from .live import live_advance, live_order_set, live_reveal, live_state, live_timer  # noqa: F401
from .rounds import (  # noqa: F401
    result_adjust,
    results_compute,
    results_publish,
    results_review,
    round_close,
    round_open,
    scorecard_submit,
)
from .setup import competition_save, criterion_add, criterion_remove, round_save  # noqa: F401
