"""Pages of directives: the list (sent by my office / to my community) with roll-ups for officials,
the send form, and a directive with its compliance table (officials) or the acknowledge and
report form (communities)."""

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

from fangxian.areas.models import Area
from fangxian.command.forms_directives import DirectiveReportForm, DirectiveSendForm
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import Directive, DirectiveAttachment, DirectiveRecipient
from fangxian.command.selectors.directives import (
    DIRECTIVE_BOXES,
    directive_attachments,
    directive_compliance,
    directive_compliance_totals,
    directive_copy_for,
    directive_list_narrow,
    directive_rollup,
    directive_rollup_area,
)
from fangxian.command.services.directives import (
    directive_acknowledge,
    directive_remind,
    directive_remind_message,
    directive_report,
    directive_send,
)
from fangxian.command.views.tasks import apply_error, attachment_response, error_messages
from fangxian.core.areacode import AREA_CODE_RE, LEVEL_LENGTHS
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.scoping import Actor
from fangxian.core.uploads import upload_error, upload_limited
from fangxian.core.views import ActorRequiredMixin, ScopedDetailView, ScopedListView, leak_exempt

BOX_LABELS = {
    "all": gettext_lazy("All"),
    "sent": gettext_lazy("Sent by my office"),
    "received": gettext_lazy("To my community"),
}


def _community_codes(actor: Actor) -> list[str]:
    return sorted({g.area_code for g in actor.grants if len(g.area_code) == 12})


class DirectiveListView(ScopedListView):
    """Directives I see, with their compliance (officials) or my community's answer (communities)."""

    model = Directive
    capability = "directive.view"
    template_name = "command/directives/list.html"
    paginate_by = 30

    def box(self) -> str:
        box = self.request.GET.get("box", "all")
        return box if box in DIRECTIVE_BOXES else "all"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return directive_list_narrow(queryset, actor=self.request.actor, box=self.box())

    def rollup_area(self) -> str | None:
        actor = self.request.actor
        code = self.request.GET.get("area", "")
        if code and AREA_CODE_RE.match(code) and len(code) in LEVEL_LENGTHS[:4] and actor.reaches(code):
            return code
        return directive_rollup_area(actor=actor)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        directives = list(context["object_list"])
        ids = [d.pk for d in directives]
        totals = directive_compliance_totals(actor=actor, directive_ids=ids)
        communities = _community_codes(actor)
        copies = {}
        if communities:
            for copy in DirectiveRecipient.objects.visible_to(actor).filter(
                directive_id__in=ids, area_code__in=communities
            ):
                copies.setdefault(copy.directive_id, copy)
        context["rows"] = [{"directive": d, "totals": totals.get(d.pk), "copy": copies.get(d.pk)} for d in directives]
        context["box"] = self.box()
        context["boxes"] = [{"key": key, "label": BOX_LABELS[key]} for key in DIRECTIVE_BOXES]
        context["can_send"] = actor.can("directive.send")
        area = self.rollup_area()
        if area and context["can_send"]:
            context["rollup"] = directive_rollup(actor=actor, area_code=area)
            context["rollup_area"] = Area.objects.visible_to(actor).filter(code=area).first()
        return context


class DirectiveDetailView(ScopedDetailView):
    model = Directive
    capability = "directive.view"
    template_name = "command/directives/detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("sent_by", "emergency")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(directive_context(self.request, self.object))
        return context


def directive_context(request: HttpRequest, directive: Directive, **extra: Any) -> dict[str, Any]:
    actor = request.actor
    copy = directive_copy_for(actor=actor, directive=directive)
    compliance = directive_compliance(actor=actor, directive=directive)
    is_sender_side = actor.can("directive.send") and actor.reaches(directive.area_code)
    return {
        "directive": directive,
        "object": directive,
        "sender_area": Area.objects.filter(code=directive.area_code).only("code", "name").first(),
        "attachments": list(directive_attachments(actor=actor, directive=directive)),
        "compliance": compliance,
        "show_compliance": actor.can("directive.send"),
        "can_remind": is_sender_side and compliance["laggards"] > 0,
        "copy": copy,
        "can_respond": copy is not None and actor.can("directive.respond"),
        "report_form": DirectiveReportForm(initial={"community_code": copy.area_code if copy else ""}),
        **extra,
    }


