"""Admin edits leave an audit entry like every other change (issue 17).

The admin is a back door for staff: whatever it still lets them change is written to the audit
trail with the fields that changed, by whom. Fields whose changes have side effects (seats and
the waiting list, calendars, notices) are read-only there and edited in the console, where the
services apply those side effects.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_log


class AuditedAdmin(admin.ModelAdmin):
    """save_model / delete_model with an audit entry `<audit_prefix>.admin_{create,update,delete}`."""

    audit_prefix = ""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_log(
                actor=request.user,
                action=f"{self.audit_prefix}.admin_{'update' if change else 'create'}",
                target=obj,
                data={"changed": sorted(form.changed_data)},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_log(actor=request.user, action=f"{self.audit_prefix}.admin_delete", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit_log(actor=request.user, action=f"{self.audit_prefix}.admin_delete", target=obj)
            super().delete_queryset(request, queryset)


class ReadOnlyInline:
    """An inline that shows rows without letting the admin add, change or delete them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def console_link(url_name: str, label, *args):
    if not args or args[0] is None:
        return "–"
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=args), label)


console_link.short_description = _("控制台")
