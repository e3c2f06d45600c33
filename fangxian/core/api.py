"""What every app's API shares: authentication to an actor, JSON errors, cursor pages, scope tags.

Every GET operation declares in its OpenAPI extension `x-fangxian-scope` which model it reads and
how (list or detail, lookup parameter), or why it reads none: the jurisdiction leak test walks the
OpenAPI document and fails on an operation that says nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from fangxian.core.audit import set_current_actor
from fangxian.core.errors import DomainError
from fangxian.core.middleware import client_ip
from fangxian.core.scoping import Actor

SCOPE_KEY = "x-fangxian-scope"


def scope_list(model: str, **extra: Any) -> dict[str, Any]:
    return {SCOPE_KEY: {"kind": "list", "model": model, **extra}}


def scope_detail(model: str, lookup: str, param: str, **extra: Any) -> dict[str, Any]:
    """`lookup` is the model field the path parameter `param` matches."""
    return {SCOPE_KEY: {"kind": "detail", "model": model, "lookup": lookup, "param": param, **extra}}


def scope_exempt(reason: str) -> dict[str, Any]:
    return {SCOPE_KEY: {"kind": "exempt", "reason": reason}}


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] | None = None


class ActorSessionAuth(SessionAuth):
    """The browser's session (CSRF-checked on writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        actor = getattr(request, "actor", None)
        if actor is not None and actor.is_authenticated and not actor.is_system:
            return actor
        return None


class ActorBearerAuth(HttpBearer):
    """A device's or platform's token, narrowed to the role assignment it was issued for."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        from fangxian.accounts.services import api_token_authenticate

        actor = api_token_authenticate(token[:200], source_ip=client_ip(request))
        if actor is None:
            return None
        request.actor = actor
        set_current_actor(actor)  # ActorMiddleware resets it when the request ends
        return actor


def api_actor(request: HttpRequest) -> Actor:
    return request.auth if isinstance(getattr(request, "auth", None), Actor) else request.actor


def _error(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """One JSON shape for every error: a stable `code`, a `message` in the user's language."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return _error(api, request, exc.status, exc.code, str(exc.message), field=exc.field)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _error(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        return _error(api, request, 403, "permission_denied", str(exc) or _("Your role does not allow this."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _error(api, request, 401, "unauthenticated", _("Log in or send a valid API token."))

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        details = [{"loc": [str(p) for p in e.get("loc", [])], "message": str(e.get("msg", ""))} for e in exc.errors]
        return _error(api, request, 422, "invalid", _("Some fields are not valid."), details=details)

    @api.exception_handler(DjangoValidationError)
    def model_invalid(request, exc: DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        details = [{"loc": [name], "message": str(m)} for name, items in messages.items() for m in items]
        return _error(api, request, 422, "invalid", _("Some fields are not valid."), details=details)

    http_codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "permission_denied",
        404: "not_found",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "too_many_requests",
    }

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc)
        if exc.status_code == 403 and "CSRF" in message:
            return _error(api, request, 403, "csrf_failed", _("The form has expired. Reload the page and try again."))
        if exc.status_code == 400 and "parse" in message.lower():
            return _error(api, request, 400, "bad_request", _("The request body is not valid JSON."))
        return _error(api, request, exc.status_code, http_codes.get(exc.status_code, "error"), message)


def require(actor: Actor, capability: str) -> None:
    if not actor.can(capability):
        raise DjangoPermissionDenied(_("Your role does not allow this."))


class StoredFileOut(Schema):
    """A checked upload (fangxian.core.models.StoredFile) in API answers; subclasses say where to fetch it."""

    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.original_name
