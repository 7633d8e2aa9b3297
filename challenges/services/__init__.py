"""Writes on challenges and applications (DESIGN §5.1). Import from here; modules split by side."""

from .applying import (  # noqa: F401
    application_create,
    application_member_invite,
    application_update,
    application_withdraw,
)
from .posting import (  # noqa: F401
    attachment_add,
    attachment_remove,
    challenge_create,
    challenge_publish,
    challenge_review,
    challenge_submit,
    challenge_update,
    follow_toggle,
    nda_accept,
    nda_statement,
)
from .selecting import (  # noqa: F401
    application_invite_present,
    application_select,
    application_shortlist,
    challenge_close,
)
