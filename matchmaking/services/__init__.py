"""Writes on matchmaking: setup.py (grid, availability, interests), meetings.py (by hand,
moves, marking, feedback), runs.py (the scheduler's drafts and publishing)."""

from ..errors import MatchmakingError
from .meetings import (
    feedback_save,
    meeting_answer,
    meeting_cancel,
    meeting_mark,
    meeting_mark_by_ticket,
    meeting_move,
    meeting_pin,
    meeting_request,
    meetings_lapse,
)
from .runs import problem_build, run_create, run_publish
from .setup import (
    availability_set,
    interest_delete,
    interest_set,
    participation_ensure,
    setup_save,
    slot_delete,
    slots_generate,
    table_assign,
    table_label_set,
    tables_create,
)
from .verify import schedule_violations

__all__ = [
    "MatchmakingError",
    "availability_set",
    "feedback_save",
    "interest_delete",
    "interest_set",
    "meeting_answer",
    "meeting_cancel",
    "meeting_mark",
    "meeting_mark_by_ticket",
    "meeting_move",
    "meeting_pin",
    "meeting_request",
    "meetings_lapse",
    "participation_ensure",
    "problem_build",
    "run_create",
    "run_publish",
    "schedule_violations",
    "setup_save",
    "slot_delete",
    "slots_generate",
    "table_assign",
    "table_label_set",
    "tables_create",
]
