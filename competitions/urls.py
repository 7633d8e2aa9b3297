"""Routes of competitions, included at the site root: each spells out its full prefix."""

app_name = "competitions"

urlpatterns: list = []
