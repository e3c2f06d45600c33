"""Property tests: a tampered, expired or revoked token is always denied; a good one passes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fangxian.checkpoints.models import ScanReason
from fangxian.checkpoints.services.passes import pass_token, pass_verify
from fangxian.checkpoints.tests.conftest import make_pass
from fangxian.checkpoints.tokens import TokenInvalid, pass_token_make, pass_token_read

DB_SETTINGS = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TOKEN_CHARS = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ")


@pytest.mark.django_db
def test_a_fresh_pass_is_allowed(person_pass):
    check = pass_verify(pass_token(person_pass))
    assert check.ok and check.reason == ScanReason.OK and check.gate_pass == person_pass


@pytest.mark.django_db
def test_the_token_carries_no_personal_data(person, person_pass):
    token = pass_token(person_pass)
    assert token.startswith("FX1.")
    assert person.name not in token and "13800138000" not in token and "1101051949" not in token
    assert str(person.pk) not in token.split(".")[1] or len(token.split(".")[1]) == 16


@pytest.mark.django_db
@DB_SETTINGS
@given(position=st.integers(min_value=0, max_value=200), replacement=TOKEN_CHARS)
def test_a_tampered_token_is_always_denied(person_pass, position, replacement):
    token = pass_token(person_pass)
    position %= len(token)
    if token[position] == replacement:
        return
    tampered = token[:position] + replacement + token[position + 1 :]
    check = pass_verify(tampered)
    assert not check.ok
    assert check.reason in {ScanReason.PASS_INVALID, ScanReason.PASS_UNKNOWN}


@pytest.mark.django_db
@DB_SETTINGS
@given(extra=st.text(min_size=1, max_size=20))
def test_a_token_with_anything_appended_or_prepended_is_denied(person_pass, extra):
    token = pass_token(person_pass)
    if extra.strip() == "":
        return  # surrounding white space (a scanner's newline) is not part of the token
    assert not pass_verify(token + extra).ok
    assert not pass_verify(extra + token).ok


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_reads_as_a_token(text):
    with pytest.raises(TokenInvalid):
        pass_token_read(text)


@pytest.mark.django_db
@DB_SETTINGS
@given(seconds_ago=st.integers(min_value=0, max_value=10 * 365 * 86400))
def test_an_expired_token_is_always_denied(person_pass, seconds_ago):
    # Signed with the right key, for the right pass, but its expiry is past.
    now = dt.datetime.now(tz=dt.UTC)
    token = pass_token_make(person_pass.public_id, now - dt.timedelta(seconds=seconds_ago))
    check = pass_verify(token, at=now)
    assert not check.ok and check.reason == ScanReason.PASS_EXPIRED


@pytest.mark.django_db
@DB_SETTINGS
@given(days=st.integers(min_value=1, max_value=366))
def test_a_token_outliving_its_pass_is_denied_when_the_pass_expired(person, days):
    gate_pass = make_pass(person, days=1)
    # A token claiming a later expiry than the row (as if the row was shortened): the row wins.
    token = pass_token_make(gate_pass.public_id, gate_pass.expires_at + dt.timedelta(days=days))
    check = pass_verify(token, at=gate_pass.expires_at + dt.timedelta(seconds=1))
    assert not check.ok and check.reason == ScanReason.PASS_EXPIRED


@pytest.mark.django_db
@DB_SETTINGS
@given(seconds_after=st.integers(min_value=0, max_value=29 * 86400))
def test_a_revoked_pass_is_always_denied_after_its_revocation(person_pass, seconds_after):
    from django.utils import timezone

    revoked_at = timezone.now()
    type(person_pass).objects.filter(pk=person_pass.pk).update(revoked_at=revoked_at, revoke_reason="lost")
    token = pass_token(person_pass)
    at = revoked_at + dt.timedelta(seconds=seconds_after)
    check = pass_verify(token, at=at)
    assert not check.ok and check.reason == ScanReason.PASS_REVOKED


@pytest.mark.django_db
def test_a_live_scan_of_a_revoked_pass_is_denied_even_if_the_phone_clock_lags(person_pass):
    from django.utils import timezone

    type(person_pass).objects.filter(pk=person_pass.pk).update(revoked_at=timezone.now(), revoke_reason="lost")
    check = pass_verify(pass_token(person_pass), at=timezone.now() - dt.timedelta(minutes=2))
    assert check.reason == ScanReason.PASS_REVOKED


@pytest.mark.django_db
def test_an_offline_scan_made_before_the_revocation_stays_valid(person_pass):
    from django.utils import timezone

    type(person_pass).objects.filter(pk=person_pass.pk).update(revoked_at=timezone.now(), revoke_reason="lost")
    check = pass_verify(pass_token(person_pass), at=timezone.now() - dt.timedelta(hours=3))
    assert check.ok


@pytest.mark.django_db
def test_a_token_signed_with_another_key_is_denied(person_pass, settings):
    token = pass_token(person_pass)
    settings.FANGXIAN_PASS_KEY = "another-key-of-another-deployment"
    assert pass_verify(token).reason == ScanReason.PASS_INVALID
