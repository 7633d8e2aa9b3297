"""This app's Celery tasks, looked up by name.

tasks.py is the top of the app: each task is a thin wrapper around a function of services,
outbox or reminders. Those modules hand work back to Celery, and look the task up by its name
here instead of importing tasks.py, so imports go one way only (no circle). The app's ready()
imports tasks.py, so every process (web or worker) has the names registered; on the embedded
default, eager mode still runs the task inline.
"""

from celery import current_app


def task(name: str):
    """The task `notifications.tasks.<name>` (KeyError if there is none: a typo fails loudly)."""
    return current_app.tasks[f"notifications.tasks.{name}"]
