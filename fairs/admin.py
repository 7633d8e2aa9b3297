from django.contrib import admin

from .models import Booth, BoothBooking, BoothVisit, Fair, Hall, Position


@admin.register(Fair)
class FairAdmin(admin.ModelAdmin):
    list_display = ["event", "approval_required", "booths_per_company", "booking_open", "booking_closes_at"]
    list_select_related = ["event"]


class BoothInline(admin.TabularInline):
    model = Booth
    extra = 0
    fields = ["code", "x", "y", "width", "height", "size", "zone", "is_closed"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "fair", "columns", "rows"]
    inlines = [BoothInline]


@admin.register(BoothBooking)
class BoothBookingAdmin(admin.ModelAdmin):
    # Decisions go through the console (locks, notices, audit); the admin only looks.
    list_display = ["booth", "company", "fair", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["booth", "company", "fair__event"]
    readonly_fields = [f.name for f in BoothBooking._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "discipline", "headcount", "deadline"]
    search_fields = ["title", "company__name"]


@admin.register(BoothVisit)
class BoothVisitAdmin(admin.ModelAdmin):
    list_display = ["company", "fair", "shared", "first_seen_at", "scans"]
    list_select_related = ["company", "fair__event"]
    # Who visited is personal: the admin list shows the company side only.
    exclude = ["note", "visitor"]
    readonly_fields = ["fair", "company", "booth", "ticket_id", "shared", "scanned_by", "first_seen_at",
                       "last_seen_at", "scans", "rating"]

    def has_add_permission(self, request):
        return False
