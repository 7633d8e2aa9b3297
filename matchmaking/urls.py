"""Routes of matchmaking, included at the site root: each spells out its full prefix."""

from django.urls import path

from .views import candidate, company, console

app_name = "matchmaking"

urlpatterns = [
    path("meetings/<int:event_id>/", candidate.mine, name="mine"),
    path("meetings/<int:event_id>/live.json", candidate.mine_snapshot, name="mine_snapshot"),
    path("meetings/<int:event_id>/request/", candidate.request_meeting, name="request"),
    path("meetings/<int:event_id>/free-slots.json", candidate.free_slots, name="free_slots"),
    path("meetings/<int:event_id>/interests/", candidate.interest_save, name="interest"),
    path("meetings/interests/<int:pk>/delete/", candidate.interest_remove, name="interest_delete"),
    path("meetings/m/<int:pk>/answer/", candidate.answer, name="answer"),
    path("meetings/m/<int:pk>/cancel/", candidate.cancel, name="cancel"),
    path("meetings/m/<int:pk>/feedback/", candidate.feedback, name="feedback"),
    path("meetings/m/<int:pk>/mark/", company.mark, name="mark"),
    path("meetings/<int:event_id>/company/", company.schedule, name="company"),
    path("meetings/<int:event_id>/company/live.json", company.schedule_snapshot, name="company_snapshot"),
    path("meetings/<int:event_id>/company/availability/", company.availability, name="availability"),
    path("meetings/<int:event_id>/company/tables/<int:pk>/", company.table_label, name="table_label"),
    path("meetings/<int:event_id>/company/interests/", company.interest, name="company_interest"),
    path("meetings/<int:event_id>/company/invite/", company.invite, name="invite"),
    path("console/meetings/<int:event_id>/", console.console, name="console"),
    path("console/meetings/<int:event_id>/live.json", console.console_snapshot, name="console_snapshot"),
    path("console/meetings/<int:event_id>/rules/", console.rules, name="rules"),
    path("console/meetings/<int:event_id>/slots/", console.slots, name="slots"),
    path("console/meetings/<int:event_id>/tables/", console.tables, name="tables"),
    path("console/meetings/<int:event_id>/tables/<int:pk>/company/", console.table_company, name="table_company"),
    path("console/meetings/<int:event_id>/m/<int:pk>/move/", console.move, name="move"),
    path("console/meetings/<int:event_id>/m/<int:pk>/cancel/", console.cancel, name="console_cancel"),
    path("console/meetings/<int:event_id>/runs/", console.run, name="run"),
    path("console/meetings/<int:event_id>/runs/<int:pk>/publish/", console.publish, name="publish"),
    path("console/meetings/<int:event_id>/export.xlsx", console.export, name="export"),
    path("console/meetings/<int:event_id>/tables/<int:pk>/sheet/", console.sheet, name="sheet"),
]
