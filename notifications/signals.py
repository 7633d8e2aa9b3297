"""Signals other apps may listen to (notifications imports no other app, DESIGN §2)."""

from django.dispatch import Signal

# A person changed their e-mail choices: user=, email={kind: bool} (only what changed). Sent
# inside preferences_save's transaction; accounts writes the audit entry.
preferences_changed = Signal()