def _load(request: HttpRequest, pk: int) -> Directive:
    if not request.actor.can("directive.view"):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    return Directive.objects.get_visible(request.actor, pk=pk)


def _answer(request: HttpRequest, directive: Directive, error: Exception | None, success: str, **extra: Any):
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    if request.htmx:
        context = directive_context(request, directive, errors=error_messages(error) if error else [], **extra)
        if not error:
            context["success"] = success
        return render(request, "command/directives/_respond.html", context)
    if error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("command:directive_detail", pk=directive.pk)


@leak_exempt("POST only; the directive and the community's copy are loaded through visible_to (404 elsewhere)")
def directive_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("command:directive_detail", pk=pk)
    directive = _load(request, pk)
    error: Exception | None = None
    try:
        directive_acknowledge(
            actor=request.actor, directive=directive, community_code=request.POST.get("community_code", "")[:12] or None
        )
    except (DomainError, ValidationError) as caught:
        error = caught
    return _answer(request, directive, error, _("Acknowledged."))


@leak_exempt("POST only; the directive and the community's copy are loaded through visible_to (404 elsewhere)")
def directive_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("command:directive_detail", pk=pk)
    directive = _load(request, pk)
    form = DirectiveReportForm(request.POST)
    error: Exception | None = None
    if not form.is_valid():
        error = DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors), code="invalid")
    else:
        try:
            directive_report(
                actor=request.actor,
                directive=directive,
                text=form.cleaned_data["text"],
                community_code=form.cleaned_data["community_code"] or None,
            )
        except (DomainError, ValidationError) as caught:
            error = caught
    report_text = request.POST.get("text", "")[:20000] if error else ""
    return _answer(request, directive, error, _("Report sent."), report_text=report_text)


@leak_exempt("POST only; the directive is loaded through visible_to and reminding needs the sender's reach")
def directive_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("command:directive_detail", pk=pk)
    directive = _load(request, pk)
    try:
        count = directive_remind(actor=request.actor, directive=directive)
    except DomainPermissionDenied as error:
        raise DjangoPermissionDenied(str(error.message)) from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, directive_remind_message(count))
    return redirect("command:directive_detail", pk=pk)


@leak_exempt("form that writes through directive_send, which checks every community against the actor's reach")
class DirectiveSendView(ActorRequiredMixin, View):
    capability = "directive.send"
    template_name = "command/directives/send.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": DirectiveSendForm(actor=request.actor)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DirectiveSendForm(request.POST, request.FILES, actor=request.actor)
        if upload_error(request):
            form.is_valid()
            form.add_error("attachments", str(upload_error(request).message))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                directive = directive_send(
                    actor=request.actor,
                    title=data["title"],
                    body=data["body"],
                    deadline=data["deadline"],
                    report_required=data["report_required"],
                    community_codes=form.community_codes(),
                    area_code=data["area_code"],
                    attachments=data["attachments"],
                    emergency=data["emergency"],
                )
            except (DomainError, ValidationError) as error:
                if isinstance(error, DomainPermissionDenied):
                    raise DjangoPermissionDenied(str(error.message)) from None
                renamed = {"community_codes": "communities", "file": "attachments"}
                if getattr(error, "field", None) in renamed:
                    error.field = renamed[error.field]
                apply_error(form, error)
            else:
                messages.success(request, _("The directive was sent."))
                return redirect("command:directive_detail", pk=directive.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class DirectiveAttachmentDownloadView(ScopedDetailView):
    """A directive's file, for the sender's area and the communities it went to; 404 for others."""

    model = DirectiveAttachment
    capability = "directive.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return attachment_response(self.get_object())


register_nav(NavItem(gettext_lazy("Directives"), "command:directive_list", "directive.view", 25, group=COMMAND_MENU))

urlpatterns = [
    path("directives/", DirectiveListView.as_view(), name="directive_list"),
    path("directives/new/", upload_limited(DirectiveSendView.as_view()), name="directive_send"),
    path("directives/<int:pk>/", DirectiveDetailView.as_view(), name="directive_detail"),
    path("directives/<int:pk>/acknowledge/", directive_acknowledge_view, name="directive_acknowledge"),
    path("directives/<int:pk>/report/", directive_report_view, name="directive_report"),
    path("directives/<int:pk>/remind/", directive_remind_view, name="directive_remind"),
    path("directives/files/<int:pk>/", DirectiveAttachmentDownloadView.as_view(), name="directive_attachment"),
]
