"""A community worker imports the register: 10 good and 3 bad rows, corrects the mapping of a column
the importer did not recognise, previews, imports, sees 10 imported and downloads a 3-row error report."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from fangxian.core.testing import GRID_A1, PASSWORD
from fangxian.registry.models import Resident
from fangxian.registry.tests.factories_imports import id_number, xlsx_bytes
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _workbook(path) -> None:
    # "户号" matches no header variant: the worker maps it to the room by hand.
    rows = [["姓名", "身份证号", "楼号", "户号"]]
    rows += [[f"居民{i}", id_number("19800101", i * 3), "7号楼", f"{100 + i}"] for i in range(1, 11)]
    rows += [
        ["坏一", "3.70202198801E+17", "7号楼", "201"],
        ["", id_number("19800101", 90), "7号楼", "202"],
        ["坏三", "123", "7号楼", "203"],
    ]
    path.write_bytes(xlsx_bytes(rows, title="测试甲社区居民花名册"))


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_worker_imports_10_good_and_3_bad_rows(
    browser, live_server, live_world, screenshot_dir, tmp_path, settings, locale
):
    settings.VAR_DIR = tmp_path
    workbook = tmp_path / "花名册.xlsx"
    _workbook(workbook)
    context, page = new_page(browser, locale=locale)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "worker_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-testid=login-submit]")
        page.wait_for_load_state()

        page.goto(f"{live_server.url}/registry/imports/")
        page.set_input_files("[data-testid=import-file]", str(workbook))
        page.select_option("[data-testid=import-grid]", GRID_A1)
        page.click("[data-testid=import-upload]")
        page.wait_for_selector("[data-testid=mapping-form]")

        page.click("[data-testid=import-preview]")
        page.wait_for_selector("[data-testid=mapping-problems]")  # no room column recognised
        page.select_option("[data-testid=map-3]", "room")
        page.screenshot(path=str(screenshot_dir / f"import-mapping-worker-{locale}.png"), full_page=True)
        page.click("[data-testid=import-preview]")
        page.wait_for_selector("[data-testid=import-preview-result]")
        assert page.inner_text("[data-testid=preview-created]") == "10"
        assert page.inner_text("[data-testid=preview-errors]") == "3"
        assert not Resident.objects.filter(name__startswith="居民").exists()

        page.click("[data-testid=import-run]")
        page.wait_for_selector("[data-testid=import-result]")
        assert page.inner_text("[data-testid=result-created]") == "10"
        assert page.inner_text("[data-testid=result-errors]") == "3"
        page.screenshot(path=str(screenshot_dir / f"import-result-worker-{locale}.png"), full_page=True)
        assert Resident.objects.filter(name__startswith="居民", area_code=GRID_A1).count() == 10

        with page.expect_download() as download:
            page.click("[data-testid=import-error-report]")
        report = CalamineWorkbook.from_filelike(io.BytesIO(open(download.value.path(), "rb").read()))
        rows = report.get_sheet_by_index(0).to_python()
        assert [int(row[0]) for row in rows[1:]] == [13, 14, 15]
    finally:
        context.close()
