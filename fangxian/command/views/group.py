"""Command app: the command group (pages): members, add/edit/deactivate, the printable roster."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangxian.areas.models import Area
from fangxian.command.forms_group import MemberForm
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import CommandGroupMember, Duty
from fangxian.command.selectors.group import group_member_get, group_member_user_choices
from fangxian.command.services.group import (
    group_member_add,
    group_member_deactivate,
    group_member_update,
    group_roster_export,
)
from fangxian.command.views.emergencies import actor_login_required, form_error, require_capability
from fangxian.core.areacode import AREA_CODE_RE
from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.scoping import Actor
from fangxian.core.views import ScopedListView, leak_exempt

COMMUNITY_LENGTH = 12


def _area_filter(request: HttpRequest) -> str:
    code = request.GET.get("area", "")
    return code if code and AREA_CODE_RE.match(code) else ""


def _managed_communities(actor: Actor) -> list[Area]:
    """The communities whose group the actor may change: its own communities as a commander."""
    return [
        area
        for area in Area.objects.visible_to(actor).filter(level=COMMUNITY_LENGTH).order_by("code")[:500]
        if actor.reaches(area.code)
    ]


class MemberListView(ScopedListView):
    """Members of the command groups the actor sees, per community, with duties and masked phones."""

    model = CommandGroupMember
    capability = "group.view"
    template_name = "command/group/member_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        code = _area_filter(self.request)
        if code:
            queryset = queryset.within(code)
        duty = self.request.GET.get("duty", "")
        if duty in Duty.values:
            queryset = queryset.filter(duty=duty)
        if self.request.GET.get("inactive") != "1":
            queryset = queryset.filter(active=True)
        return queryset.select_related("user").order_by("area_code", "order", "duty", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.actor.can("group.manage")
        context["duties"] = Duty.choices
        context["duty"] = self.request.GET.get("duty", "")
        context["inactive"] = self.request.GET.get("inactive") == "1"
        context["area"] = _area_filter(self.request)
        return context


class RosterView(ScopedListView):
    """The contact roster, one A4 page per community, phones in full (an audited export)."""

    model = CommandGroupMember
    capability = "group.view"
    template_name = "command/group/roster.html"
    paginate_by = None

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        code = _area_filter(self.request)
        return (queryset.within(code) if code else queryset).filter(active=True)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The pages come from the export service (scoped the same way), which records the export.
        context["pages"] = group_roster_export(actor=self.request.actor, area_code=_area_filter(self.request))
        context["full_phones"] = self.request.actor.can("personal.reveal")
        return context


def _member_form(request: HttpRequest, actor: Actor, *, member: CommandGroupMember | None = None) -> MemberForm:
    initial = {}
    if member is not None:
        initial = {
            "user": member.user_id,
            "name": member.name,
            "duty": member.duty,
            "duty_label": member.duty_label,
            "organisation": member.organisation,
            "organisation_kind": member.organisation_kind,
            "order": member.order,
        }
    return MemberForm(
        request.POST or None,
        initial=initial,
        areas=_managed_communities(actor),
        users=group_member_user_choices(actor=actor),
        editing=member is not None,
    )


def _values(form: MemberForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        name: data[name] for name in ("user", "name", "duty_label", "organisation", "organisation_kind", "phone")
    } | {"order": data.get("order") or 0}


@leak_exempt("form: writes through group_member_add, which refuses communities outside the actor's reach")
@actor_login_required
def member_add_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "group.manage")
    form = _member_form(request, actor)
    if request.method == "POST":
        if form.is_valid():
            try:
                group_member_add(
                    actor=actor,
                    area_code=form.cleaned_data["area_code"],
                    duty=form.cleaned_data["duty"],
                    **_values(form),
                )
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(request, _("Member added to the command group."))
                return redirect("command:group")
        return render(request, "command/group/member_form.html", {"form": form}, status=400)
    return render(request, "command/group/member_form.html", {"form": form})


@leak_exempt("form: the member is loaded through visible_to (404 elsewhere); covered by test_group_views")
@actor_login_required
def member_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "group.manage")
    member = group_member_get(actor=actor, member_id=pk)
    form = _member_form(request, actor, member=member)
    if request.method == "POST":
        if form.is_valid():
            try:
                group_member_update(actor=actor, member=member, duty=form.cleaned_data["duty"], **_values(form))
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(request, _("Member updated."))
                return redirect("command:group")
        return render(request, "command/group/member_form.html", {"form": form, "member": member}, status=400)
    return render(request, "command/group/member_form.html", {"form": form, "member": member})


@leak_exempt("POST only: deactivates a member loaded through visible_to (404 elsewhere)")
@actor_login_required
@require_POST
def member_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "group.manage")
    member = group_member_get(actor=actor, member_id=pk)
    try:
        group_member_deactivate(actor=actor, member=member)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(name)s is no longer in the command group.") % {"name": member.name})
    return redirect("command:group")


urlpatterns = [
    path("group/", MemberListView.as_view(), name="group"),
    path("group/roster/", RosterView.as_view(), name="group-roster"),
    path("group/add/", member_add_view, name="group-member-add"),
    path("group/<int:pk>/edit/", member_edit_view, name="group-member-edit"),
    path("group/<int:pk>/deactivate/", member_deactivate_view, name="group-member-deactivate"),
]

register_nav(NavItem(gettext_lazy("Command group"), "command:group", "group.view", 22, group=COMMAND_MENU))
