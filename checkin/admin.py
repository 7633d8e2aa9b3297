"""Admin views of checkin's data. Keys: rotate (a new key signs from now on) or retire (codes
signed with it stop verifying) through the services, never by editing rows."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events.admin_audit import AuditedAdmin

from .keys import signing_key_create, signing_key_retire
from .models import Checkin, CheckinList, Scan, ScannerDevice, SigningKey, Ticket


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "created_at", "retired_at"]
    list_filter = ["retired_at"]
    fields = ["event", "created_at", "retired_at"]
    readonly_fields = fields
    actions = ["rotate", "retire"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("轮换：为所选密钥的活动生成新密钥"))
    def rotate(self, request, queryset):
        for event_id in set(queryset.values_list("event_id", flat=True)):
            signing_key_create(event_id=event_id, actor=request.user)
        messages.success(request, _("已生成新密钥。"))

    @admin.action(description=_("停用所选密钥（用其签发的票码立即失效）"))
    def retire(self, request, queryset):
        with transaction.atomic():
            for key in queryset:
                signing_key_retire(key=key, actor=request.user)
        messages.success(request, _("密钥已停用。"))


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "registration", "created_at"]
    raw_id_fields = ["registration", "event"]
    readonly_fields = ["registration", "event", "created_at"]


@admin.register(CheckinList)
class CheckinListAdmin(AuditedAdmin):
    audit_prefix = "checkin.list"
    list_display = ["name", "event", "session", "opens_minutes_before", "allow_reentry"]
    raw_id_fields = ["event", "session"]


@admin.register(ScannerDevice)
class ScannerDeviceAdmin(AuditedAdmin):
    audit_prefix = "checkin.device"
    list_display = ["name", "paired_at", "revoked_at", "last_seen_at"]
    exclude = ["token_hash", "pairing_code_hash"]
    readonly_fields = ["paired_at", "revoked_at", "last_seen_at", "created_by", "created_at"]


@admin.register(Checkin)
class CheckinAdmin(admin.ModelAdmin):
    list_display = ["ticket", "checkin_list", "scanned_at", "gate", "offline"]
    list_filter = ["offline"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ["received_at", "result", "flagged", "gate", "offline", "event"]
    list_filter = ["result", "flagged", "offline"]

    def has_change_permission(self, request, obj=None):
        return False
