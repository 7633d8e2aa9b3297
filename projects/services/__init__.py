"""Writes on teams and projects (DESIGN §5.1). Import from here; the modules split by subject."""

from .projects import (  # noqa: F401
    TRANSITIONS,
    amount_parse,
    mentor_assign,
    mentor_session_log,
    milestone_add,
    milestone_done,
    project_can_edit,
    project_can_view,
    project_create,
    project_status_set,
)
from .teams import (  # noqa: F401
    INVITATION_DAYS,
    MAX_TEAM_SIZE,
    team_change_guard_register,
    team_changes_ensure_open,
    team_create,
    team_invite,
    team_invite_accept,
    team_invite_decline,
    team_is_member,
    team_member_ids,
    team_member_remove,
)
