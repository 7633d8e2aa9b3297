from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/cv/", views.cv_download, name="cv"),
    path("data/", views.my_data, name="data"),
    path("data.json", views.my_data_json, name="data_json"),
    path("company/new/", views.company_new, name="company_new"),
    path("company/<int:pk>/", views.company_detail, name="company"),
    path("company/<int:pk>/logo/", views.company_logo, name="company_logo"),
    path("company/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("company/<int:pk>/invite/", views.company_invite, name="company_invite"),
    path("company/join/<str:token>/", views.company_join, name="company_join"),
]
