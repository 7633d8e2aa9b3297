"""Routes of challenges, included at the site root: each spells out its full prefix."""

app_name = "challenges"

urlpatterns: list = []
