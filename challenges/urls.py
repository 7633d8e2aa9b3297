"""Routes of challenges, included at the site root: each spells out its full prefix."""

from django.urls import path

from .views import company, console, public

app_name = "challenges"

urlpatterns = [
    # public and candidates
    path("challenges/", public.challenge_list, name="list"),
    path("challenges/recommended/", public.recommended, name="recommended"),
    path("challenges/mine/", public.my_applications, name="mine"),
    path("challenges/<int:pk>/", public.challenge_detail, name="detail"),
    path("challenges/<int:pk>/follow/", public.follow, name="follow"),
    path("challenges/<int:pk>/confidentiality/", public.confidentiality, name="confidentiality"),
    path("challenges/<int:pk>/apply/", public.apply, name="apply"),
    path("challenges/attachments/<int:pk>/", public.attachment_download, name="attachment"),
    path("challenges/applications/<int:pk>/", public.application_page, name="application"),
    path("challenges/applications/<int:pk>/proposal/", public.proposal_download, name="proposal"),
    # company members
    path("company/challenges/", company.company_list, name="company_list"),
    path("company/challenges/new/", company.challenge_edit, name="company_new"),
    path("company/challenges/<int:pk>/", company.company_challenge, name="company_challenge"),
    path("company/challenges/<int:pk>/edit/", company.challenge_edit, name="company_edit"),
    path("company/challenges/<int:pk>/applications.xlsx", company.applications_xlsx, name="company_xlsx"),
    path("company/challenges/applications/<int:pk>/", company.application_act, name="company_application"),
    path("company/challenges/applications/<int:pk>/cv/", company.application_cv, name="company_cv"),
    # organizers
    path("console/challenges/", console.console_list, name="console_list"),
    path("console/challenges/challenges.xlsx", console.challenges_xlsx, name="console_xlsx"),
    path("console/challenges/projects/", console.console_projects, name="console_projects"),
    path("console/challenges/projects.xlsx", console.projects_xlsx, name="console_projects_xlsx"),
    path("console/challenges/<int:pk>/", console.console_challenge, name="console_challenge"),
]
