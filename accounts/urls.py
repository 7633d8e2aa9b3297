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
]
