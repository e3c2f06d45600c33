"""Checkpoints: pages of the passes part (routes collected by fangxian/checkpoints/urls.py).

Staff find a household, issue a pass for a member or the whole household, revoke one with a
reason, and print its card (PNG or print-friendly HTML). A resident opens `/checkpoints/my-pass/`
on their phone and shows the QR code at the gate: only their own household's passes are reachable
(`Pass.scope_personal`).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.areas.models import Household
from fangxian.checkpoints.forms import PassIssueForm, PassRevokeForm
from fangxian.checkpoints.menu import CHECKPOINTS_MENU
from fangxian.checkpoints.models import Pass
from fangxian.checkpoints.selectors import pass_get
from fangxian.checkpoints.services.cards import CardUnavailable, pass_card, pass_card_png
from fangxian.checkpoints.services.passes import pass_issue, pass_qr_svg, pass_revoke
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.personal import name_masked
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt
from fangxian.registry.models import Resident

PASS_STATES = {
    "active": gettext_lazy("In force"),
    "revoked": gettext_lazy("Revoked"),
    "expired": gettext_lazy("Expired"),
}
QUERY_LIMIT = 50


def apply_error(form: Any, error: Exception) -> None:
    """A service's error on the form: on its field when the form has it (403 stays a 403)."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
        return
    field = getattr(error, "field", None)
    field = {"resident_id": "resident", "reason": "reason", "days": "days"}.get(field or "", field)
    form.add_error(field if field in form.fields else None, str(getattr(error, "message", error)))


def pass_state(gate_pass: Pass, now=None) -> str:
    if gate_pass.revoked_at is not None:
        return "revoked"
    if gate_pass.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def filter_by_state(passes: QuerySet, state: str) -> QuerySet:
    now = timezone.now()
    if state == "active":
        return passes.filter(revoked_at__isnull=True, expires_at__gt=now)
    if state == "revoked":
        return passes.filter(revoked_at__isnull=False)
    if state == "expired":
        return passes.filter(revoked_at__isnull=True, expires_at__lte=now)
    return passes


