"""Writes of the programme: outcomes reported, answered and reviewed; targets set; projects
entered by hand (through projects.services.project_create)."""

from .outcomes import (
    head_office,
    outcome_can_view,
    outcome_report,
    outcome_respond,
    outcome_review,
    outcome_visitors,
)
from .targets import target_delete, target_save, targets_default

__all__ = [
    "head_office",
    "outcome_can_view",
    "outcome_report",
    "outcome_respond",
    "outcome_review",
    "outcome_visitors",
    "target_delete",
    "target_save",
    "targets_default",
]
