"""Read-mostly admin views: what was told to whom, and whether the e-mail went out."""

from django.contrib import admin

from .models import Announcement, EmailDelivery, Notification, Preference, ReminderSent


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "title")
    raw_id_fields = ("user", "announcement")
    readonly_fields = ("user", "kind", "context", "title", "body", "url", "target", "announcement", "created_at")
    date_hierarchy = "created_at"


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status",)
    raw_id_fields = ("notification",)
    readonly_fields = ("notification", "attempts", "last_error", "created_at", "claimed_at", "sent_at")


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("created_at", "target", "segment", "author", "recipients", "emails_queued")
    readonly_fields = ("target", "segment", "author", "body", "recipients", "emails_queued", "created_at")


admin.site.register(Preference, list_display=("user", "kind", "email"), raw_id_fields=("user",))
admin.site.register(ReminderSent, list_display=("sent_at", "user", "key", "offset"), raw_id_fields=("user",))
