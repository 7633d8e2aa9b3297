"""Placeholder; filled by the fourth mutation run."""
