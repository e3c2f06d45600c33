"""Writes of the accounts app: logins and lock-out, sessions, second factor, tokens, grants."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from fangxian.accounts.models import ApiToken, LoginFailure, RoleAssignment, User
from fangxian.areas.models import Area, Household
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.fastsql import JoinedLoader
from fangxian.core.middleware import client_ip
from fangxian.core.models import AuditAction
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.core.versions import version_read

TOKEN_PREFIX = "fx"  # noqa: S105 - a marker, not a secret


class LoginLocked(DomainError):
    code = "login_locked"
    status = 429


class LoginInvalid(DomainError):
    code = "login_invalid"
    status = 401


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.FANGXIAN_LOCKOUT_SECONDS)


def login_lock(*, username: str, source_ip: str | None) -> str | None:
    """"account" if this account failed too often, "address" if this address far too often, else None.

    The address threshold is much higher than the account's: a whole street office may sit
    behind one address, and one careless user must not lock out the rest.
    """
    since = _window_start()
    failures = LoginFailure.objects.filter(at__gte=since)
    if failures.filter(username=username.lower()).count() >= settings.FANGXIAN_LOCKOUT_USER_FAILURES:
        return "account"
    if source_ip and failures.filter(source_ip=source_ip).count() >= settings.FANGXIAN_LOCKOUT_ADDRESS_FAILURES:
        return "address"
    return None


def login_is_locked(*, username: str, source_ip: str | None) -> bool:
    return login_lock(username=username, source_ip=source_ip) is not None


def user_login(*, request: HttpRequest, username: str, password: str) -> User:
    """Check the password and start a fresh session; raises LoginLocked or LoginInvalid."""
    ip = client_ip(request)
    username = username.strip()[:150]
    actor = Actor.anonymous(ip)
    lock = login_lock(username=username, source_ip=ip)
    if lock:
        known = User.objects.filter(username=username).first()
        audit_record(AuditAction.LOGIN_LOCKED, actor=actor, object_type="accounts.user", object_label=username,
                     area_code=Actor.for_user(known).primary_area_code if known else "", changes={"lock": lock})
        minutes = settings.FANGXIAN_LOCKOUT_SECONDS // 60
        if lock == "account":
            raise LoginLocked(_("Too many failed attempts. This account is locked for %(minutes)d minutes.")
                              % {"minutes": minutes})
        raise LoginLocked(_("Too many failed attempts from this network. Logins from it are paused for "
                            "%(minutes)d minutes.") % {"minutes": minutes})
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower(), source_ip=ip)
        known = User.objects.filter(username=username).first()
        audit_record(
            AuditAction.LOGIN_FAILED, actor=actor, object_type="accounts.user",
            object_id=str(known.pk) if known else "", object_label=username,
            area_code=Actor.for_user(known).primary_area_code if known else "",
        )
        raise LoginInvalid(_("The user name or the password is wrong."))
    # login() rotates the session key: no fixation of a session chosen before login.
    login(request, user)
    now = int(time.time())
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    LoginFailure.objects.filter(username=username.lower()).delete()
    user_actor = Actor.for_user(user, source_ip=ip)
    audit_record(AuditAction.LOGIN, actor=user_actor, obj=user, object_label=user.username,
                 area_code=user_actor.primary_area_code)
    return user


def user_logout(*, request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        actor = Actor.for_user(user, source_ip=client_ip(request))
        audit_record(AuditAction.LOGOUT, actor=actor, obj=user, object_label=user.username,
                     area_code=actor.primary_area_code)
    logout(request)


def user_logout_everywhere(*, actor: Actor, user: User) -> None:
    """End every session of `user` on every device (and keep the current request logged out too)."""
    if actor.user != user and not actor.can("user.manage"):
        raise PermissionDenied(_("You may only end your own sessions."))
    User.objects.filter(pk=user.pk).update(session_epoch=user.session_epoch + 1)
    user.session_epoch += 1
    audit_record(AuditAction.LOGOUT_EVERYWHERE, actor=actor, obj=user, object_label=user.username,
                 area_code=Actor.for_user(user).primary_area_code)


# --- second factor -------------------------------------------------------------------------------

def otp_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is enrolling, created on first visit of the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="fangxian", confirmed=False)
    return device


def otp_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code against the confirmed device, or confirm the one being enrolled."""
    user = request.user
    token = "".join(ch for ch in token if ch.isdigit())[:8]
    device = otp_device_for(user)
    enrolling = device is None
    if enrolling:
        device = otp_enrolment_device(user)
    if not device.verify_token(token):
        LoginFailure.objects.create(username=user.username.lower(), source_ip=client_ip(request))
        return False
    if enrolling:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        actor = Actor.for_user(user, source_ip=client_ip(request))
        audit_record(AuditAction.OTP_ENROL, actor=actor, obj=user, object_label=user.username,
                     area_code=actor.primary_area_code)
    otp_login(request, device)
    return True


