"""07:30, grid worker, phone (DESIGN.md section 8): the task inbox, one tap to a task, accept, done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Task, TaskStatus
from fangxian.command.services.tasks import task_create
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, PASSWORD
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


def _morning(world) -> None:
    """Three screening checks due by noon, one overdue visit, and a task of the neighbouring grid."""
    now = timezone.now()
    with acting_as(Actor.system("test")) as system:
        for building in ("3号楼", "5号楼", "7号楼"):
            task_create(
                actor=system,
                title=f"协查核实：{building}",
                area_code=GRID_A1,
                source="screening",
                assignees=[world.users["grid_a1"]],
                due_at=now + dt.timedelta(hours=4),
            )
        late = task_create(
            actor=system,
            title="回访独居老人王大爷",
            area_code=GRID_A1,
            source="care",
            assignees=[world.users["grid_a1"]],
            due_at=now + dt.timedelta(hours=1),
            priority="high",
        )
        Task.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(hours=2))
        task_create(actor=system, title="第二网格的任务", area_code=GRID_A2, assignees=[world.users["grid_a2"]])


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_grid_worker_works_through_the_inbox_on_a_phone(browser, live_server, live_world, screenshot_dir, locale):
    _morning(live_world)
    context, page = new_page(browser, locale=locale, phone=True)
    base = live_server.url
    try:
        _log_in(page, base, "grid_a1")
        page.goto(f"{base}/command/tasks/")
        rows = page.locator("[data-testid=task-row]")
        assert rows.count() == 4
        body = page.inner_text("[data-testid=task-list]")
        assert "第二网格的任务" not in body
        # the overdue visit comes first, marked
        assert "回访独居老人王大爷" in rows.first.inner_text()
        assert page.inner_text("[data-testid=tab-overdue] .badge") == "1"
        assert page.get_attribute("html", "lang") == ("en" if locale == "en" else "zh-hans")
        # big enough for a thumb
        box = rows.first.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 300
        page.screenshot(path=str(screenshot_dir / f"task-inbox-grid-worker-{locale}.png"), full_page=True)

        # One tap to the task, accept, then done with a note: each swaps the task's section in place.
        rows.first.click()
        page.wait_for_selector("[data-testid=task-accept]")
        page.click("[data-testid=task-accept]")
        page.wait_for_selector("[data-testid=task-handback]")  # only an accepted task can be handed back
        assert page.locator("[data-testid=task-accept]").count() == 0
        page.fill(".fx-done-form input[name=reason]", "老人身体正常，已送口罩")
        page.click("[data-testid=task-done]")
        page.wait_for_selector("[data-testid=task-reopen]")
        page.screenshot(path=str(screenshot_dir / f"task-done-grid-worker-{locale}.png"), full_page=True)
        task = Task.objects.get(title="回访独居老人王大爷")
        assert task.status == TaskStatus.DONE and task.status_reason == "老人身体正常，已送口罩"
        assert list(task.status_changes.values_list("to_status", flat=True)) == ["open", "accepted", "done"]

        # Back in the inbox: three left, the done one under "Done".
        page.goto(f"{base}/command/tasks/")
        assert page.locator("[data-testid=task-row]").count() == 3
        page.click("[data-testid=tab-done]")
        page.wait_for_url("**/command/tasks/?tab=done")
        assert "回访独居老人王大爷" in page.inner_text("[data-testid=task-list]")

        # A cannot-do needs a reason: refused in place without one.
        page.goto(f"{base}/command/tasks/")
        page.locator("[data-testid=task-row]").first.click()
        page.click("[data-testid=task-cannot] summary")
        page.click("[data-testid=task-cannot-submit]")
        page.wait_for_selector("[data-testid=task-error]")
        page.click("[data-testid=task-cannot] summary")
        page.fill("[data-testid=task-cannot-reason]", "楼栋封闭，无法进入")
        page.click("[data-testid=task-cannot-submit]")
        page.wait_for_selector("[data-testid=task-reopen]")
        assert Task.objects.filter(status=TaskStatus.CANNOT_DO, status_reason="楼栋封闭，无法进入").count() == 1
    finally:
        context.close()