class PassListView(ScopedListView):
    """Passes of the jurisdiction: in force, revoked or expired; search by building or room."""

    model = Pass
    capability = "pass.view"
    template_name = "checkpoints/passes/pass_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.state = self.request.GET.get("state", "")
        self.state = self.state if self.state in PASS_STATES else ""
        self.q = self.request.GET.get("q", "")[:QUERY_LIMIT].strip()
        passes = filter_by_state(queryset, self.state)
        if self.q:
            passes = passes.filter(
                Q(household__room__icontains=self.q)
                | Q(household__building__name__icontains=self.q)
                | Q(household__building__estate__icontains=self.q)
            )
        return passes.select_related("household__building", "household__unit", "resident").order_by("-issued_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["rows"] = [(p, pass_state(p, now)) for p in context["object_list"]]
        context["states"] = list(PASS_STATES.items())
        context["state"] = self.state
        context["q"] = self.q
        context["state_labels"] = PASS_STATES
        context["can_issue"] = self.request.actor.can("pass.issue")
        return context


class HouseholdSearchView(ScopedListView):
    """Find the household to issue a pass for: by building, estate or room."""

    model = Household
    capability = "pass.issue"
    template_name = "checkpoints/passes/household_search.html"
    paginate_by = 30

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.q = self.request.GET.get("q", "")[:QUERY_LIMIT].strip()
        households = queryset.select_related("building", "unit")
        if self.q:
            households = households.filter(
                Q(room__icontains=self.q) | Q(building__name__icontains=self.q) | Q(building__estate__icontains=self.q)
            )
        return households.order_by("area_code", "building__estate", "building__name", "unit__name", "room")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["q"] = self.q
        return context


class HouseholdPassesView(ScopedDetailView):
    """One household: its members, its passes, and the form to issue a new one."""

    model = Household
    capability = "pass.issue"
    template_name = "checkpoints/passes/household_passes.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("building", "unit")

    def members(self) -> list[Resident]:
        return list(
            Resident.objects.visible_to(self.request.actor)
            .filter(household=self.object, status="active")
            .order_by("id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        members = self.members()
        passes = list(
            Pass.objects.visible_to(self.request.actor)
            .filter(household=self.object)
            .select_related("resident")
            .order_by("-issued_at", "-id")[:30]
        )
        now = timezone.now()
        context["household"] = self.object
        context["members"] = members
        context["rows"] = [(p, pass_state(p, now)) for p in passes]
        context["state_labels"] = PASS_STATES
        context.setdefault("form", PassIssueForm(members=[(m.pk, m.name) for m in members]))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        members = self.members()
        form = PassIssueForm(request.POST, members=[(m.pk, m.name) for m in members])
        if form.is_valid():
            try:
                issued = pass_issue(
                    actor=request.actor,
                    household_id=self.object.pk,
                    resident_id=form.cleaned_data["resident"],
                    days=form.cleaned_data["days"],
                )
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The pass was issued. Print its card or let the household open it."))
                return redirect("checkpoints:pass_detail", pk=issued.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PassDetailView(ScopedDetailView):
    """One pass: holder, validity, the QR code, the card, and revoking it (immediate)."""

    model = Pass
    capability = "pass.view"
    template_name = "checkpoints/passes/pass_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("household__building", "household__unit", "resident", "revoked_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        gate_pass = self.object
        context["gate_pass"] = gate_pass
        context["state"] = pass_state(gate_pass)
        context["state_labels"] = PASS_STATES
        context["qr_svg"] = _safe_svg(pass_qr_svg(actor=self.request.actor, pass_id=gate_pass.pk))
        context["can_issue"] = self.request.actor.can("pass.issue")
        context.setdefault("revoke_form", PassRevokeForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = PassRevokeForm(request.POST)
        if form.is_valid():
            try:
                pass_revoke(actor=request.actor, pass_id=self.object.pk, reason=form.cleaned_data["reason"])
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The pass was revoked: its code is refused at every gate from now on."))
                return redirect("checkpoints:pass_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(revoke_form=form), status=400)


SVG_SIZE = re.compile(r'^<svg width="(\d+)" height="(\d+)"')


def _safe_svg(svg: str):
    """segno's inline SVG, built from the token alone (no user text), made to scale with its box.

    segno writes a fixed width and height and no viewBox; with a viewBox instead, the code fills
    the phone's width (a bigger code reads faster from a cracked screen in bad light).
    """
    from django.utils.safestring import mark_safe

    scalable = SVG_SIZE.sub(r'<svg viewBox="0 0 \1 \2" role="img" width="100%"', svg, count=1)
    return mark_safe(scalable)  # noqa: S308 - generated by segno from a signed token


class PassCardView(ScopedDetailView):
    """The print-friendly HTML card (CSS @media print): community, masked holder, room, validity, QR."""

    model = Pass
    capability = "pass.view"
    template_name = "checkpoints/passes/pass_card.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("household__building", "household__unit", "resident")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["card"] = pass_card(gate_pass=self.object)
        context["gate_pass"] = self.object
        context["qr_svg"] = _safe_svg(pass_qr_svg(actor=self.request.actor, pass_id=self.object.pk))
        return context


@leak_exempt(
    "an image, not a page: the pass is read through pass_get (visible_to); the scoped HTML card "
    "(PassCardView) is the same content and is what the leak test walks"
)
def pass_card_png_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The card as a PNG with Chinese text; without a CJK font, a clear page pointing to the HTML card."""
    if not request.user.is_authenticated or not request.actor.is_authenticated:
        return redirect("accounts:login")
    if not request.actor.can("pass.view"):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    gate_pass = pass_get(actor=request.actor, pass_id=pk)
    try:
        png = pass_card_png(pass_card(gate_pass=gate_pass))
    except CardUnavailable as error:
        context = {"message": str(error.message), "gate_pass": gate_pass}
        return render(request, "checkpoints/passes/pass_card_unavailable.html", context)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="pass-{gate_pass.pk}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


class MyPassView(ScopedListView):
    """The resident's phone page: their household's passes in force, each as a big QR code."""

    model = Pass
    capability = "pass.view"
    template_name = "checkpoints/passes/my_pass.html"
    paginate_by = 0

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        households = sorted(self.request.actor.household_ids)
        return (
            filter_by_state(queryset.filter(household_id__in=households), "active")
            .select_related("household__building", "household__unit", "resident")
            .order_by("resident_id", "-issued_at")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["cards"] = [
            {
                "pass": p,
                "holder": name_masked(p.resident.name) if p.resident_id else _("Whole household"),
                "qr_svg": _safe_svg(pass_qr_svg(actor=actor, pass_id=p.pk)),
            }
            for p in context["object_list"][:10]
        ]
        context["is_resident"] = bool(actor.household_ids)
        return context


register_nav(
    NavItem(gettext_lazy("Passes"), "checkpoints:passes", "pass.issue", 60, group=CHECKPOINTS_MENU),
    NavItem(gettext_lazy("My pass"), "checkpoints:my_pass", "household.own", 61, group=CHECKPOINTS_MENU),
)

urlpatterns = [
    path("passes/", PassListView.as_view(), name="passes"),
    path("passes/households/", HouseholdSearchView.as_view(), name="pass_households"),
    path("passes/households/<int:pk>/", HouseholdPassesView.as_view(), name="household_passes"),
    path("passes/<int:pk>/", PassDetailView.as_view(), name="pass_detail"),
    path("passes/<int:pk>/card/", PassCardView.as_view(), name="pass_card"),
    path("passes/<int:pk>/card.png", pass_card_png_view, name="pass_card_png"),
    path("my-pass/", MyPassView.as_view(), name="my_pass"),
]
