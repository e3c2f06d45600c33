"""API tokens: the secret shown once, stored hashed, narrowed to one role assignment."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.utils import timezone

from fangxian.accounts.models import ApiToken, RoleAssignment, User
from fangxian.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from fangxian.areas.models import Household
from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_B1


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas' passwords are hashed twenty times per test; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two_hats(world, system_actor):
    """A worker who is commander of community A and grid worker in community B."""
    user = User.objects.create_user(username="two_hats", password="Two-hats-2026!")
    in_a = RoleAssignment.objects.create(user=user, role=Role.COMMANDER, area_code=COMMUNITY_A)
    in_b = RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, area_code=GRID_B1)
    return user, in_a, in_b


def create(user: User, assignment: RoleAssignment, **kwargs):
    actor = Actor.for_user(user, source_ip="10.1.1.1")
    with acting_as(actor):
        return api_token_create(actor=actor, assignment=assignment, name=kwargs.pop("name", "gate scanner"), **kwargs)


def visible_household_areas(actor: Actor) -> set[str]:
    return set(Household.objects.visible_to(actor).values_list("area_code", flat=True))


def test_create_returns_the_secret_once_and_stores_only_its_sha256(two_hats):
    user, in_a, _in_b = two_hats
    token, clear = create(user, in_a)
    prefix_tag, prefix, secret = clear.split("_", 2)
    assert prefix_tag == "fx" and prefix == token.prefix and len(secret) >= 32
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not hasattr(stored, "secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert secret not in row and clear not in row
    assert stored.area_code == COMMUNITY_A and stored.assignment == in_a


def test_two_tokens_never_share_a_secret(two_hats):
    user, in_a, _in_b = two_hats
    (_first, one), (_second, two) = create(user, in_a), create(user, in_a, name="second")
    assert one != two


def test_token_reaches_only_the_assignment_it_was_issued_for(two_hats):
    user, in_a, in_b = two_hats
    assert visible_household_areas(Actor.for_user(user)) >= {GRID_A1, GRID_B1}
    _token, clear = create(user, in_a)
    actor = api_token_authenticate(clear, source_ip="10.2.2.2")
    assert actor is not None and actor.user == user
    assert [grant.assignment_id for grant in actor.grants] == [in_a.pk]
    assert actor.roles == {Role.COMMANDER}
    assert actor.source_ip == "10.2.2.2"
    areas = visible_household_areas(actor)
    assert GRID_A1 in areas and all(code.startswith(COMMUNITY_A) for code in areas)
    assert not any(code.startswith(COMMUNITY_B) for code in areas)

    _token, clear_b = create(user, in_b)
    actor_b = api_token_authenticate(clear_b)
    assert actor_b.roles == {Role.GRID_WORKER}
    assert visible_household_areas(actor_b) == {GRID_B1}
    # The grid-worker token does not carry the commander's capability.
    assert actor.can("audit.view") and not actor_b.can("audit.view")


def test_authentication_records_last_use(two_hats):
    user, in_a, _in_b = two_hats
    token, clear = create(user, in_a)
    assert token.last_used_at is None
    api_token_authenticate(clear)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_revoked_token_authenticates_to_none(two_hats):
    user, in_a, _in_b = two_hats
    token, clear = create(user, in_a)
    actor = Actor.for_user(user)
    with acting_as(actor):
        api_token_revoke(actor=actor, token=token)
    assert api_token_authenticate(clear) is None


def test_expired_token_authenticates_to_none(two_hats):
    user, in_a, _in_b = two_hats
    _token, clear = create(user, in_a, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_token_authenticate(clear) is None
    _token, fresh = create(user, in_a, name="fresh", expires_at=timezone.now() + dt.timedelta(days=1))
    assert api_token_authenticate(fresh) is not None


def test_wrong_secret_authenticates_to_none(two_hats):
    user, in_a, _in_b = two_hats
    _token, clear = create(user, in_a)
    tampered = clear[:-1] + ("A" if clear[-1] != "A" else "B")
    assert api_token_authenticate(tampered) is None
    tag, prefix, _secret = clear.split("_", 2)
    assert api_token_authenticate(f"{tag}_{prefix}_") is None
    assert api_token_authenticate(f"{tag}_{prefix}_{'0' * 43}") is None


@pytest.mark.parametrize(
    "raw", ["", "   ", "fx", "fx_", "fx__", "Bearer fx_0123456789_abc", "xx_0123456789_secret", "fx_012_secret",
            "fx_0123456789", "fx_' OR 1=1 --_x", "fx_0123456789_" + "a" * 10_000]
)
def test_malformed_token_authenticates_to_none(two_hats, raw):
    assert api_token_authenticate(raw) is None


def test_token_of_an_inactive_user_authenticates_to_none(two_hats):
    user, in_a, _in_b = two_hats
    _token, clear = create(user, in_a)
    user.is_active = False
    user.save()
    assert api_token_authenticate(clear) is None


def test_token_of_a_withdrawn_assignment_authenticates_to_none(two_hats):
    user, in_a, _in_b = two_hats
    _token, clear = create(user, in_a)
    in_a.active = False
    in_a.save()
    assert api_token_authenticate(clear) is None


def test_creating_a_token_for_another_users_assignment_is_refused(world, two_hats):
    _user, in_a, _in_b = two_hats
    intruder = Actor.for_user(world.users["commander_a"])
    with pytest.raises(NotFound):
        api_token_create(actor=intruder, assignment=in_a, name="borrowed")
    assert not ApiToken.objects.filter(name="borrowed").exists()


def test_creating_a_token_for_a_withdrawn_assignment_is_refused(two_hats):
    user, in_a, _in_b = two_hats
    in_a.active = False
    in_a.save()
    with pytest.raises(NotFound):
        create(user, in_a)


def test_residents_may_not_create_tokens(world):
    user = world.users["resident_a1"]
    with pytest.raises(PermissionDenied):
        api_token_create(actor=Actor.for_user(user), assignment=user.role_assignments.get(), name="phone")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_token_needs_a_name_of_at_most_a_hundred_characters(two_hats, name):
    user, in_a, _in_b = two_hats
    with pytest.raises(DomainError) as excinfo:
        create(user, in_a, name=name)
    assert excinfo.value.code == "token_name"


def test_revoking_someone_elses_token_is_refused_unless_managing_users(world, two_hats):
    user, in_a, _in_b = two_hats
    token, clear = create(user, in_a)
    with pytest.raises(NotFound):
        api_token_revoke(actor=world.actor("commander_a"), token=token)
    assert api_token_authenticate(clear) is not None
    admin = world.actor("admin")
    with acting_as(admin):
        api_token_revoke(actor=admin, token=token)
    assert api_token_authenticate(clear) is None


def test_create_and_revoke_are_audited_once_each(two_hats):
    user, in_a, _in_b = two_hats
    token, clear = create(user, in_a)
    actor = Actor.for_user(user, source_ip="10.1.1.1")
    with acting_as(actor):
        api_token_revoke(actor=actor, token=token)
        api_token_revoke(actor=actor, token=token)  # a second revoke changes nothing
    created = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATE)
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    for event in (created, revoked):
        assert event.actor == user
        assert event.object_type == "accounts.apitoken" and event.object_id == str(token.pk)
        assert event.area_code == COMMUNITY_A
        assert event.source_ip == "10.1.1.1"
    secret = clear.split("_", 2)[2]
    for event in AuditEvent.objects.all():
        text = str(event.changes) + event.object_label
        assert secret not in text and token.secret_hash not in text
