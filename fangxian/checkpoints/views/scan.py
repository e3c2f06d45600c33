"""Checkpoints: the guard's scanning page (routes collected by fangxian/checkpoints/urls.py).

One phone page at /checkpoints/scan/: pick the gate and the direction, identify who is at the gate
(camera QR scanning in the browser with the locally served zxing WebAssembly, a photo of the code
decoded on the server, or a search by initials, room or last four digits), take the temperature,
record. Recording goes through the API's scan endpoints (`/api/v1/checkpoints/scans` and
`/scans/batch`, session and CSRF), i.e. through `scan_record`/`scan_batch`; the page queues scans on
the phone while the network is down and uploads them in one batch when it returns. The two JSON
views here only decode a photo and search residents; they write nothing.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fangxian.checkpoints import capabilities  # noqa: F401  (checkpoint.scan)
from fangxian.checkpoints.gatestate import policy_in_force
from fangxian.checkpoints.menu import CHECKPOINTS_MENU
from fangxian.checkpoints.models import Checkpoint
from fangxian.checkpoints.selectors import guard_on_duty_checkpoint_ids
from fangxian.checkpoints.selectors_scan import scan_search as scan_search_rows
from fangxian.checkpoints.selectors_scan import scan_visitors_recent
from fangxian.checkpoints.services.photo import PHOTO_MAX_BYTES, pass_photo_decode
from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedListView, leak_exempt

SEARCH_QUERY_MAX = 50


def _error(problem: DomainError) -> JsonResponse:
    body = {"code": problem.code, "message": str(problem.message)}
    if problem.field:
        body["field"] = problem.field
    return JsonResponse(body, status=problem.status)


def _require_scan(request: HttpRequest) -> None:
    if not request.actor.can("checkpoint.scan"):
        raise PermissionDenied(_("Your role may not record gate scans."))


def scan_page_strings() -> dict[str, str]:
    """What the page's script says, translated here (the script itself holds no text)."""
    return {
        "offline": _("offline"),
        "allowed": _("Allowed"),
        "denied": _("Denied"),
        "queued": _("Saved on this phone"),
        "queued_detail": _("No network: the scan is kept on this phone and uploaded when the connection returns."),
        "waiting": _("%(count)s waiting"),
        "uploaded": _("%(count)s uploaded"),
        "upload_failed": _("%(count)s could not be recorded"),
        "fever_alert": _("Fever: entry denied. The duty worker was alerted and a follow-up task was created."),
        "pass_read": _("Pass read"),
        "picked": _("Picked by hand"),
        "no_camera": _(
            "The camera works only over HTTPS or on this computer (localhost). "
            "Take a photo of the code or search instead."
        ),
        "camera_denied": _("The camera could not be opened. Take a photo of the code or search instead."),
        "camera_not_a_pass": _("This QR code is not a pass of this platform."),
        "decoding": _("Reading the photo…"),
        "no_results": _("Nobody found. Type the pinyin initials, a room (3-1-101) or the last 4 digits."),
        "searching": _("Searching…"),
        "choose_checkpoint": _("Choose the checkpoint first."),
        "identify_first": _("Scan a pass or pick a resident first."),
        "network_error": _("The server could not be reached."),
        "server_error": _("The server could not record the scan; it is kept on this phone and sent again."),
        "temperature_range": _("A body temperature lies between 30 and 45 °C."),
        "room": _("Room"),
        "temperature": _("Temperature"),
        "kind_resident": _("Resident"),
        "kind_household": _("Household pass"),
        "kind_visitor": _("Visitor"),
        "kind_vehicle": _("Vehicle"),
        "kind_unknown": _("Unknown"),
        "plate_listed": _("On the community's vehicle list"),
        "plate_not_listed": _("Not on the community's vehicle list"),
        "no_visitors": _("No visitor was registered here in the last day."),
    }


