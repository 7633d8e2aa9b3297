"""Checkin's writes (DESIGN §5.1). Scanning lives in scanning.py, devices and lists in setup.py."""

from .scanning import Scanner, ScanOutcome, checkin_perform, checkin_sync  # noqa: F401
from .setup import (  # noqa: F401
    checkin_list_default,
    checkin_list_save,
    checkin_rehearsal_end,
    checkin_rehearsal_start,
    device_create,
    device_pair,
    device_revoke,
)
from .tokens import scanner_for_token  # noqa: F401
