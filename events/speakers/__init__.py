"""Speakers and rooms as entities: who speaks in which session, in which room.

models.py (Speaker, Room, SessionSpeaker; imported by events.models), text.py (reading the old
free-text "speakers" field), services.py (writes), selectors.py (timetable grid, conflicts,
speaker pages).
"""
