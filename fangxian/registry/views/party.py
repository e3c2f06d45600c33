"""Registry: party members reporting to their home community (pages).

Community staff register party members, see who is available with which skills, and give them
tasks that land in their command inbox.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fangxian.accounts.models import User
from fangxian.core.errors import DomainError
from fangxian.core.exports import ExportColumn
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ActorRequiredMixin, ScopedDetailView, ScopedListView, leak_exempt
from fangxian.registry import capabilities_care  # noqa: F401  (party.* capabilities)
from fangxian.registry.forms_party import PartyJoinForm, PartyMemberForm, PartyMemberStatusForm, PartyTaskForm
from fangxian.registry.menu import REGISTRY_MENU
from fangxian.registry.models.party import PartyMember, PartyMemberStatus
from fangxian.registry.selectors.party import party_member_list, party_member_tasks
from fangxian.registry.services.party import (
    party_member_assign_task,
    party_member_join,
    party_member_register,
    party_member_update,
)
from fangxian.registry.views.care import apply_error


class PartyMemberListView(ScopedListView):
    """Party members of the jurisdiction; filter by status and by a skill."""

    model = PartyMember
    capability = "party.view"
    template_name = "registry/party/member_list.html"
    export_name = "party-members"
    export_capability = "party.manage"
    export_columns = [
        ExportColumn(gettext_lazy("Full name"), lambda m: m.name),
        ExportColumn(gettext_lazy("Grid code"), lambda m: m.area_code),
        ExportColumn(gettext_lazy("Employer's party branch"), lambda m: m.branch),
        ExportColumn(gettext_lazy("Employer"), lambda m: m.employer),
        ExportColumn(gettext_lazy("Availability"), lambda m: m.get_availability_display()),
        ExportColumn(gettext_lazy("Skills"), lambda m: m.skills),
        ExportColumn(gettext_lazy("Status"), lambda m: m.get_status_display()),
        ExportColumn(gettext_lazy("Registered on"), lambda m: m.registered_on),
    ]

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        status = self.request.GET.get("status", "")
        status = status if status in PartyMemberStatus.values else ""
        members = party_member_list(actor=self.request.actor, status=status, query=self.request.GET.get("q", "")[:50])
        return queryset.filter(pk__in=members.values("pk")).order_by("area_code", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["statuses"] = PartyMemberStatus.choices
        context["status"] = self.request.GET.get("status", "")
        context["q"] = self.request.GET.get("q", "")[:50]
        context["can_manage"] = self.request.actor.can("party.manage")
        return context


class PartyMemberDetailView(ScopedDetailView):
    """One party member: branch, availability, skills, their tasks; forms to change status or give a task."""

    model = PartyMember
    capability = "party.view"
    template_name = "registry/party/member_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["member"] = self.object
        context["tasks"] = list(party_member_tasks(actor=actor, member=self.object)[:20])
        context["can_manage"] = actor.can("party.manage")
        context.setdefault("status_form", PartyMemberStatusForm(initial={"status": self.object.status}))
        context.setdefault("task_form", PartyTaskForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.actor.can("party.manage"):
            raise DjangoPermissionDenied(_("Your role may not change party members."))
        if request.POST.get("action") == "status":
            form = PartyMemberStatusForm(request.POST)
            if form.is_valid():
                try:
                    party_member_update(actor=request.actor, member=self.object, status=form.cleaned_data["status"])
                except (DomainError, ValidationError) as error:
                    apply_error(form, error)
                else:
                    messages.success(request, _("The status was changed."))
                    return redirect("registry:party_member", pk=self.object.pk)
            return self.render_to_response(self.get_context_data(status_form=form), status=400)
        form = PartyTaskForm(request.POST)
        if form.is_valid():
            try:
                party_member_assign_task(
                    actor=request.actor,
                    member=self.object,
                    title=form.cleaned_data["title"],
                    due_at=form.cleaned_data["due_at"],
                    description=form.cleaned_data["description"],
                )
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The task was sent to their inbox."))
                return redirect("registry:party_member", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(task_form=form), status=400)


@leak_exempt("form that writes through party_member_register, which checks the area against the actor's reach")
class PartyMemberCreateView(ActorRequiredMixin, View):
    capability = "party.manage"
    template_name = "registry/party/member_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": PartyMemberForm(initial={"area_code": ""})})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PartyMemberForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = None
            if data["username"]:
                user = User.objects.filter(username=data["username"], is_active=True).first()
                if user is None:
                    form.add_error("username", _("No such user account."))
            if not form.errors:
                try:
                    member = party_member_register(
                        actor=request.actor,
                        name=data["name"],
                        area_code=data["area_code"],
                        branch=data["branch"],
                        employer=data["employer"],
                        availability=data["availability"],
                        skills=data["skills"],
                        user=user,
                    )
                except (DomainError, ValidationError) as error:
                    apply_error(form, error)
                else:
                    messages.success(request, _("The party member was registered."))
                    return redirect("registry:party_member", pk=member.pk)
        return render(request, self.template_name, {"form": form}, status=400)


@leak_exempt("shows only the actor's own registration (PartyMember.scope_personal by user), or the form")
class PartyMemberJoinView(ActorRequiredMixin, View):
    """A party member living here reports home from their resident account (双报到)."""

    capability = "party.join"
    template_name = "registry/party/join.html"

    def own(self, request: HttpRequest) -> PartyMember | None:
        return PartyMember.objects.visible_to(request.actor).filter(user=request.user).first()

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"member": self.own(request), "form": PartyJoinForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PartyJoinForm(request.POST)
        if form.is_valid():
            try:
                party_member_join(actor=request.actor, **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Thank you: your community will confirm your registration."))
                return redirect("registry:party_join")
        return render(request, self.template_name, {"member": self.own(request), "form": form}, status=400)


register_nav(
    NavItem(gettext_lazy("Party members"), "registry:party_members", "party.view", 42, group=REGISTRY_MENU),
    NavItem(gettext_lazy("Report home as a party member"), "registry:party_join", "party.join", 90),
)

urlpatterns = [
    path("party/", PartyMemberListView.as_view(), name="party_members"),
    path("party/new/", PartyMemberCreateView.as_view(), name="party_member_create"),
    path("party/join/", PartyMemberJoinView.as_view(), name="party_join"),
    path("party/<int:pk>/", PartyMemberDetailView.as_view(), name="party_member"),
]
