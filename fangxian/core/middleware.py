"""Sets `request.actor` for every request and makes it the audit actor for the request's work."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from fangxian.core.audit import reset_current_actor, set_current_actor
from fangxian.core.scoping import Actor
from fangxian.core.versions import versions_per_request


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For is trusted only for the configured number of proxies."""
    proxies = settings.FANGXIAN_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (not user.requires_two_factor or user.is_verified()):
            request.actor = Actor.for_user(user, source_ip=ip)
        else:
            request.actor = Actor.anonymous(ip)
        token = set_current_actor(request.actor)
        try:
            with versions_per_request():
                return self.get_response(request)
        finally:
            reset_current_actor(token)


NUL_CHECKED_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/plain")


class NulCharacterMiddleware:
    """Refuses, with 400, a request carrying a NUL character in its path, query string or form/JSON body.

    No field of the platform may hold one (PostgreSQL cannot store it in text, and a filter with
    it fails inside the database driver), and no real client sends one: checking once here keeps
    every form, filter and endpoint from answering 500 to a fuzzer or an attacker. Django forms
    refuse it themselves; this covers query parameters and API schemas too. Multipart bodies
    (uploads) are left to their forms: reading them here would hold whole files in memory.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            message = _("The request contains a NUL character, which no field may hold.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_characters", "message": message}, status=400)
            from fangxian.core.views import render_error

            return render_error(request, 400, message)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and content_type in NUL_CHECKED_TYPES:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return False
            if 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                body = request.body
                if b"\x00" in body:
                    return True
                if content_type == "application/json":
                    return b"\\u0000" in body
                return content_type == "application/x-www-form-urlencoded" and b"%00" in body
        return False