# --- users and grants ---------------------------------------------------------------------------

@transaction.atomic
def user_create(
    *, actor: Actor, username: str, password: str | None, display_name: str = "", email: str = ""
) -> User:
    if not actor.can("user.manage"):
        raise PermissionDenied(_("You may not create users."))
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This user name is taken."), code="username_taken", field="username")
    user = User(username=username, display_name=display_name, email=email)
    if password:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(AuditAction.CREATE, actor=actor, obj=user, object_label=username, area_code=actor.primary_area_code)
    return user


@transaction.atomic
def role_assignment_grant(
    *, actor: Actor, user: User, role: str, area_code: str, household: Household | None = None
) -> RoleAssignment:
    """Grant `role` at `area_code`; only inside the granting actor's own jurisdiction."""
    if not actor.can("user.manage"):
        raise PermissionDenied(_("You may not grant roles."))
    if not actor.reaches(area_code):
        raise NotFound(_("Not found."))
    if not Area.objects.filter(code=area_code).exists():
        raise DomainError(_("There is no area with the code %(code)s.") % {"code": area_code}, code="area_unknown",
                          field="area_code")
    if role == Role.RESIDENT and (household is None or household.area_code != area_code):
        raise DomainError(_("A resident's role is granted at the grid of their household."), code="household_required")
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area_code=area_code, defaults={"household": household}
    )
    if not assignment.active:
        assignment.active = True
        assignment.save()
    assignment.full_clean()
    return assignment


# --- API tokens ---------------------------------------------------------------------------------

def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Actor, assignment: RoleAssignment, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for one of the actor's own assignments; returns it with the clear secret, once."""
    if not actor.can("token.manage"):
        raise PermissionDenied(_("Your role may not create API tokens."))
    if actor.user is None or assignment.user_id != actor.user.pk or not assignment.active:
        raise NotFound(_("Not found."))
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the token a name of at most 100 characters."), code="token_name", field="name")
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor.user, assignment=assignment, area_code=assignment.area_code, name=name, prefix=prefix,
        secret_hash=_token_hash(secret), expires_at=expires_at,
    )
    audit_record(AuditAction.TOKEN_CREATE, actor=actor, obj=token)
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.user_id != getattr(actor.user, "pk", None) and not actor.can("user.manage"):
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(AuditAction.TOKEN_REVOKE, actor=actor, obj=token)
    return token


def api_token_authenticate(raw: str, *, source_ip: str | None = None) -> Actor | None:
    """The actor a bearer token stands for, narrowed to its role assignment; None if unusable."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 10:
        return None
    token = _token_by_prefix(parts[1])
    if token is None or not hmac.compare_digest(token.secret_hash, _token_hash(parts[2])):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # no signal: the cache stays
        token.last_used_at = now
    assignment = token.assignment
    if not assignment.active or assignment.user_id != token.user_id:
        return None
    # A copy per request: the cached user is shared by this process's requests.
    user = copy.copy(token.user)
    # The token's one assignment came with it: the same narrowing as Actor.for_user(only_assignment_id=...),
    # without reading the user's other assignments.
    user._active_assignments = [assignment]
    actor = Actor.for_user(user, source_ip=source_ip, only_assignment_id=assignment.pk)
    return actor if actor.grants else None


# Devices authenticate on every request (a guard's phone at the morning rush). A process keeps the
# tokens it has seen, with their user and assignment, until any token, assignment or user is saved
# or deleted (the `accounts.tokens` version stamp, bumped in the writer's transaction): a revoked
# token or a deactivated guard is refused from the next request on, on every server.
TOKENS_VERSION = "accounts.tokens"
_TOKEN_LOADER = JoinedLoader(ApiToken, key="prefix", related=("user", "assignment"))
_TOKEN_CACHE_MAX = 10_000
_token_cache: tuple[int, dict[str, ApiToken | None]] = (-1, {})


def _token_by_prefix(prefix: str) -> ApiToken | None:
    global _token_cache
    stamp = version_read(TOKENS_VERSION)
    if _token_cache[0] != stamp:
        _token_cache = (stamp, {})
    cache = _token_cache[1]
    if prefix not in cache:
        if len(cache) >= _TOKEN_CACHE_MAX:  # unknown prefixes sent by the thousand must not grow it
            cache.clear()
        cache[prefix] = _TOKEN_LOADER.get(prefix)
    return cache[prefix]
