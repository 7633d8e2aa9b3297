"""Registration questions: what an organizer asks people when they register for an event.

models.py (Question, Answer; imported by events.models), forms.py (the form a candidate fills
in, built from the questions), services.py (organizer writes; answers validated before the seat
lock and written in the registration's transaction), selectors.py (answers for lists, exports,
the API and the personal data export).
"""
