"""The organizer console, mounted at /console/ (namespace "console")."""

from django.urls import include, path, re_path

from .views.console import programme, questions, registrations, speakers

app_name = "console"

event = r"^events/(?P<pk>\d+)/"

urlpatterns = [
    path("", programme.home, name="home"),
    path("series/", programme.series_list, name="series"),
    path("series/new/", programme.series_edit, name="series_new"),
    path("series/<int:pk>/", programme.series_edit, name="series_edit"),
    path("events/new/", programme.event_new, name="event_new"),
    path("events/<int:pk>/", programme.event_overview, name="event"),
    path("events/<int:pk>/edit/", programme.event_edit, name="event_edit"),
    re_path(event + r"(?P<action>publish|cancel)/$", programme.event_status, name="event_status"),
    path("events/<int:pk>/sessions/new/", programme.session_edit, name="session_new"),
    path("events/<int:pk>/sessions/<int:session_pk>/", programme.session_edit, name="session_edit"),
    path("events/<int:pk>/sessions/<int:session_pk>/delete/", programme.session_remove, name="session_delete"),
    path("events/<int:pk>/team/", programme.team_edit, name="team"),
    path("events/<int:pk>/team/<int:member_pk>/remove/", programme.team_remove, name="team_remove"),
    path("events/<int:pk>/registrations/", registrations.registrations, name="registrations"),
    re_path(
        event + r"registrations\.(?P<fmt>xlsx|csv)$", registrations.registrations_export, name="registrations_export"
    ),
    re_path(
        event + r"registrations/(?P<registration_pk>\d+)/(?P<action>promote|cancel)/$",
        registrations.registration_action,
        name="registration_action",
    ),
    path("events/<int:pk>/answers/<int:answer_pk>/file/", registrations.answer_file, name="answer_file"),
    path("events/<int:pk>/questions/", questions.questions, name="questions"),
    path("events/<int:pk>/questions/new/", questions.question_edit, name="question_new"),
    path("events/<int:pk>/questions/<int:question_pk>/", questions.question_edit, name="question_edit"),
    re_path(
        event + r"questions/(?P<question_pk>\d+)/(?P<action>up|down|hide|show|delete)/$",
        questions.question_action,
        name="question_action",
    ),
    path("events/<int:pk>/audit/", registrations.audit, name="audit"),
    path("speakers/", speakers.speakers, name="speakers"),
    path("speakers/new/", speakers.speaker_edit, name="speaker_new"),
    path("speakers/<int:pk>/", speakers.speaker_edit, name="speaker_edit"),
    path("rooms/new/", speakers.room_edit, name="room_new"),
    path("rooms/<int:pk>/", speakers.room_edit, name="room_edit"),
    path("companies/", include("accounts.urls_console")),
]
