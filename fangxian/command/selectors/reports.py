"""Reads of the daily report: the day's figures of an area, one report, and the roll-up above communities.

The figures come from the sections that apps register in `fangxian.command.daily`; each section
counts through the actor's scope. A submitted report keeps its frozen figures; roll-ups sum only
submitted reports, so a community that has not reported yet adds nothing and shows as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

import fangxian.command.daily_sections  # noqa: F401  (registers the command app's sections)
from fangxian.areas.models import Area
from fangxian.command.daily import daily_sections as registered_sections
from fangxian.command.models import DailyReport, DailyReportStatus
from fangxian.core.areacode import AREA_CODE_RE
from fangxian.core.capabilities import CAPABILITY_ROLES
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.scoping import Actor

COMMUNITY_LENGTH = 12
EARLIEST_REPORT_DATE = dt.date(2000, 1, 1)


def report_date_check(date: dt.date) -> dt.date:
    """A report's date: not in the future (in local time), not before the platform could have existed."""
    if date > timezone.localdate():
        raise DomainError(
            _("A report cannot be written for a day that has not come yet."), code="report_date_future", field="date"
        )
    if date < EARLIEST_REPORT_DATE:
        raise DomainError(_("This date is too long ago."), code="report_date_too_old", field="date")
    return date


def _require_view(actor: Actor) -> None:
    if not actor.can("report.view"):
        raise PermissionDenied(_("Your role may not read daily reports."))


def _visible_area(actor: Actor, area_code: str) -> Area:
    if not isinstance(area_code, str) or not AREA_CODE_RE.match(area_code) or not area_code:
        raise Http404(_("Not found."))
    return Area.objects.get_visible(actor, code=area_code)


@dataclass
class FigureRow:
    key: str
    label: str
    value: int | None


@dataclass
class SectionFigures:
    key: str
    title: str
    rows: list[FigureRow]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def report_sections(figures: dict) -> list[SectionFigures]:
    """Frozen or live figures as labelled sections, in the registry's order.

    Figures a section no longer registers (a report frozen before a change) are kept, under their
    key, so an old report still shows everything it said.
    """
    figures = figures if isinstance(figures, dict) else {}
    sections = []
    seen = set()
    for section in registered_sections():
        values = figures.get(section.key, {}) if isinstance(figures.get(section.key), dict) else {}
        rows = [FigureRow(key, str(label), values.get(key)) for key, label in section.labels.items()]
        rows += [FigureRow(key, key, value) for key, value in values.items() if key not in section.labels]
        sections.append(SectionFigures(section.key, str(section.title), rows))
        seen.add(section.key)
    for key, values in figures.items():
        if key not in seen and isinstance(values, dict):
            sections.append(SectionFigures(key, key, [FigureRow(k, k, v) for k, v in values.items()]))
    return sections


@dataclass
class DailyReportDraft:
    """The day's figures of an area computed now, beside the report already submitted for it (if any)."""

    area: Area
    date: dt.date
    sections: list[SectionFigures]
    report: DailyReport | None

    @property
    def figures(self) -> dict[str, dict[str, int]]:
        return {s.key: {row.key: row.value for row in s.rows} for s in self.sections}


def daily_report_draft(*, actor: Actor, area_code: str, date: dt.date) -> DailyReportDraft:
    """Compute every registered section's figures for the area and date, through the actor's scope."""
    _require_view(actor)
    area = _visible_area(actor, area_code)
    report_date_check(date)
    sections = []
    for section in registered_sections():
        values = section.figures(actor, area.code, date)
        sections.append(
            SectionFigures(
                section.key,
                str(section.title),
                [FigureRow(key, str(label), int(values.get(key, 0))) for key, label in section.labels.items()],
            )
        )
    report = DailyReport.objects.visible_to(actor).filter(area_code=area.code, date=date).first()
    return DailyReportDraft(area=area, date=date, sections=sections, report=report)


def daily_report_get(*, actor: Actor, report_id: int) -> DailyReport:
    _require_view(actor)
    return DailyReport.objects.select_related("submitted_by").get_visible(actor, pk=report_id)


def daily_report_list(*, actor: Actor, area_code: str = "", date: dt.date | None = None) -> QuerySet[DailyReport]:
    reports = DailyReport.objects.visible_to(actor).filter(status=DailyReportStatus.SUBMITTED)
    if area_code:
        reports = reports.within(area_code)
    if date is not None:
        reports = reports.filter(date=date)
    return reports.select_related("submitted_by").order_by("-date", "area_code")


def report_area(*, actor: Actor, area_code: str) -> Area | None:
    return Area.objects.visible_to(actor).filter(code=area_code).first()


def area_names(*, actor: Actor, codes: list[str]) -> dict[str, str]:
    """Names of the areas the actor sees, by code, in one query (for lists of reports)."""
    return dict(Area.objects.visible_to(actor).filter(code__in=sorted(set(codes))).values_list("code", "name"))


