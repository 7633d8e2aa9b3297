"""Company verification pages of the organizer console; included under /console/companies/
by events/urls_console.py, so the names live in the "console" namespace."""

from django.urls import path, re_path

from . import console

urlpatterns = [
    path("", console.companies, name="companies"),
    re_path(r"^(?P<pk>\d+)/(?P<decision>verify|reject)/$", console.company_decide, name="company_decide"),
]
