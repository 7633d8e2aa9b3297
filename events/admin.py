from django.contrib import admin

from .models import Action, Event, EventTeamMember, Registration, Series, Session


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ActionInline]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class TeamInline(admin.TabularInline):
    model = EventTeamMember
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "mode", "city", "starts_at", "capacity", "status"]
    list_filter = ["status", "kind", "mode", "series", "city"]
    search_fields = ["title", "venue"]
    date_hierarchy = "starts_at"
    inlines = [SessionInline, TeamInline]
    readonly_fields = ["registration_version", "created_by"]


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
