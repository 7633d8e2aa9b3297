"""The counters toward a series' targets: kept incrementally, checked against a full recount.

tallies.py   add to counters in one statement (an upsert that adds)
catch_up.py  read new check-ins and projects by id and count them (once per person / project)
recount.py   the same figures computed from scratch from the source tables (tests, reconcile)
nudge.py     run a catch-up soon after a check-in or a project, and push the public figures
"""

from .catch_up import tallies_catch_up, tallies_rebuild
from .recount import recount
from .tallies import tallies_read

__all__ = ["recount", "tallies_catch_up", "tallies_read", "tallies_rebuild"]
