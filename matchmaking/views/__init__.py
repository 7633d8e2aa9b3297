"""Pages of matchmaking: candidate.py (我的洽谈), company.py (洽谈日程), console.py (the grid)."""
