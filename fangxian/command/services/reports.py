"""Writes of the daily report: submit (and replace), and the Excel exports.

Submitting freezes the day's figures and the notes into the one row of (community, date). A
second submission replaces the first: the row is locked and rewritten, never duplicated, also
when two workers press "submit" at the same moment (the loser of the insert race waits on the
unique index, then finds the winner's row and replaces it).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.command.models import DailyReport, DailyReportStatus
from fangxian.command.selectors.drills import capability_reaches
from fangxian.command.selectors.reports import (
    COMMUNITY_LENGTH,
    daily_report_draft,
    daily_report_get,
    daily_report_rollup,
    report_date_check,
    report_sections,
)
from fangxian.core.areacode import AREA_CODE_RE
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.exports import csv_safe_cell
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor

MAX_NOTES = 5000


def _locked_report(area_code: str, date: dt.date) -> DailyReport | None:
    return DailyReport.objects.select_for_update().filter(area_code=area_code, date=date).first()


def _fill(report: DailyReport, *, actor: Actor, figures: dict, notes: str, previous_count: int) -> None:
    report.status = DailyReportStatus.SUBMITTED
    report.figures = figures
    report.notes = notes
    report.submitted_at = timezone.now()
    report.submitted_by = actor.user
    report.submission_count = previous_count + 1


@transaction.atomic
def daily_report_submit(*, actor: Actor, area_code: str, date: dt.date, notes: str = "") -> DailyReport:
    """Freeze the community's figures of `date` with the notes; submitting again replaces, never adds."""
    if not actor.can("report.submit"):
        raise PermissionDenied(_("Your role may not submit daily reports."))
    if not isinstance(area_code, str) or not AREA_CODE_RE.match(area_code) or len(area_code) != COMMUNITY_LENGTH:
        raise DomainError(
            _("The daily report is submitted by a community."), code="report_not_community", field="area_code"
        )
    report_date_check(date)
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise DomainError(
            _("The notes are at most %(n)d characters.") % {"n": MAX_NOTES}, code="notes_too_long", field="notes"
        )
    # Visible first (404 elsewhere), then the capability in that community (403).
    if not Area.objects.visible_to(actor).filter(code=area_code).exists():
        raise NotFound(_("This area does not exist, or it is not in your jurisdiction."), field="area_code")
    if not capability_reaches(actor, "report.submit", area_code):
        raise PermissionDenied(_("You may submit the report of your own community only."))
    draft = daily_report_draft(actor=actor, area_code=area_code, date=date)
    figures = draft.figures

    report = _locked_report(area_code, date)
    if report is None:
        report = DailyReport(area_code=area_code, date=date)
    _fill(report, actor=actor, figures=figures, notes=notes, previous_count=report.submission_count)
    # The unique (area, date) constraint is the database's to hold under concurrency.
    report.full_clean(validate_constraints=False)
    if report.pk is not None:
        report.save()
        return report
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Another submission inserted the row after our read: wait for it, then replace it.
        existing = DailyReport.objects.select_for_update().get(area_code=area_code, date=date)
        _fill(existing, actor=actor, figures=figures, notes=notes, previous_count=existing.submission_count)
        existing.save()
        return existing
    return report


# --- Excel ---------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Sheet:
    """A constant-memory worksheet written row by row; text cells neutralised against formulas."""

    def __init__(self, title: str) -> None:
        from fangxian.core.exports import safe_workbook

        self.buffer = io.BytesIO()
        self.workbook = safe_workbook(self.buffer)
        self.sheet = self.workbook.add_worksheet(title[:31])
        self.bold = self.workbook.add_format({"bold": True})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.row = 0

    def write(self, cells: list[Any], *, bold: bool = False, wrap: bool = False) -> None:
        style = self.bold if bold else (self.wrap if wrap else None)
        for column, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.sheet.write_number(self.row, column, value, style)
            else:
                self.sheet.write_string(self.row, column, csv_safe_cell(value), style)
        self.row += 1

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def daily_report_export_xlsx(*, actor: Actor, report_id: int) -> tuple[str, bytes]:
    """One submitted report as an Excel file: section, figure, value; then the notes. Audited."""
    if not actor.can("report.view"):
        raise PermissionDenied(_("Your role may not read daily reports."))
    report = daily_report_get(actor=actor, report_id=report_id)
    audit_record(AuditAction.EXPORT, actor=actor, obj=report, changes={"format": "xlsx"})
    area = Area.objects.filter(code=report.area_code).first()
    sheet = _Sheet(_("Daily report"))
    sheet.write([_("Daily report"), area.name if area else report.area_code, report.date.isoformat()], bold=True)
    sheet.write([_("Area code"), report.area_code])
    sheet.write([_("Status"), str(report.get_status_display())])
    if report.submitted_at:
        sheet.write([_("Submitted at"), timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")])
    if report.submitted_by:
        sheet.write([_("Submitted by"), str(report.submitted_by)])
    sheet.write([])
    sheet.write([_("Section"), _("Figure"), _("Value")], bold=True)
    for section in report_sections(report.figures):
        for row in section.rows:
            sheet.write([section.title, row.label, row.value])
    sheet.write([])
    sheet.write([_("Notes")], bold=True)
    sheet.write([report.notes], wrap=True)
    return f"daily-report-{report.area_code}-{report.date:%Y%m%d}.xlsx", sheet.close()


def daily_report_rollup_export_xlsx(*, actor: Actor, area_code: str, date: dt.date) -> tuple[str, bytes]:
    """The roll-up as an Excel file: a column per area below, a total column, a status and a notes row. Audited."""
    report_date_check(date)
    rollup = daily_report_rollup(actor=actor, area_code=area_code, date=date)
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        obj=rollup.area,
        object_label=f"daily report roll-up {date}",
        changes={"format": "xlsx", "date": date.isoformat(), "columns": len(rollup.columns)},
    )
    sheet = _Sheet(_("Roll-up"))
    sheet.write([_("Daily report roll-up"), rollup.area.name, date.isoformat()], bold=True)
    sheet.write([_("Communities submitted"), rollup.submitted, _("of"), rollup.communities])
    sheet.write([])
    sheet.write([_("Section"), _("Figure"), *[c.area.name for c in rollup.columns], _("Total (submitted)")], bold=True)
    sheet.write(["", _("Area code"), *[c.area.code for c in rollup.columns], rollup.area.code])
    statuses = []
    for column in rollup.columns:
        if column.is_community:
            statuses.append(_("Submitted") if column.report else _("Not submitted"))
        else:
            statuses.append(
                _("%(submitted)s of %(total)s submitted") % {"submitted": column.submitted, "total": column.communities}
            )
    sheet.write(["", _("Status"), *statuses])
    for row in rollup.rows:
        sheet.write([row.section_title, row.label, *row.values, row.total])
    notes = [c.report.notes if c.report else "" for c in rollup.columns]
    if any(notes):
        sheet.write(["", _("Notes"), *notes], wrap=True)
    return f"daily-report-rollup-{rollup.area.code}-{date:%Y%m%d}.xlsx", sheet.close()
