"""Routes of programme, included at the site root: each spells out its full prefix."""

app_name = "programme"

urlpatterns: list = []
