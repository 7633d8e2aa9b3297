from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_audit import AuditedAdmin, ReadOnlyInline, console_link
from .models import Action, Event, EventTeamMember, Registration, Series, Session
from .services import series_actions_audit


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0


@admin.register(Series)
class SeriesAdmin(AuditedAdmin):
    audit_prefix = "series"
    list_display = ["title", "year", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ActionInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        series_actions_audit(actor=request.user, series=form.instance, formset=formset)


class SessionInline(ReadOnlyInline, admin.TabularInline):
    # Sessions change calendars and timetables: edited in the console (session_save).
    model = Session
    extra = 0
    fields = ["title", "starts_at", "ends_at", "room"]
    readonly_fields = fields


class TeamInline(ReadOnlyInline, admin.TabularInline):
    # Team rights are granted in the console (team_member_set audits them).
    model = EventTeamMember
    fields = ["user", "can_edit", "can_scan"]
    readonly_fields = fields
    extra = 0


# Changing these has effects the services apply: more seats promote from the waiting list, new
# times or places update calendars and notify the registered, status changes notify. The admin
# shows them; the console (event_update, event_publish, ...) changes them (issue 17).
EVENT_SERVICE_FIELDS = [
    "title",
    "summary",
    "mode",
    "city",
    "venue",
    "address",
    "online_url",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "waitlist_enabled",
    "status",
]


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    audit_prefix = "event"
    list_display = ["title", "kind", "mode", "city", "starts_at", "capacity", "status"]
    list_filter = ["status", "kind", "mode", "series", "city"]
    search_fields = ["title", "venue"]
    date_hierarchy = "starts_at"
    inlines = [SessionInline, TeamInline]
    readonly_fields = [
        "edit_in_console",
        *EVENT_SERVICE_FIELDS,
        "registration_version",
        "seats_confirmed",
        "seats_waitlisted",
        "calendar_sequence",
        "created_by",
    ]

    @admin.display(description=_("名额、时间、地点与状态"))
    def edit_in_console(self, obj):
        return console_link(
            "console:event_edit", _("在控制台修改（候补递补、日历更新与审计由控制台完成）"), obj.pk if obj else None
        )

    def has_add_permission(self, request):
        return False  # the console's event_create also puts the creator on the event's team


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    # Seats are changed through the console's services (lock, waiting list, audit), not here.
    list_display = ["event", "user", "status", "created_at", "cancelled_at"]
    list_filter = ["status", "event__kind"]
    search_fields = ["user__email", "user__name", "event__title"]
    list_select_related = ["event", "user"]
    readonly_fields = ["event", "user", "status", "created_at", "confirmed_at", "cancelled_at"]

    def has_add_permission(self, request):
        return False
