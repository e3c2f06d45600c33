"""The baseline of bench/checkpoint_scan.py: a bare Django view that does one INSERT of a scan-shaped row.

Served by the same gunicorn setup and settings (middleware included) as the app, with this module
as ROOT_URLCONF (bench/bare_settings.py): what Django alone costs per request, without
authentication, the verdict, the idempotency check or the API layer.
"""

from __future__ import annotations

import uuid

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_bare_scan"


@csrf_exempt
def bare_scan(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (checkpoint_id, direction, at, verdict, reason, idempotency_key) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [1, "in", timezone.now(), "allow", "ok", uuid.uuid4()],
        )
    return HttpResponse(b'{"verdict": "allow"}', content_type="application/json", status=201)


urlpatterns = [path("bare/scan", bare_scan)]
