"""Routes of projects, included at the site root: each spells out its full prefix."""

app_name = "projects"

urlpatterns: list = []
