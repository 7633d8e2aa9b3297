"""Routes of competitions, included at the site root: each spells out its full prefix."""

from django.urls import path, re_path

from .views import console, judging, mentoring, public

app_name = "competitions"

urlpatterns = [
    # public and candidates
    path("competitions/<int:pk>/", public.competition_detail, name="detail"),
    path("competitions/<int:pk>/enter/", public.entry_form, name="enter"),
    path("competitions/<int:pk>/screen/", public.final_screen, name="screen"),
    path("competitions/<int:pk>/screen.json", public.final_screen_json, name="screen_json"),
    path("competitions/entries/<int:pk>/", public.entry_detail, name="entry"),
    path("competitions/entries/<int:pk>/plan.pdf", public.entry_plan, name="entry_plan"),
    # judges
    path("competitions/judging/", judging.my_judging, name="judging"),
    path("competitions/judging/invitation/<str:token>/", judging.judge_invitation, name="judge_invitation"),
    path("competitions/judging/judges/<int:pk>/", judging.judge_declaration, name="judge_declaration"),
    path("competitions/judging/<int:pk>/", judging.scorecard, name="scorecard"),
    path("competitions/<int:pk>/live/", judging.live_judge, name="live_judge"),
    # mentors
    path("competitions/mentoring/", mentoring.mentoring, name="mentoring"),
    # organizers
    path("console/competitions/<int:pk>/", console.competition_console, name="console"),
    path("console/competitions/rounds/<int:pk>/", console.round_console, name="console_round"),
    re_path(r"^console/competitions/(?P<pk>\d+)/(?P<what>entries)\.xlsx$", console.export, name="export_entries"),
    re_path(
        r"^console/competitions/rounds/(?P<pk>\d+)/(?P<what>assignment|scores|ranking)\.xlsx$",
        console.export,
        name="export_round",
    ),
]
