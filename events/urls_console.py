from django.urls import path, re_path

from accounts import console as accounts_console

from .views import console

app_name = "console"

urlpatterns = [
    path("", console.home, name="home"),
    path("series/new/", console.series_edit, name="series_new"),
    path("series/<int:pk>/", console.series_edit, name="series_edit"),
    path("events/new/", console.event_new, name="event_new"),
    path("events/<int:pk>/", console.event_overview, name="event"),
    path("events/<int:pk>/edit/", console.event_edit, name="event_edit"),
    re_path(r"^events/(?P<pk>\d+)/(?P<action>publish|cancel)/$", console.event_status, name="event_status"),
    path("events/<int:pk>/sessions/new/", console.session_edit, name="session_new"),
    path("events/<int:pk>/sessions/<int:session_pk>/", console.session_edit, name="session_edit"),
    path("events/<int:pk>/sessions/<int:session_pk>/delete/", console.session_remove, name="session_delete"),
    path("events/<int:pk>/team/", console.team_edit, name="team"),
    path("events/<int:pk>/registrations/", console.registrations, name="registrations"),
    re_path(r"^events/(?P<pk>\d+)/registrations\.(?P<fmt>xlsx|csv)$", console.registrations_export,
            name="registrations_export"),
    re_path(r"^events/(?P<pk>\d+)/registrations/(?P<registration_pk>\d+)/(?P<action>promote|cancel)/$",
            console.registration_action, name="registration_action"),
    path("events/<int:pk>/audit/", console.audit, name="audit"),
    path("companies/", accounts_console.companies, name="companies"),
    re_path(r"^companies/(?P<pk>\d+)/(?P<decision>verify|reject)/$", accounts_console.company_decide,
            name="company_decide"),
]
