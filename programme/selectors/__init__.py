"""Reads of the programme: the figures (public and console), the lists behind them, journeys."""

from .figures import console_figures, public_figures, target_progress
from .journey import journey

__all__ = ["console_figures", "journey", "public_figures", "target_progress"]
