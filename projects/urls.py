"""Routes of projects, included at the site root: each spells out its full prefix."""

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.my_projects, name="mine"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("teams/invitation/<str:token>/", views.team_invitation, name="invitation"),
]