def report_submit_areas(*, actor: Actor) -> list[Area]:
    """The communities the actor writes the daily report of (where they hold report.submit)."""
    roles = CAPABILITY_ROLES["report.submit"]
    codes = sorted({g.area_code for g in actor.grants if g.role in roles and len(g.area_code) == COMMUNITY_LENGTH})
    if not codes:
        return []
    return list(Area.objects.visible_to(actor).filter(code__in=codes).order_by("code"))


def report_rollup_default_area(*, actor: Actor) -> str:
    """The widest area the actor reads reports of: their street, district, city (or their community)."""
    roles = CAPABILITY_ROLES["report.view"]
    codes = sorted({g.area_code for g in actor.grants if g.role in roles and g.area_code}, key=lambda c: (len(c), c))
    return codes[0] if codes else ""


# --- roll-up -------------------------------------------------------------------------------------


@dataclass
class RollupColumn:
    """One area below the roll-up's area: a community (its report) or a street/district (its communities summed)."""

    area: Area
    communities: int = 0
    submitted: int = 0
    report: DailyReport | None = None
    values: dict[tuple[str, str], int | float] = field(default_factory=dict)

    @property
    def is_community(self) -> bool:
        return len(self.area.code) == COMMUNITY_LENGTH

    @property
    def has_data(self) -> bool:
        return self.submitted > 0


@dataclass
class RollupRow:
    section_key: str
    section_title: str
    key: str
    label: str
    values: list[int | float | None]
    total: int | float
    first_of_section: bool = False


@dataclass
class Rollup:
    area: Area
    date: dt.date
    columns: list[RollupColumn]
    rows: list[RollupRow]
    communities: int
    submitted: int


def _add(target: dict[tuple[str, str], int | float], figures: dict) -> None:
    if not isinstance(figures, dict):
        return
    for section_key, values in figures.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if _is_number(value):
                target[(section_key, key)] = target.get((section_key, key), 0) + value


def daily_report_rollup(
    *, actor: Actor, area_code: str, date: dt.date, reports: QuerySet[DailyReport] | None = None
) -> Rollup:
    """The communities' submitted reports of one date, side by side, and their sum.

    Columns are the areas one level below `area_code`: for a street, its communities, each with
    its own report or "not submitted"; for a district or city, its streets or districts, each the
    sum of its communities' submitted reports with how many of them submitted. The total column
    sums the numeric figures of submitted reports only. `reports` lets a view pass the queryset it
    already scoped; it is narrowed again here to the area and date.
    """
    _require_view(actor)
    area = _visible_area(actor, area_code)
    report_date_check(date)
    if len(area.code) > COMMUNITY_LENGTH:
        raise DomainError(
            _("Reports are rolled up for a community or a wider area."), code="report_area_level", field="area"
        )
    if len(area.code) == COMMUNITY_LENGTH:
        column_areas = [area]
    else:
        column_areas = list(Area.objects.visible_to(actor).filter(parent_id=area.code).order_by("code"))
    columns = [RollupColumn(area=a) for a in column_areas]
    by_prefix = {c.area.code: c for c in columns}
    prefix_length = len(column_areas[0].code) if column_areas else COMMUNITY_LENGTH
    communities = (
        [area.code]
        if len(area.code) == COMMUNITY_LENGTH
        else list(
            Area.objects.visible_to(actor)
            .within(area.code)
            .filter(level=COMMUNITY_LENGTH)
            .values_list("code", flat=True)
        )
    )
    community_set = set(communities)
    for code in communities:
        column = by_prefix.get(code[:prefix_length])
        if column is not None:
            column.communities += 1
    scoped = reports if reports is not None else DailyReport.objects.visible_to(actor)
    submitted = (
        scoped.within(area.code)
        .filter(date=date, status=DailyReportStatus.SUBMITTED)
        .select_related("submitted_by")
        .order_by("area_code")
    )
    total: dict[tuple[str, str], int | float] = {}
    submitted_count = 0
    for report in submitted:
        if report.area_code not in community_set:
            continue  # reports are written by communities; anything else is not summed
        column = by_prefix.get(report.area_code[:prefix_length])
        if column is None:
            continue
        column.submitted += 1
        submitted_count += 1
        if column.is_community:
            column.report = report
        _add(column.values, report.figures)
        _add(total, report.figures)
    rows: list[RollupRow] = []
    present = set(total)
    for section in report_sections({s: {} for s, _k in present}):
        keys = [r.key for r in section.rows]
        keys += sorted(k for s, k in present if s == section.key and k not in keys)
        labels = {r.key: r.label for r in section.rows}
        for index, key in enumerate(keys):
            rows.append(
                RollupRow(
                    section_key=section.key,
                    section_title=section.title,
                    key=key,
                    label=labels.get(key, key),
                    values=[c.values.get((section.key, key), 0) if c.has_data else None for c in columns],
                    total=total.get((section.key, key), 0),
                    first_of_section=index == 0,
                )
            )
    return Rollup(
        area=area, date=date, columns=columns, rows=rows, communities=len(communities), submitted=submitted_count
    )
