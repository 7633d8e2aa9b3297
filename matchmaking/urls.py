"""Routes of matchmaking, included at the site root: each spells out its full prefix."""

app_name = "matchmaking"

urlpatterns: list = []
