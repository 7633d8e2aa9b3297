"""Routes of programme, included at the site root: each spells out its full prefix."""

from django.urls import path

from .views import console, me, public, report

app_name = "programme"

urlpatterns = [
    path("programme/", public.latest, name="latest"),
    path("programme/<slug:slug>/", public.progress, name="progress"),
    path("programme/<slug:slug>/figures.json", public.progress_json, name="progress_json"),
    path("me/outcomes/", me.my_outcomes, name="my_outcomes"),
    path("me/outcomes/<int:pk>/respond/", me.outcome_respond_view, name="outcome_respond"),
    path("me/journey/", me.my_journey, name="my_journey"),
    path("console/programme/", console.series_pick, name="console"),
    path("console/programme/outcomes/", console.outcomes, name="console_outcomes"),
    path("console/programme/outcomes/<int:pk>/review/", console.outcome_review_view, name="console_outcome_review"),
    path("console/programme/people/<int:user_id>/journey/", console.person_journey, name="console_journey"),
    path("console/programme/<int:pk>/", console.dashboard, name="console_dashboard"),
    path("console/programme/<int:pk>/figures.json", console.dashboard_json, name="console_json"),
    path("console/programme/<int:pk>/list/<slug:what>/", console.figure_list, name="console_list"),
    path("console/programme/<int:pk>/targets/", console.targets, name="console_targets"),
    path("console/programme/<int:pk>/projects/new/", console.project_new, name="console_project_new"),
    path("console/programme/<int:pk>/report/", report.report_page, name="console_report"),
    path("console/programme/<int:pk>/report.xlsx", report.report_xlsx, name="console_report_xlsx"),
]
