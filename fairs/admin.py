from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from events.admin_audit import AuditedAdmin, ReadOnlyInline, console_link

from .models import Booth, BoothBooking, BoothVisit, Fair, Hall, Position


@admin.register(Fair)
class FairAdmin(AuditedAdmin):
    audit_prefix = "fair"
    list_display = ["event", "approval_required", "booths_per_company", "booking_open", "booking_closes_at"]
    list_select_related = ["event"]


class BoothInline(ReadOnlyInline, admin.TabularInline):
    # Booths are placed in the console's floor editor (booth_create/booth_update): it locks the
    # hall and refuses overlaps, codes taken twice and closing a booked booth. The admin shows.
    model = Booth
    extra = 0
    fields = ["code", "x", "y", "width", "height", "size", "zone", "is_closed"]
    readonly_fields = fields


@admin.register(Hall)
class HallAdmin(AuditedAdmin):
    audit_prefix = "fair.hall"
    list_display = ["name", "fair", "columns", "rows"]
    inlines = [BoothInline]
    # The grid's size decides which booths fit: changed in the console (hall_save checks it).
    readonly_fields = ["edit_in_console", "fair", "columns", "rows"]

    @admin.display(description=_("展位与平面图"))
    def edit_in_console(self, obj):
        return console_link(
            "fairs:console_floor",
            _("在控制台平面图编辑器中修改展位（检查重叠与预订）"),
            obj.fair.event_id if obj else None,
        )

    def has_add_permission(self, request):
        return False


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
class PositionAdmin(AuditedAdmin):
    audit_prefix = "fair.position"
    list_display = ["title", "company", "discipline", "headcount", "deadline"]
    search_fields = ["title", "company__name"]


@admin.register(BoothVisit)
class BoothVisitAdmin(admin.ModelAdmin):
    list_display = ["company", "fair", "shared", "first_seen_at", "scans"]
    list_select_related = ["company", "fair__event"]
    # Who visited is personal: the admin list shows the company side only.
    exclude = ["note", "visitor"]
    readonly_fields = [
        "fair",
        "company",
        "booth",
        "ticket_id",
        "shared",
        "scanned_by",
        "first_seen_at",
        "last_seen_at",
        "scans",
        "rating",
    ]

    def has_add_permission(self, request):
        return False
