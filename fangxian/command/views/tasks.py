"""Pages of tasks: the inbox (phone first), a task with its history, comments and files, a new task.

Status buttons, comments and files post with htmx and swap their own section of the task page;
without JavaScript the same forms post normally and come back to the task.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fangxian.areas.models import Area
from fangxian.command.forms_tasks import TaskAttachmentForm, TaskCommentForm, TaskCreateForm, TaskStatusForm
from fangxian.command.models import DirectiveRecipient, Task, TaskAttachment
from fangxian.command.selectors.tasks import (
    INBOX_TABS,
    task_attachments,
    task_comments,
    task_history,
    task_inbox,
    task_inbox_narrow,
    tasks_assigned_by_overdue,
)
from fangxian.command.services.tasks import (
    DIRECTIVE_REF_PREFIX,
    task_attachment_add,
    task_comment_add,
    task_create,
    task_may_work_on,
    task_status_set,
)
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.scoping import Actor
from fangxian.core.uploads import upload_error, upload_limited
from fangxian.core.views import ActorRequiredMixin, ScopedDetailView, ScopedListView, leak_exempt

TAB_LABELS = {
    "todo": gettext_lazy("To do"),
    "open": gettext_lazy("New"),
    "accepted": gettext_lazy("Accepted"),
    "overdue": gettext_lazy("Overdue"),
    "done": gettext_lazy("Done"),
}


def error_messages(error: Exception) -> list[str]:
    """The person-readable messages of a service error (DomainError or a model's ValidationError)."""
    if isinstance(error, DomainError):
        return [str(error.message)]
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return [str(error)]


def apply_error(form: Any, error: Exception) -> None:
    """Show a service error on the form, on the field it names when the form has that field."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    field = getattr(error, "field", None)
    for message in error_messages(error):
        form.add_error(field if field in form.fields else None, message)


class TaskInboxView(ScopedListView):
    """My work, on a phone: tabs to do / new / accepted / overdue / done, each task one tap away."""

    model = Task
    capability = "task.view"
    template_name = "command/tasks/inbox.html"
    paginate_by = 30

    def tab(self) -> str:
        tab = self.request.GET.get("tab", "todo")
        return tab if tab in INBOX_TABS else "todo"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return task_inbox_narrow(queryset, actor=self.request.actor, tab=self.tab())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["tab"] = self.tab()
        context["tabs"] = [
            {
                "key": key,
                "label": TAB_LABELS[key],
                "count": task_inbox(actor=actor, tab=key).count() if key in ("todo", "overdue") else None,
            }
            for key in INBOX_TABS
        ]
        context["assigned_overdue"] = list(tasks_assigned_by_overdue(actor=actor)[:20])
        context["can_assign"] = actor.can("task.assign")
        return context


class TaskDetailView(ScopedDetailView):
    model = Task
    capability = "task.view"
    template_name = "command/tasks/detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("assigner", "emergency").prefetch_related("assignees")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(task_context(self.request, self.object))
        return context


def _directive_of(actor: Actor, task: Task) -> int | None:
    if not task.source_ref.startswith(DIRECTIVE_REF_PREFIX):
        return None
    try:
        pk = int(task.source_ref[len(DIRECTIVE_REF_PREFIX) :])
    except ValueError:
        return None
    return DirectiveRecipient.objects.visible_to(actor).filter(pk=pk).values_list("directive_id", flat=True).first()


def task_context(request: HttpRequest, task: Task, **extra: Any) -> dict[str, Any]:
    actor = request.actor
    directive_id = _directive_of(actor, task)
    return {
        "task": task,
        "object": task,
        "area": Area.objects.filter(code=task.area_code).only("code", "name").first(),
        "history": list(task_history(actor=actor, task=task)),
        "comments": list(task_comments(actor=actor, task=task)),
        "attachments": list(task_attachments(actor=actor, task=task)),
        "may_work": task_may_work_on(actor=actor, task=task),
        "may_comment": actor.can("task.update"),
        "directive_id": directive_id,
        "comment_form": TaskCommentForm(),
        "attachment_form": TaskAttachmentForm(),
        **extra,
    }


def _load(request: HttpRequest, pk: int) -> Task:
    if not request.actor.can("task.view"):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    return Task.objects.get_visible(request.actor, pk=pk)


def _partial(request: HttpRequest, task: Task, section: str, **extra: Any) -> HttpResponse:
    # 200 even with an error: htmx swaps only successful answers, and the section shows the message.
    task.refresh_from_db()
    return render(request, f"command/tasks/_{section}.html", task_context(request, task, **extra))


def _finish(request: HttpRequest, task: Task, section: str, error: Exception | None, **extra: Any) -> HttpResponse:
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    if request.htmx:
        return _partial(request, task, section, errors=error_messages(error) if error else [], **extra)
    if error:
        for message in error_messages(error):
            messages.error(request, message)
    return redirect("command:task_detail", pk=task.pk)


@leak_exempt("POST only; the task is loaded through visible_to (404 elsewhere); answers the task's own section")
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("command:task_detail", pk=pk)
    task = _load(request, pk)
    form = TaskStatusForm(request.POST)
    error: Exception | None = None
    if not form.is_valid():
        error = DomainError(_("Choose what to do with the task."), code="invalid")
    else:
        try:
            task_status_set(
                actor=request.actor, task=task, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except (DomainError, ValidationError) as caught:
            error = caught
    return _finish(request, task, "main", error)


@leak_exempt("POST only; the task is loaded through visible_to (404 elsewhere); answers the comments section")
def task_comment(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("command:task_detail", pk=pk)
    task = _load(request, pk)
    error: Exception | None = None
    form = TaskCommentForm(request.POST)
    if not form.is_valid():
        error = DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors), code="invalid")
    else:
        try:
            task_comment_add(actor=request.actor, task=task, text=form.cleaned_data["text"])
        except (DomainError, ValidationError) as caught:
            error = caught
    return _finish(request, task, "comments", error, comment_text=request.POST.get("text", "")[:5000] if error else "")


@leak_exempt("POST only; the task is loaded through visible_to (404 elsewhere); answers the files section")
@upload_limited
def task_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("command:task_detail", pk=pk)
    task = _load(request, pk)
    error: Exception | None = None
    form = TaskAttachmentForm(request.POST, request.FILES)
    if upload_error(request):
        error = upload_error(request)
    elif not form.is_valid():
        messages_ = [str(e) for errors in form.errors.values() for e in errors]
        error = DomainError(" ".join(messages_) or _("Choose a file to attach."), code="upload_missing")
    else:
        upload = form.cleaned_data["file"]
        try:
            task_attachment_add(actor=request.actor, task=task, file=upload, name=upload.name)
        except (DomainError, ValidationError) as caught:
            error = caught
    return _finish(request, task, "attachments", error)


def attachment_response(attachment: Any) -> HttpResponse:
    """A stored file, with the type detected at upload; never interpreted by the browser as a page."""
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        raise Http404(_("Not found.")) from None
    response = HttpResponse(content, content_type=attachment.content_type or "application/octet-stream")
    inline = attachment.content_type.startswith(("image/", "application/pdf"))
    response["Content-Disposition"] = content_disposition_header(not inline, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response


class TaskAttachmentDownloadView(ScopedDetailView):
    """A task's file: 404 alike for missing files and files outside the jurisdiction."""

    model = TaskAttachment
    capability = "task.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return attachment_response(self.get_object())


@leak_exempt("form that writes through task_create, which checks the area against the actor's reach")
class TaskCreateView(ActorRequiredMixin, View):
    capability = "task.assign"
    template_name = "command/tasks/create.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"area_code": request.GET.get("area", "")[:15]}
        return render(request, self.template_name, {"form": TaskCreateForm(initial=initial, actor=request.actor)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TaskCreateForm(request.POST, actor=request.actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = task_create(
                    actor=request.actor,
                    title=data["title"],
                    area_code=data["area_code"],
                    assignees=data["assignees"],
                    due_at=data["due_at"],
                    priority=data["priority"],
                    duty=data["duty"],
                    description=data["description"],
                    emergency=data["emergency"],
                )
            except (DomainError, ValidationError) as error:
                if isinstance(error, DomainPermissionDenied):
                    raise DjangoPermissionDenied(str(error.message)) from None
                apply_error(form, error)
            else:
                messages.success(request, _("The task was created."))
                return redirect("command:task_detail", pk=task.pk)
        return render(request, self.template_name, {"form": form}, status=400)


register_nav(NavItem(gettext_lazy("Tasks"), "command:task_inbox", "task.view", 20))

urlpatterns = [
    path("tasks/", TaskInboxView.as_view(), name="task_inbox"),
    path("tasks/new/", TaskCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/", TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/status/", task_status, name="task_status"),
    path("tasks/<int:pk>/comments/", task_comment, name="task_comment"),
    path("tasks/<int:pk>/attachments/", task_attachment_upload, name="task_attach"),
    path("tasks/files/<int:pk>/", TaskAttachmentDownloadView.as_view(), name="task_attachment"),
]
