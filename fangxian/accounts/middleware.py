"""Idle and absolute session expiry, and the second-factor gate for privileged roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_LOGIN_AT = "fx_login_at"
SESSION_LAST_SEEN = "fx_last_seen"
# Writing the session on every request would turn every page view into a database write.
LAST_SEEN_RESOLUTION = 60

TWO_FACTOR_OPEN_PREFIXES = ("/static/", "/i18n/", "/accounts/login/", "/accounts/logout/", "/accounts/otp/", "/healthz")


class SessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            login_at = request.session.get(SESSION_LOGIN_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if now - last_seen > settings.FANGXIAN_SESSION_IDLE_SECONDS or now - login_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("Your session has expired. Please log in again."))
                    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
            else:
                request.session.setdefault(SESSION_LOGIN_AT, now)
                if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in request.session:
                    request.session[SESSION_LAST_SEEN] = now
                if (
                    user.requires_two_factor
                    and not user.is_verified()
                    and not request.path.startswith(TWO_FACTOR_OPEN_PREFIXES)
                    # The API answers 401 instead (its actor is anonymous until verified).
                    and not request.path.startswith("/api/")
                ):
                    return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
