from django.contrib import admin

from .models import Feedback, Interest, Meeting, MeetingSetup, Participation, SchedulerRun, Slot, Table


@admin.register(MeetingSetup)
class MeetingSetupAdmin(admin.ModelAdmin):
    list_display = ["event", "meeting_minutes", "max_per_candidate", "max_per_company", "requests_close_at"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    # Read-only: changes go through the services (locks, constraints, notifications).
    list_display = ["event", "slot", "table", "company", "candidate", "status", "origin", "attendance"]
    list_filter = ["status", "origin", "attendance"]
    raw_id_fields = ["event", "slot", "table", "company", "candidate", "requested_by", "run"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register([Slot, Table, Participation, Interest, SchedulerRun, Feedback])