class ScanPageView(ScopedListView):
    """The guard's scanning page; its list is the active checkpoints the actor may scan at."""

    model = Checkpoint
    capability = "checkpoint.scan"
    template_name = "checkpoints/scan/page.html"
    paginate_by = None

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True).order_by("area_code", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        offered = {checkpoint.pk for checkpoint in context["object_list"]}
        on_duty = [pk for pk in guard_on_duty_checkpoint_ids(actor=self.request.actor) if pk in offered]
        context["on_duty"] = set(on_duty)
        notices = {}
        for checkpoint in context["object_list"]:
            policy, _emergency = policy_in_force(checkpoint.community_code)
            if policy.notice:
                notices[str(checkpoint.pk)] = policy.notice
        context["scan_config"] = {
            # A guard on a shift starts at that gate, whatever the phone remembered.
            "on_duty_checkpoint": on_duty[0] if on_duty else None,
            # The commander's notice of the policy in force, per checkpoint.
            "notices": notices,
            "scan_url": reverse("api:scan_endpoint"),
            "batch_url": reverse("api:scan_batch_endpoint"),
            "verify_url": reverse("api:pass_verify_endpoint"),
            "decode_url": reverse("checkpoints:scan_decode"),
            "search_url": reverse("checkpoints:scan_search", kwargs={"checkpoint_id": 0}),
            "wasm_url": static("vendor/zxing/zxing_reader.wasm"),
            "service_worker_url": reverse("checkpoints:scan_service_worker"),
            "page_url": reverse("checkpoints:scan"),
            "fever_celsius": str(settings.FANGXIAN_FEVER_CELSIUS),
            "user": self.request.user.pk,
            "strings": scan_page_strings(),
        }
        context["photo_max_mb"] = PHOTO_MAX_BYTES // (1024 * 1024)
        return context


@leak_exempt("decodes an uploaded photo into the text of its QR code; reads no rows")
@login_required
@require_POST
def scan_decode(request: HttpRequest) -> JsonResponse:
    """A photo of a pass's QR code -> {"token": ...}, or {"code", "message"} saying what is wrong."""
    _require_scan(request)
    photo = request.FILES.get("photo")
    if photo is None:
        return _error(DomainError(_("Choose a photo of the pass's QR code."), code="photo_required", field="photo"))
    try:
        token = pass_photo_decode(actor=request.actor, photo=photo, name=photo.name)
    except DomainError as problem:
        return _error(problem)
    return JsonResponse({"token": token})


@leak_exempt(
    "the checkpoint is loaded through visible_to (404 elsewhere); its community's residents and recent "
    "visitors are reduced to a masked name and a room, a plate to whether it is listed (selectors_scan)"
)
@login_required
@require_GET
def scan_search(request: HttpRequest, checkpoint_id: int) -> JsonResponse:
    """Residents by initials, name, room or last 4, recent visitors by name, or a plate: masked, minimal.

    `?visitors=1` lists the visitors of the last day instead.
    """
    _require_scan(request)
    query = request.GET.get("q", "")[:SEARCH_QUERY_MAX]
    try:
        if request.GET.get("visitors"):
            results = scan_visitors_recent(actor=request.actor, checkpoint_id=checkpoint_id, query=query.strip())
        else:
            results = scan_search_rows(actor=request.actor, checkpoint_id=checkpoint_id, query=query)
    except DomainError as problem:
        return _error(problem)
    return JsonResponse({"results": results})


def _offline_assets() -> list[str]:
    """What the scanning page needs to open without a network, besides itself."""
    return [
        static("vendor/bootstrap/bootstrap.min.css"),
        static("core/app.css"),
        static("checkpoints/scan/scan.css"),
        static("vendor/bootstrap/bootstrap.bundle.min.js"),
        static("django_htmx/htmx-2.min.js"),
        static("vendor/barcode-detector/polyfill.js"),
        static("checkpoints/scan/scan.js"),
        static("vendor/zxing/zxing_reader.wasm"),
    ]


@leak_exempt("the service worker's script: the page's path and static file URLs, no rows")
@require_GET
def scan_service_worker(request: HttpRequest) -> HttpResponse:
    """The scanning page's service worker, served under the page's path so that its scope covers the page.

    Public on purpose: a browser fetches it without following redirects, and it holds no data.
    Its text changes (and browsers install it anew) whenever a static file's hashed name changes.
    """
    page = reverse("checkpoints:scan")
    assets = _offline_assets()
    version = hashlib.sha256("\n".join([page, *assets]).encode()).hexdigest()[:12]
    body = render_to_string(
        "checkpoints/scan/sw.js",
        {
            "scope": page,
            "version": version,
            "page_json": json.dumps(page),
            "assets_json": json.dumps(assets),
            "static_json": json.dumps(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("scan/", ScanPageView.as_view(), name="scan"),
    path("scan/sw.js", scan_service_worker, name="scan_service_worker"),
    path("scan/decode/", scan_decode, name="scan_decode"),
    path("scan/<int:checkpoint_id>/search/", scan_search, name="scan_search"),
]

register_nav(NavItem(gettext_lazy("Scan passes"), "checkpoints:scan", "checkpoint.scan", 56, group=CHECKPOINTS_MENU))
