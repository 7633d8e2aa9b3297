"""The console page of API tokens (the API itself is mounted by config/urls.py)."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("console/events/<int:pk>/api-tokens/", views.tokens, name="tokens"),
    path("console/events/<int:pk>/api-tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]
