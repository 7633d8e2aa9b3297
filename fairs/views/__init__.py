"""Views of fairs: public.py (map, directory, shortlist), company.py (bookings, positions),
visits.py (lead retrieval), console.py (floor plans, booking decisions)."""
