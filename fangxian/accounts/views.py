"""Login, second factor, the account page with sessions and API tokens, and the user list."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from fangxian.accounts.forms import LoginForm, OtpForm, TokenCreateForm
from fangxian.accounts.models import ApiToken, RoleAssignment, User
from fangxian.accounts.services import (
    LoginInvalid,
    LoginLocked,
    api_token_create,
    api_token_revoke,
    otp_device_for,
    otp_enrolment_device,
    otp_verify,
    user_login,
    user_logout,
    user_logout_everywhere,
)
from fangxian.core.views import ScopedListView, leak_exempt


def _next_url(request: HttpRequest, default: str = "core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    from django.urls import reverse

    return reverse(default)


@leak_exempt("login form")
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = user_login(request=request, username=form.cleaned_data["username"],
                              password=form.cleaned_data["password"])
        except (LoginInvalid, LoginLocked) as error:
            form.add_error(None, str(error.message))
            status = error.status
        else:
            if user.requires_two_factor:
                return redirect(f"{_url('accounts:otp')}?next={_next_url(request)}")
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@leak_exempt("logout")
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user_logout(request=request)
    messages.info(request, _("You are logged out."))
    return redirect("accounts:login")


@leak_exempt("second factor of the user's own account")
@sensitive_post_parameters("token")
def otp_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if not user.requires_two_factor or user.is_verified():
        return redirect(_next_url(request))
    enrolling = otp_device_for(user) is None
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "next": request.GET.get("next", "")}
    if enrolling:
        device = otp_enrolment_device(user)
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp.html", context)


class AccountView(ScopedListView):
    """The user's own page: roles, sessions, API tokens."""

    model = ApiToken
    template_name = "accounts/account.html"
    paginate_by = 0

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(user=self.request.user).select_related("assignment")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        assignments = self.request.user.active_assignments()
        context["assignments"] = assignments
        context["can_tokens"] = actor.can("token.manage")
        context["token_form"] = kwargs.get("token_form") or TokenCreateForm(assignments=assignments)
        context["idle_minutes"] = settings.FANGXIAN_SESSION_IDLE_SECONDS // 60
        context["absolute_hours"] = settings.SESSION_COOKIE_AGE // 3600
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        actor = request.actor
        if action == "logout_everywhere":
            user_logout_everywhere(actor=actor, user=request.user)
            messages.info(request, _("All your sessions have ended, on every device."))
            return redirect("accounts:login")
        if action == "revoke":
            token = ApiToken.objects.get_visible(actor, pk=request.POST.get("token", "0"), user=request.user)
            api_token_revoke(actor=actor, token=token)
            messages.success(request, _("The token is revoked and stops working at once."))
            return redirect("accounts:account")
        if action == "create":
            assignments = request.user.active_assignments()
            form = TokenCreateForm(request.POST, assignments=assignments)
            if form.is_valid():
                assignment = next(a for a in assignments if a.pk == form.cleaned_data["assignment"])
                days = form.cleaned_data.get("expires_in_days")
                expires = timezone.now() + dt.timedelta(days=days) if days else None
                token, secret = api_token_create(actor=actor, assignment=assignment, name=form.cleaned_data["name"],
                                                 expires_at=expires)
                return render(request, "accounts/token_created.html", {"token": token, "secret": secret})
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(token_form=form), status=400)
        return redirect("accounts:account")


class UserListView(ScopedListView):
    """Users holding a role inside the actor's jurisdiction."""

    model = User
    capability = "user.view"
    template_name = "accounts/user_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        actor = self.request.actor
        visible_assignments = RoleAssignment.objects.visible_to(actor).filter(active=True).order_by("area_code")
        return queryset.prefetch_related(Prefetch("role_assignments", queryset=visible_assignments,
                                                  to_attr="visible_assignments")).order_by("username")
