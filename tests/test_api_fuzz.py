"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis).

Whatever a client sends, well-formed or not, the API answers with a documented shape and never
with a server error. Runs against the WSGI app in-process, as a token-holding grid worker.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes the connection after each WSGI request; the test client stops that, WSGI calls don't.

    Closing it would end the test's transaction (PostgreSQL: "the connection is closed").
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    from fangxian.accounts.models import RoleAssignment
    from fangxian.accounts.services import api_token_create
    from fangxian.core.scoping import Actor

    user = world.users["commander_a"]
    _token, secret = api_token_create(actor=Actor.for_user(user), assignment=RoleAssignment.objects.get(user=user),
                                      name="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_a_server_error(case, bearer):
    response = case.call(headers=bearer)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400 and response.status_code != 405:  # 405 comes from Django's routing, bodiless
        assert {"code", "message"} <= set(response.json()), response.text
