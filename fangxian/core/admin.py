"""Django admin for administrators, scoped like every other page.

Only actors holding the administrator role get in (is_staff alone is not enough), and every
change list goes through `visible_to`, so an administrator of one street sees that street only.
Personal fields show masked and cannot be edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fangxian.core.models import AuditEvent


class FangxianAdminSite(admin.AdminSite):
    site_header = "fangxian"
    site_title = "fangxian"

    def has_permission(self, request: HttpRequest) -> bool:
        actor = getattr(request, "actor", None)
        return bool(actor is not None and actor.is_authenticated and actor.can("admin.access"))


admin_site = FangxianAdminSite(name="admin")


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).visible_to(request.actor)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)


class AuditEventAdmin(ScopedAdmin):
    list_display = ("at", "actor_label", "action", "object_label", "area_code", "source_ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_label", "area_code")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin_site.register(AuditEvent, AuditEventAdmin)
