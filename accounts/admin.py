from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, CandidateProfile, Company, CompanyMembership, User

# The admin's own login form had no rate limit (15 wrong passwords, then the right one, got in).
# Signing in goes through the site's login (allauth: its rate limits, and the same form for
# everyone); the admin then only checks that the person is active staff.
admin.site.login = secure_admin_login(admin.site.login)

# Fields that give power: nobody edits their own, and only a superuser edits anyone's.
POWER_FIELDS = ["is_superuser", "is_staff", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("个人信息"), {"fields": ["name", "role", "language"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.pk == request.user.pk or not request.user.is_superuser):
            fields += [f for f in POWER_FIELDS if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        # The read-only fields above are the interface; this is the rule, whatever was posted.
        if (change and not request.user.is_superuser) or obj.pk == request.user.pk:
            before = User.objects.filter(pk=obj.pk).values("is_superuser", "is_staff").first()
            if before and (
                (obj.is_superuser and not before["is_superuser"]) or (obj.is_staff and not before["is_staff"])
            ):
                raise PermissionDenied
        if not change and obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.register(CandidateProfile)
class CandidateProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "degree", "postdoc_status", "institution", "discipline", "consent_share"]
    list_filter = ["degree", "postdoc_status", "consent_share"]
    search_fields = ["full_name", "user__email", "institution", "research_field"]
    raw_id_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = CompanyMembership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "industry", "platform_kind", "status", "verified_at"]
    list_filter = ["status", "industry", "platform_kind"]
    search_fields = ["name", "credit_code"]
    inlines = [MembershipInline]
    readonly_fields = ["verified_at", "verified_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["target_repr", "actor__email"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the trail is evidence: not even a superuser deletes it here
