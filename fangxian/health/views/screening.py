"""Health pages, screening lists (协查名单): send a list, follow its completion, check and answer entries.

An official uploads a list and follows it per community (overdue highlighted), works the queue of
unmatched entries and exports the answers upward. Grid and community workers open their entries
from the task inbox or from "Screening checks" and answer each in one form on the phone.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.exports import safe_workbook
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.uploads import upload_error, upload_limit_bytes, upload_limited
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt
from fangxian.health.forms_screening import ScreeningAnswerForm, ScreeningListUploadForm, ScreeningRouteForm
from fangxian.health.importing import COLUMNS, template_rows
from fangxian.health.menu import HEALTH_MENU
from fangxian.health.models import EntryStatus, ScreeningEntry, ScreeningList
from fangxian.health.selectors.screening import (
    ENTRY_VIEWS,
    screening_entries_narrow,
    screening_entry_candidates,
    screening_progress,
)
from fangxian.health.services.screening import (
    screening_entry_answer,
    screening_entry_route,
    screening_list_export_xlsx,
    screening_list_import,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOW_LABELS = {
    "open": gettext_lazy("To check"),
    "overdue": gettext_lazy("Overdue"),
    "queue": gettext_lazy("Not routed"),
    "answered": gettext_lazy("Answered"),
    "all": gettext_lazy("All"),
}


def _domain_to_http(error: DomainError) -> None:
    if isinstance(error, DomainPermissionDenied):
        raise PermissionDenied(str(error.message)) from None
    if error.status == 404:
        raise Http404(str(error.message)) from None


class ScreeningListListView(ScopedListView):
    """The lists sent over the official's jurisdiction, newest first, with their deadline."""

    model = ScreeningList
    capability = "screening.send"
    template_name = "health/screening/list_list.html"
    paginate_by = 30

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()
        return context


class ScreeningListDetailView(ScopedDetailView):
    """One list: completion per community, overdue ones highlighted, the queue and the export."""

    model = ScreeningList
    capability = "screening.send"
    template_name = "health/screening/list_detail.html"
    context_object_name = "screening_list"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["progress"] = screening_progress(actor=self.request.actor, screening_list=self.object)
        context["row_problems"] = self.request.session.pop(f"screening_problems_{self.object.pk}", [])
        context["can_reveal"] = self.request.actor.can("personal.reveal")
        return context


class ScreeningEntryListView(ScopedListView):
    """Entries to check in my area (grid and community staff) or of a list (officials), filtered by state."""

    model = ScreeningEntry
    capability = "health.view"
    template_name = "health/screening/entry_list.html"
    paginate_by = 50

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        show = self.request.GET.get("show", "open")
        self.show = show if show in ENTRY_VIEWS else "open"
        raw_list = self.request.GET.get("list", "")
        self.list_id = int(raw_list) if raw_list.isdigit() and len(raw_list) < 15 else None
        entries = screening_entries_narrow(queryset, list_id=self.list_id, show=self.show)
        return entries.select_related("screening_list").order_by(
            "screening_list__deadline", "screening_list_id", "row_number", "id"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["views"] = list(SHOW_LABELS.items())
        context["show"] = self.show
        context["list_id"] = self.list_id
        context["now"] = timezone.now()
        return context


class ScreeningEntryDetailView(ScopedDetailView):
    """One person to check: who, why, by when, whom they matched; the answer form and, in the queue, routing."""

    model = ScreeningEntry
    capability = "health.view"
    template_name = "health/screening/entry_detail.html"
    context_object_name = "entry"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("screening_list", "resident__household", "answered_by", "task")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = self.object
        actor = self.request.actor
        in_queue = entry.status == EntryStatus.OPEN and entry.area_code == entry.screening_list.area_code
        context["overdue"] = entry.status == EntryStatus.OPEN and entry.screening_list.deadline < timezone.now()
        context["can_answer"] = actor.can("screening.answer")
        context["answer_form"] = ScreeningAnswerForm(
            initial={"outcome": entry.outcome, "measure": entry.measure or "none", "note": entry.answer_note}
        )
        context["can_route"] = in_queue and actor.can("screening.send")
        if context["can_route"]:
            context["route_form"] = ScreeningRouteForm()
            context["candidates"] = screening_entry_candidates(actor=actor, entry=entry)
        context["can_reveal"] = actor.can("personal.reveal")
        return context


@leak_exempt("the template holds no rows")
@login_required
def screening_template(request: HttpRequest) -> HttpResponse:
    if not request.actor.can("screening.send"):
        raise PermissionDenied(_("Your role may not send screening lists."))
    output = io.BytesIO()
    workbook = safe_workbook(output, in_memory=True)
    sheet = workbook.add_worksheet(str(_("Screening list"))[:31])
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    for column, heading in enumerate(template_rows()):
        sheet.write_string(0, column, heading, bold)
        sheet.set_column(column, column, 22, text)
    sheet.write_comment(0, 1, str(COLUMNS["id_number"][0]) + ": " + _("format the column as text"))
    workbook.close()
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename="screening-list-template.xlsx", content_type=XLSX)


def _sender_areas(request: HttpRequest) -> list[Area]:
    codes = list(request.actor.personal_prefixes)
    return list(Area.objects.visible_to(request.actor).filter(code__in=codes).order_by("code"))


