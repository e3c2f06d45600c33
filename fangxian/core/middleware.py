"""Sets `request.actor` for every request and makes it the audit actor for the request's work."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from fangxian.core.audit import reset_current_actor, set_current_actor
from fangxian.core.scoping import Actor


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
            return self.get_response(request)
        finally:
            reset_current_actor(token)
