"""A NUL character anywhere a field could take it is refused with 400, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

import pytest

from fangxian.core.testing import login

pytestmark = pytest.mark.django_db


def test_query_parameter_with_nul_is_a_400_for_the_api_and_the_pages(client, world):
    login(client, world.users["commander_a"])
    response = client.get("/api/v1/command/plans", {"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_characters"
    response = client.get("/registry/households/", {"building": "\x00"})
    assert response.status_code == 400 and b"NUL" in response.content


def test_json_and_form_bodies_with_nul_are_refused(client, world):
    login(client, world.users["commander_a"])
    body = json.dumps({"title": "a\u0000b"})
    response = client.post("/api/v1/command/tasks", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_characters"
    response = client.post("/registry/households/", "room=1%002", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    response = client.get("/areas/%00/")
    assert response.status_code == 400 and b"NUL" in response.content


def test_ordinary_text_with_percent_signs_passes(client, world):
    login(client, world.users["commander_a"])
    assert client.get("/registry/households/", {"building": "100%"}).status_code == 200