@leak_exempt("the form lists only the actor's own areas; the list is written by screening_list_import")
@upload_limited
def screening_list_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated or not request.actor.is_authenticated:
        return redirect("accounts:login")
    if not request.actor.can("screening.send"):
        raise PermissionDenied(_("Your role may not send screening lists."))
    areas = _sender_areas(request)
    too_large = upload_error(request) if request.method == "POST" else None
    form = ScreeningListUploadForm(
        None if too_large else (request.POST or None), None if too_large else (request.FILES or None), areas=areas
    )
    context: dict[str, Any] = {"form": form, "areas": areas}
    if too_large:
        form.is_bound = False
        context["problem"] = too_large.message
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > upload_limit_bytes():
            form.add_error("file", _("The file is too large."))
        else:
            try:
                outcome = screening_list_import(
                    actor=request.actor,
                    title=form.cleaned_data["title"],
                    deadline=form.cleaned_data["deadline"],
                    area_code=form.cleaned_data["area_code"],
                    source=form.cleaned_data["source"],
                    data=upload.read(),
                    name=upload.name,
                )
            except DomainError as error:
                _domain_to_http(error)
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
                context["row_problems"] = error.params.get("problems", [])
            else:
                created = outcome.screening_list
                messages.success(
                    request,
                    _("The list was sent: %(matched)d of %(total)d people found in the register.")
                    % {"matched": created.matched_count, "total": created.entries_count},
                )
                if outcome.problems:
                    request.session[f"screening_problems_{created.pk}"] = [
                        (p.row_number, p.message) for p in outcome.problems[:500]
                    ]
                return redirect("health:screening_list_detail", pk=created.pk)
    return render(request, "health/screening/list_new.html", context)


@leak_exempt("streams an export written by screening_list_export_xlsx, which reads through visible_to")
@login_required
def screening_list_export(request: HttpRequest, pk: int) -> HttpResponse:
    # Full numbers only by POST (a reason is given; nothing personal travels in a URL).
    unmasked = request.method == "POST" and request.POST.get("unmasked") == "1"
    params = request.POST if request.method == "POST" else request.GET
    output = io.BytesIO()
    try:
        screening_list_export_xlsx(
            actor=request.actor,
            list_id=pk,
            output=output,
            unmasked=unmasked,
            reason=params.get("reason", "")[:500],
            answered_only=params.get("all") != "1",
        )
    except DomainError as error:
        _domain_to_http(error)
        messages.error(request, str(error.message))
        return redirect("health:screening_list_detail", pk=pk)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=f"screening-{pk}.xlsx", content_type=XLSX)


@leak_exempt("POST only: answers through screening_entry_answer, which reads the entry through visible_to")
@require_POST
def screening_entry_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated or not request.actor.is_authenticated:
        return redirect("accounts:login")
    if not request.actor.can("screening.answer"):
        raise PermissionDenied(_("Your role may not answer screening lists."))
    form = ScreeningAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what was found and a measure."))
        return redirect("health:screening_entry_detail", pk=pk)
    try:
        screening_entry_answer(actor=request.actor, entry_id=pk, **form.cleaned_data)
    except DomainError as error:
        _domain_to_http(error)
        messages.error(request, str(error.message))
        return redirect("health:screening_entry_detail", pk=pk)
    messages.success(request, _("The answer was saved."))
    return redirect(f"{_entries_url()}?show=open")


def _entries_url() -> str:
    from django.urls import reverse

    return reverse("health:screening_entries")


@leak_exempt("POST only: routes through screening_entry_route, which reads the entry through visible_to")
@require_POST
def screening_entry_route_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated or not request.actor.is_authenticated:
        return redirect("accounts:login")
    if not request.actor.can("screening.send"):
        raise PermissionDenied(_("Your role may not send screening lists."))
    form = ScreeningRouteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("health:screening_entry_detail", pk=pk)
    try:
        entry = screening_entry_route(
            actor=request.actor,
            entry_id=pk,
            resident_id=form.cleaned_data["resident_id"],
            area_code=form.cleaned_data["area_code"] or "",
        )
    except DomainError as error:
        _domain_to_http(error)
        messages.error(request, str(error.message))
        return redirect("health:screening_entry_detail", pk=pk)
    messages.success(request, _("The entry was sent to %(area)s with a task.") % {"area": entry.area_code})
    return redirect(f"{_entries_url()}?show=queue&list={entry.screening_list_id}")


register_nav(
    NavItem(gettext_lazy("Screening lists"), "health:screening_lists", "screening.send", 63, group=HEALTH_MENU),
    NavItem(gettext_lazy("Screening checks"), "health:screening_entries", "screening.answer", 64, group=HEALTH_MENU),
)

urlpatterns = [
    path("screening/", ScreeningListListView.as_view(), name="screening_lists"),
    path("screening/new/", screening_list_new, name="screening_list_new"),
    path("screening/template.xlsx", screening_template, name="screening_template"),
    path("screening/<int:pk>/", ScreeningListDetailView.as_view(), name="screening_list_detail"),
    path("screening/<int:pk>/export.xlsx", screening_list_export, name="screening_list_export"),
    path("screening/entries/", ScreeningEntryListView.as_view(), name="screening_entries"),
    path("screening/entries/<int:pk>/", ScreeningEntryDetailView.as_view(), name="screening_entry_detail"),
    path("screening/entries/<int:pk>/answer/", screening_entry_answer_view, name="screening_entry_answer"),
    path("screening/entries/<int:pk>/route/", screening_entry_route_view, name="screening_entry_route"),
]
