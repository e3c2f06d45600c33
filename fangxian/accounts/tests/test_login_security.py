"""Login security: lock-out per account and per address, fresh sessions, audit, session expiry."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone

from fangxian.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT, SessionExpiryMiddleware
from fangxian.accounts.models import LoginFailure
from fangxian.accounts.services import (
    LoginInvalid,
    LoginLocked,
    login_is_locked,
    user_login,
    user_logout_everywhere,
)
from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, PASSWORD

OFFICE = "10.20.30.40"
ELSEWHERE = "10.99.0.1"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas' passwords are hashed twenty times per test; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_request(ip: str = OFFICE, path: str = "/accounts/login/", **headers):
    request = RequestFactory().post(path, REMOTE_ADDR=ip, **headers)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.session.save()
    request.user = AnonymousUser()
    return request


def fail(username: str, ip: str = OFFICE) -> None:
    with pytest.raises(LoginInvalid):
        user_login(request=make_request(ip), username=username, password="not-the-password")


def succeed(username: str, ip: str = OFFICE):
    request = make_request(ip)
    user = user_login(request=request, username=username, password=PASSWORD)
    return request, user


def assert_locked(username: str, ip: str = OFFICE) -> None:
    with pytest.raises(LoginLocked) as excinfo:
        user_login(request=make_request(ip), username=username, password=PASSWORD)
    assert excinfo.value.code == "login_locked"


# --- lock-out --------------------------------------------------------------------------------------

def test_five_failures_lock_the_account_even_for_the_right_password(world, settings):
    assert settings.FANGXIAN_LOCKOUT_USER_FAILURES == 5
    for _ in range(4):
        fail("worker_a")
    assert not login_is_locked(username="worker_a", source_ip=OFFICE)
    fail("worker_a")
    assert_locked("worker_a")
    # From another address too: it is the account that is locked.
    assert_locked("worker_a", ELSEWHERE)
    assert_locked("WORKER_A")


def test_lock_message_names_the_lockout_minutes(world, settings):
    settings.FANGXIAN_LOCKOUT_SECONDS = 30 * 60
    for _ in range(5):
        fail("worker_a")
    with pytest.raises(LoginLocked, match="30"):
        user_login(request=make_request(), username="worker_a", password=PASSWORD)


def test_lock_ends_when_the_window_has_passed(world, settings):
    for _ in range(5):
        fail("worker_a")
    real_now = timezone.now()
    almost = real_now + dt.timedelta(seconds=settings.FANGXIAN_LOCKOUT_SECONDS - 30)
    with mock.patch("django.utils.timezone.now", return_value=almost):
        assert_locked("worker_a")
    later = real_now + dt.timedelta(seconds=settings.FANGXIAN_LOCKOUT_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        _request, user = succeed("worker_a")
    assert user == world.users["worker_a"]


def test_failures_older_than_the_window_do_not_count(world, settings):
    old = timezone.now() - dt.timedelta(seconds=settings.FANGXIAN_LOCKOUT_SECONDS + 5)
    LoginFailure.objects.bulk_create([LoginFailure(username="worker_a", source_ip=OFFICE, at=old) for _ in range(10)])
    assert not login_is_locked(username="worker_a", source_ip=OFFICE)
    succeed("worker_a")


def test_one_users_failures_do_not_lock_colleagues_behind_the_same_address(world):
    for _ in range(6):
        with pytest.raises((LoginInvalid, LoginLocked)):
            user_login(request=make_request(), username="worker_a", password="wrong-password")
    _request, user = succeed("commander_a")
    assert user == world.users["commander_a"]


@override_settings(FANGXIAN_LOCKOUT_ADDRESS_FAILURES=20)
def test_an_address_is_locked_only_at_its_own_threshold(world):
    # 19 failures spread over names that never reach the account threshold.
    for index in range(19):
        fail(f"ghost{index % 5}")
    succeed("worker_a")
    fail("ghost9")  # the 20th failure from the office
    assert_locked("worker_a")
    assert_locked("commander_a")
    # Elsewhere the same accounts are fine.
    succeed("worker_a", ELSEWHERE)


@override_settings(FANGXIAN_LOCKOUT_ADDRESS_FAILURES=3, FANGXIAN_TRUSTED_PROXIES=0)
def test_a_spoofed_forwarded_for_header_does_not_dodge_the_address_lock(world):
    for index in range(3):
        with pytest.raises(LoginInvalid):
            user_login(request=make_request(HTTP_X_FORWARDED_FOR=f"1.2.3.{index}"), username=f"ghost{index}",
                       password="wrong")
    with pytest.raises(LoginLocked):
        user_login(request=make_request(HTTP_X_FORWARDED_FOR="8.8.8.8"), username="worker_a", password=PASSWORD)


@override_settings(FANGXIAN_TRUSTED_PROXIES=1)
def test_behind_one_trusted_proxy_the_forwarded_address_is_recorded(world):
    request = make_request(ip="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.8.8")
    user_login(request=request, username="worker_a", password=PASSWORD)
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).source_ip == "10.8.8.8"


def test_success_clears_that_users_failures_only(world):
    for _ in range(4):
        fail("worker_a")
    fail("commander_a")
    succeed("worker_a")
    assert not LoginFailure.objects.filter(username="worker_a").exists()
    assert LoginFailure.objects.filter(username="commander_a").count() == 1
    for _ in range(4):
        fail("worker_a")
    succeed("worker_a")


def test_unknown_user_names_are_counted_and_locked_like_real_ones(world):
    for _ in range(5):
        fail("nobody")
    with pytest.raises(LoginLocked):
        user_login(request=make_request(), username="nobody", password="anything")


def test_inactive_user_cannot_log_in(world):
    user = world.users["worker_a"]
    user.is_active = False
    user.save()
    fail("worker_a")


# --- the session --------------------------------------------------------------------------------

def test_login_starts_a_fresh_session(world):
    request = make_request()
    request.session["planted"] = "by an attacker"
    request.session.save()
    before = request.session.session_key
    user = user_login(request=request, username="worker_a", password=PASSWORD)
    assert request.session.session_key != before
    assert request.session[SESSION_KEY] == str(user.pk)
    assert request.user == user
    now = int(time.time())
    assert abs(request.session[SESSION_LOGIN_AT] - now) <= 2
    assert abs(request.session[SESSION_LAST_SEEN] - now) <= 2


def test_logout_everywhere_changes_the_session_hash_and_ends_existing_sessions(world):
    request, user = succeed("worker_a")
    request.session.save()
    hash_before = user.get_session_auth_hash()

    def session_user():
        replay = RequestFactory().get("/", REMOTE_ADDR=OFFICE)
        replay.session = SessionStore(session_key=request.session.session_key)
        return get_user(replay)

    assert session_user() == user
    user_logout_everywhere(actor=Actor.for_user(user, source_ip=OFFICE), user=user)
    assert user.get_session_auth_hash() != hash_before
    user.refresh_from_db()
    assert user.get_session_auth_hash() != hash_before
    assert session_user().is_anonymous
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT_EVERYWHERE)
    assert event.actor == user and event.source_ip == OFFICE


def test_logout_everywhere_of_someone_else_needs_user_management(world):
    with pytest.raises(PermissionDenied):
        user_logout_everywhere(actor=world.actor("commander_a"), user=world.users["worker_a"])
    epoch = world.users["worker_a"].session_epoch
    user_logout_everywhere(actor=world.actor("admin"), user=world.users["worker_a"])
    world.users["worker_a"].refresh_from_db()
    assert world.users["worker_a"].session_epoch == epoch + 1


def test_password_change_also_ends_existing_sessions(world):
    request, user = succeed("worker_a")
    request.session.save()
    user.set_password("Another-long-pass-42")
    user.save()
    replay = RequestFactory().get("/")
    replay.session = SessionStore(session_key=request.session.session_key)
    assert get_user(replay).is_anonymous


# --- audit ----------------------------------------------------------------------------------------

def test_login_failure_lock_and_success_are_audited_with_the_source_address(world):
    for _ in range(5):
        fail("worker_a")
    assert_locked("worker_a")
    LoginFailure.objects.all().delete()
    succeed("worker_a")
    user = world.users["worker_a"]

    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 5
    assert all(e.source_ip == OFFICE and e.object_id == str(user.pk) and e.area_code == COMMUNITY_A for e in failed)
    assert all(e.actor is None for e in failed)
    locked = AuditEvent.objects.get(action=AuditAction.LOGIN_LOCKED)
    assert locked.source_ip == OFFICE and locked.object_label == "worker_a"
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.actor == user and login.source_ip == OFFICE and login.area_code == COMMUNITY_A
    assert login.object_id == str(user.pk)


def test_failed_login_of_unknown_name_is_audited_without_an_object(world):
    fail("nobody", ELSEWHERE)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.object_id == "" and event.area_code == "" and event.source_ip == ELSEWHERE


def test_passwords_never_reach_the_audit_trail(world):
    fail("worker_a")
    succeed("worker_a")
    for event in AuditEvent.objects.all():
        assert "not-the-password" not in str(event.changes) + event.object_label + event.reason
        assert PASSWORD not in str(event.changes) + event.object_label + event.reason


# --- session expiry middleware -------------------------------------------------------------------

def expiry_middleware():
    return SessionExpiryMiddleware(lambda request: HttpResponse("view ran"))


def logged_in(path: str = "/api/v1/households"):
    request = make_request(path=path)
    user_login(request=request, username="worker_a", password=PASSWORD)
    return request


def test_active_session_stays_and_last_seen_moves_forward(world):
    request = logged_in()
    now = int(time.time())
    request.session[SESSION_LAST_SEEN] = now - 29 * 60
    response = expiry_middleware()(request)
    assert response.content == b"view ran"
    assert request.user.is_authenticated
    assert request.session[SESSION_LAST_SEEN] >= now


def test_session_ends_after_thirty_idle_minutes(world, settings):
    assert settings.FANGXIAN_SESSION_IDLE_SECONDS == 30 * 60
    request = logged_in()
    request.session[SESSION_LAST_SEEN] = int(time.time()) - 31 * 60
    response = expiry_middleware()(request)
    assert request.user.is_anonymous
    assert SESSION_KEY not in request.session
    # An API call goes on as anonymous (and is then refused by the API's own auth).
    assert response.content == b"view ran"


def test_session_ends_twelve_hours_after_login_however_active(world, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    request = logged_in()
    now = int(time.time())
    request.session[SESSION_LOGIN_AT] = now - 12 * 3600 - 5
    request.session[SESSION_LAST_SEEN] = now
    expiry_middleware()(request)
    assert request.user.is_anonymous
    assert SESSION_KEY not in request.session


def test_session_just_under_twelve_hours_stays(world):
    request = logged_in()
    now = int(time.time())
    request.session[SESSION_LOGIN_AT] = now - 12 * 3600 + 120
    request.session[SESSION_LAST_SEEN] = now - 60
    expiry_middleware()(request)
    assert request.user.is_authenticated


def test_expired_page_request_redirects_to_login_with_a_message(world, monkeypatch):
    monkeypatch.setattr("fangxian.accounts.middleware.reverse", lambda name: "/accounts/login/")
    request = logged_in(path="/registry/residents/")
    request._messages = FallbackStorage(request)
    request.session[SESSION_LAST_SEEN] = int(time.time()) - 3600
    response = expiry_middleware()(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert request.user.is_anonymous
    assert len(list(request._messages)) == 1


def test_expired_page_request_keeps_the_whole_next_address(world, monkeypatch):
    monkeypatch.setattr("fangxian.accounts.middleware.reverse", lambda name: "/accounts/login/")
    request = RequestFactory().get("/registry/residents/", {"page": "2", "q": "王"}, REMOTE_ADDR=OFFICE)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    user_login(request=request, username="worker_a", password=PASSWORD)
    request._messages = FallbackStorage(request)
    request.session[SESSION_LAST_SEEN] = int(time.time()) - 3600
    response = expiry_middleware()(request)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"next": ["/registry/residents/?page=2&q=%E7%8E%8B"]}
