from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fangxian.accounts.models import ApiToken, RoleAssignment, User
from fangxian.core.admin import ScopedAdmin, admin_site


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    raw_id_fields = ("household",)


class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "is_active", "last_login")
    search_fields = ("username", "display_name")
    inlines = [RoleAssignmentInline]
    fieldsets = ((None, {"fields": ("username", "password", "display_name", "email", "is_active")}),)
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)


class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "area_code", "active")
    list_filter = ("role", "active")
    raw_id_fields = ("user", "household")


class ApiTokenAdmin(ScopedAdmin):
    list_display = ("name", "prefix", "user", "area_code", "created_at", "revoked_at")
    readonly_fields = ("prefix", "secret_hash", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False


admin_site.register(User, UserAdmin)
admin_site.register(RoleAssignment, RoleAssignmentAdmin)
admin_site.register(ApiToken, ApiTokenAdmin)
