"""Django admin for administrators, scoped like every other page.

Only actors holding the administrator role get in (is_staff alone is not enough), and the admin
has no login page of its own: it sends people to fangxian's login, with its lock-out, second factor
and audit. Every change list goes through `visible_to`, and every save is checked the same way: an
administrator of one street can neither see nor write anything outside that street (a form
naming an area outside it fails validation). Personal data has no admin pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor


class FangxianAdminSite(admin.AdminSite):
    site_header = "fangxian"
    site_title = "fangxian"

    def has_permission(self, request: HttpRequest) -> bool:
        actor = getattr(request, "actor", None)
        return bool(actor is not None and actor.is_authenticated and actor.can("admin.access"))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


admin_site = FangxianAdminSite(name="admin")


def _scope_codes(form: forms.ModelForm) -> list[str]:
    """Area codes a submitted admin form would write: `area_code`, or `code` for areas."""
    data = form.cleaned_data
    return [str(data[name]) for name in ("area_code", "code") if data.get(name)]


def scoped_form(form_class: type[forms.ModelForm], actor: Actor) -> type[forms.ModelForm]:
    """The admin's form, refusing any area outside the administrator's jurisdiction."""

    class ScopedForm(form_class):
        def clean(self) -> dict[str, Any]:
            data = super().clean()
            for code in _scope_codes(self):
                if not actor.reaches(code):
                    raise forms.ValidationError(_("Area %(code)s is outside your jurisdiction.") % {"code": code})
            return data

    ScopedForm.__name__ = form_class.__name__
    return ScopedForm


class _AdminAccess:
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)


class ScopedAdmin(_AdminAccess, admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).visible_to(request.actor)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        return scoped_form(super().get_form(request, obj, change=change, **kwargs), request.actor)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)


class ScopedInline(_AdminAccess, admin.TabularInline):
    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).visible_to(request.actor)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form(formset.form, request.actor)
        return formset


class AuditEventAdmin(ScopedAdmin):
    list_display = ("at", "actor_label", "action", "object_label", "area_code", "source_ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_label", "area_code")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin_site.register(AuditEvent, AuditEventAdmin)
