from typing import Any

from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian.accounts.models import ApiToken, RoleAssignment, User
from fangxian.core.admin import ScopedAdmin, ScopedInline, admin_site
from fangxian.core.audit import audit_record
from fangxian.core.models import AuditAction


class RoleAssignmentInline(ScopedInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    # A user without a role would be outside every jurisdiction, including the administrator's.
    min_num = 1
    validate_min = True
    raw_id_fields = ("household",)
    fields = ("role", "area_code", "household", "active")


class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "is_active", "last_login")
    search_fields = ("username", "display_name")
    inlines = [RoleAssignmentInline]
    fieldsets = ((None, {"fields": ("username", "password", "display_name", "email", "is_active")}),)
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "display_name")}),)


class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "area_code", "active")
    list_filter = ("role", "active")
    raw_id_fields = ("user", "household")


class ApiTokenAdmin(ScopedAdmin):
    list_display = ("name", "prefix", "user", "area_code", "created_at", "revoked_at")
    readonly_fields = ("prefix", "secret_hash", "last_used_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TOTPDeviceAdmin(ScopedAdmin):
    """Reset a lost authenticator: delete the device, and the user enrols a new one at next login."""

    list_display = ("user", "name", "confirmed")
    fields = ("user", "name", "confirmed")
    readonly_fields = ("user", "name", "confirmed")

    def get_queryset(self, request: HttpRequest):
        users = User.objects.visible_to(request.actor).values("pk")
        return TOTPDevice.objects.filter(user__in=users).select_related("user")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        user = obj.user
        super().delete_model(request, obj)
        audit_record(AuditAction.OTP_RESET, actor=request.actor, obj=user, object_label=user.username,
                     area_code=min((a.area_code for a in user.active_assignments()), key=len, default=""))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for device in queryset:
            self.delete_model(request, device)


admin_site.register(User, UserAdmin)
admin_site.register(RoleAssignment, RoleAssignmentAdmin)
admin_site.register(ApiToken, ApiTokenAdmin)
admin_site.register(TOTPDevice, TOTPDeviceAdmin)
