"""The import pages: upload, correct the mapping, preview, import, result and error report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangxian.core.models import AuditEvent
from fangxian.core.testing import GRID_A1, GRID_B1, login
from fangxian.registry.models import ImportJob, ImportStatus, Resident
from fangxian.registry.tests.factories_imports import id_number, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_directory(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def workbook_10_good_3_bad() -> bytes:
    # "户号" is a header no community variant matches: the user maps it to the room by hand.
    rows = [["姓名", "身份证号", "楼号", "户号"]]
    rows += [[f"居民{i}", id_number("19800101", i * 3), "7号楼", f"{100 + i}"] for i in range(1, 11)]
    rows += [
        ["坏一", "3.70202198801E+17", "7号楼", "201"],
        ["", id_number("19800101", 90), "7号楼", "202"],
        ["坏三", "123", "7号楼", "203"],
    ]
    return xlsx_bytes(rows, title="居民花名册")


def upload(client, data: bytes, name: str = "花名册.xlsx", grid: str = GRID_A1):
    return client.post(reverse("registry:import_upload"), {"file": SimpleUploadedFile(name, data), "grid": grid})


def test_upload_fix_mapping_preview_import_and_error_report(client, world, settings):
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:import_upload"))
    assert page.status_code == 200 and GRID_A1.encode() in page.content and GRID_B1.encode() not in page.content
    response = upload(client, workbook_10_good_3_bad())
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200 and "户号".encode() in page.content
    mapping = {"column_0": "name", "column_1": "id_number", "column_2": "building", "column_3": ""}
    page = client.post(mapping_url, {**mapping, "action": "preview"})
    assert b'data-testid="mapping-problems"' in page.content  # no room column yet
    mapping["column_3"] = "room"
    page = client.post(mapping_url, {**mapping, "action": "preview"})
    assert page.context["preview"].counts["created"] == 10 and page.context["preview"].counts["error"] == 3
    assert not Resident.objects.filter(name__startswith="居民").exists()
    response = client.post(mapping_url, {**mapping, "action": "run"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    job = page.context["job"]
    assert job.status == ImportStatus.DONE and job.counts["created"] == 10 and job.counts["error"] == 3
    assert Resident.objects.filter(name__startswith="居民", area_code=GRID_A1).count() == 10
    assert client.get(mapping_url)["Location"] == response["Location"]  # after the run, the mapping is the result
    # The upload is gone once imported; only the error report stays (until the nightly cleaning).
    assert not job.stored_file and [p.name for p in settings.VAR_DIR.joinpath("imports").iterdir()] == [job.report_file]
    report = client.get(reverse("registry:import_errors", args=[job.pk]))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))).get_sheet_by_index(0)
    assert [int(row[0]) for row in sheet.to_python()[1:]] == [13, 14, 15]
    # The history lists it; the record is audited as the upload of worker_a.
    history = client.get(reverse("registry:import_list"))
    assert "花名册.xlsx".encode() in history.content and b"10" in history.content
    assert AuditEvent.objects.filter(object_type="registry.importjob", object_id=str(job.pk)).exists()


def test_template_download(client, world):
    login(client, world.users["worker_a"])
    response = client.get(reverse("registry:import_template"))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")


def test_pages_refuse_roles_without_capability_and_other_users(client, world):
    login(client, world.users["grid_a1"])
    assert client.get(reverse("registry:import_upload")).status_code == 403
    assert client.get(reverse("registry:import_list")).status_code == 403
    login(client, world.users["worker_a"])
    mapping_url = upload(client, workbook_10_good_3_bad())["Location"]
    job = ImportJob.objects.get()
    client.logout()
    # The commander of the community sees the import, but only its uploader goes on with it.
    login(client, world.users["commander_a"])
    assert client.get(mapping_url).status_code == 404
    assert client.get(reverse("registry:import_detail", args=[job.pk])).status_code == 200
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(reverse("registry:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("registry:import_errors", args=[job.pk])).status_code == 404


def test_grid_outside_jurisdiction_and_bad_file_are_form_errors(client, world):
    login(client, world.users["worker_a"])
    response = upload(client, workbook_10_good_3_bad(), grid=GRID_B1)
    assert response.status_code == 200 and response.context["form"].errors["grid"]
    response = upload(client, b"MZ\x90\x00" + b"\0" * 64, name="a.xlsx")
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_api_import_dry_run_then_real(client, world):
    login(client, world.users["worker_a"])
    url = "/api/v1/registry/imports/"
    rows = [
        ["姓名", "身份证号", "楼号", "房号"],
        ["居民1", id_number("19800101", 3), "7号楼", "101"],
        ["坏", "1", "7号楼", "1"],
    ]
    data = xlsx_bytes(rows)
    response = client.post(url, {"grid": GRID_A1, "dry_run": "true", "file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["error"], body["dry_run"]) == (1, 1, True)
    assert [e["line"] for e in body["errors"]] == [3]
    assert not Resident.objects.filter(name="居民1").exists()
    response = client.post(url, {"grid": GRID_A1, "dry_run": "false", "file": SimpleUploadedFile("a.xlsx", data)})
    assert response.json()["created"] == 1 and Resident.objects.filter(name="居民1").count() == 1
    response = client.post(url, {"grid": GRID_B1, "dry_run": "false", "file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 403
    login(client, world.users["grid_a1"])
    response = client.post(url, {"grid": GRID_A1, "file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 403


def test_large_file_runs_as_a_background_job_with_progress(client, world, settings):
    settings.FANGXIAN_IMPORT_BACKGROUND_ROWS = 5
    login(client, world.users["worker_a"])
    mapping_url = upload(client, workbook_10_good_3_bad())["Location"]
    mapping = {"column_0": "name", "column_1": "id_number", "column_2": "building", "column_3": "room"}
    response = client.post(mapping_url, {**mapping, "action": "run"})  # HUEY immediate: the job runs inline
    page = client.get(response["Location"])
    assert page.context["job"].status == ImportStatus.DONE and page.context["job"].counts["created"] == 10
    assert Resident.objects.filter(name__startswith="居民").count() == 10
    # While a job runs, the page shows its progress and refreshes itself.
    job = page.context["job"]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, done_rows=6)
    page = client.get(response["Location"])
    assert page.context["job"].percent == 46 and b'data-testid="import-progress"' in page.content
    assert b'http-equiv="refresh"' in page.content
    # Running it twice is refused.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    assert client.post(mapping_url, {**mapping, "action": "run"})["Location"] == response["Location"]


def test_old_files_are_deleted_and_interrupted_imports_closed(client, world, settings):
    import datetime as dt

    from django.utils import timezone

    from fangxian.core.scoping import Actor
    from fangxian.registry.jobs import import_files_clean
    from fangxian.registry.services.imports import import_directory, import_jobs_clean

    login(client, world.users["worker_a"])
    waiting = ImportJob.objects.get(pk=upload(client, workbook_10_good_3_bad())["Location"].split("/")[-3])
    stuck = ImportJob.objects.get(pk=upload(client, workbook_10_good_3_bad())["Location"].split("/")[-3])
    ImportJob.objects.filter(pk=stuck.pk).update(status=ImportStatus.RUNNING)
    files = sorted(p.name for p in import_directory().iterdir())
    assert len(files) == 2
    assert import_jobs_clean(actor=Actor.system(), now=timezone.now() + dt.timedelta(hours=1)) == 0
    later = timezone.now() + dt.timedelta(days=settings.FANGXIAN_IMPORT_KEEP_DAYS, hours=1)
    assert import_jobs_clean(actor=Actor.system(), now=later) == 2
    waiting.refresh_from_db()
    stuck.refresh_from_db()
    assert waiting.status == ImportStatus.EXPIRED and not waiting.stored_file
    assert stuck.status == ImportStatus.FAILED and stuck.message
    assert not list(import_directory().iterdir())
    assert import_files_clean.call_local() == 0  # the periodic job: nothing left to clean
    page = client.get(reverse("registry:import_detail", args=[waiting.pk]))
    assert (
        page.status_code == 200 and client.get(reverse("registry:import_mapping", args=[waiting.pk])).status_code == 302
    )


def test_api_real_imports_are_recorded_and_large_ones_queued(client, world, settings):
    login(client, world.users["worker_a"])
    url = "/api/v1/registry/imports/"
    rows = [["姓名", "身份证号", "楼号", "房号"]]
    rows += [[f"居民{i}", id_number("19800101", i * 3), "7号楼", f"{100 + i}"] for i in range(1, 8)]
    response = client.post(
        url, {"grid": GRID_A1, "dry_run": "false", "file": SimpleUploadedFile("a.xlsx", xlsx_bytes(rows[:3]))}
    )
    body = response.json()
    assert response.status_code == 200 and body["created"] == 2 and body["job_id"]
    job = client.get(f"{url}jobs/{body['job_id']}").json()
    assert job["status"] == "done" and job["counts"]["created"] == 2 and job["file_name"] == "a.xlsx"
    settings.FANGXIAN_IMPORT_BACKGROUND_ROWS = 5
    response = client.post(
        url, {"grid": GRID_A1, "dry_run": "false", "file": SimpleUploadedFile("b.xlsx", xlsx_bytes(rows))}
    )
    assert response.status_code == 202  # queued (HUEY immediate has run it already)
    queued = response.json()
    listing = client.get(f"{url}jobs").json()
    assert [j["id"] for j in listing["items"]] == [queued["id"], body["job_id"]]
    assert listing["items"][0]["status"] == "done" and listing["items"][0]["counts"]["created"] == 5
    # A file whose columns cannot be recognised is refused before anything is recorded.
    bad = xlsx_bytes([["甲", "乙"], ["1", "2"]])
    response = client.post(url, {"grid": GRID_A1, "dry_run": "false", "file": SimpleUploadedFile("c.xlsx", bad)})
    assert response.status_code == 400 and ImportJob.objects.count() == 2
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(f"{url}jobs/{queued['id']}").status_code == 404


def test_the_update_option_goes_from_the_page_to_the_import(client, world):
    login(client, world.users["worker_a"])
    mapping = {"column_0": "name", "column_1": "id_number", "column_2": "building", "column_3": "room"}
    client.post(upload(client, workbook_10_good_3_bad())["Location"], {**mapping, "action": "run"})
    changed = [["姓名", "身份证号", "楼号", "户号"], ["居民一改", id_number("19800101", 3), "7号楼", "101"]]
    mapping_url = upload(client, xlsx_bytes(changed))["Location"]
    page = client.post(mapping_url, {**mapping, "update_existing": "on", "action": "preview"})
    assert page.context["preview"].counts["updated"] == 1 and b'data-testid="preview-updated"' in page.content
    response = client.post(mapping_url, {**mapping, "update_existing": "on", "action": "run"})
    job = client.get(response["Location"]).context["job"]
    assert job.update_existing and job.counts["updated"] == 1
    assert Resident.objects.filter(name="居民一改").count() == 1 and not Resident.objects.filter(name="居民1").exists()
