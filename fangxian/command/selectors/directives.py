"""Reads of directives: lists, compliance per community, roll-ups per street, district and city.

A community's copy has *complied* when it is acknowledged and, where the directive asks for a
report, reported. It is *overdue* when it has not complied and the deadline has passed (a late
compliance counts as complied). Every figure is computed over `DirectiveRecipient.visible_to(actor)`,
so a street official looking at a city's directive sees only the communities of the street.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from fangxian.areas.models import Area
from fangxian.command.models import Directive, DirectiveAttachment, DirectiveRecipient
from fangxian.core.areacode import AREA_CODE_RE, LEVEL_LENGTHS
from fangxian.core.roles import OFFICIAL_ROLES
from fangxian.core.scoping import Actor

COMMUNITY_LENGTH = 12
DIRECTIVE_BOXES = ("all", "sent", "received")


def complied_q(prefix: str = "") -> Q:
    """Acknowledged, and reported where a report is required (`prefix` for lookups through a relation)."""
    return Q(**{f"{prefix}acknowledged_at__isnull": False}) & (
        Q(**{f"{prefix}directive__report_required": False}) | Q(**{f"{prefix}reported_at__isnull": False})
    )


def overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    return ~complied_q(prefix) & Q(**{f"{prefix}directive__deadline__lt": now})


def directive_list(*, actor: Actor, box: str = "all") -> QuerySet[Directive]:
    """Directives the actor sees, newest first: `sent` from their areas, `received` by their communities."""
    directives = Directive.objects.visible_to(actor)
    return directive_list_narrow(directives, actor=actor, box=box)


def directive_list_narrow(queryset: QuerySet[Directive], *, actor: Actor, box: str = "all") -> QuerySet[Directive]:
    """Narrow already scoped directives to one box (see `directive_list`)."""
    if box == "sent":
        sent = Q(pk__in=[])
        for prefix in actor.area_prefixes:
            sent |= Q(area_code__within=prefix)
        queryset = queryset.filter(sent)
    elif box == "received":
        copies = DirectiveRecipient.objects.visible_to(actor).filter(directive_id=OuterRef("pk"))
        queryset = queryset.filter(Exists(copies))
    return queryset.select_related("sent_by").order_by("-sent_at", "-pk")


def directive_received(*, actor: Actor) -> QuerySet[DirectiveRecipient]:
    """The copies addressed to the actor's communities (the community's directive inbox), newest first."""
    return (
        DirectiveRecipient.objects.visible_to(actor).select_related("directive").order_by("-directive__sent_at", "-pk")
    )


def directive_copy_for(*, actor: Actor, directive: Directive) -> DirectiveRecipient | None:
    """The actor's own community's copy (the first, if the actor answers for several), or None."""
    communities = [g.area_code for g in actor.grants if len(g.area_code) == COMMUNITY_LENGTH]
    if not communities:
        return None
    return (
        DirectiveRecipient.objects.visible_to(actor)
        .filter(directive=directive, area_code__in=communities)
        .order_by("area_code")
        .first()
    )


def directive_attachments(*, actor: Actor, directive: Directive) -> QuerySet[DirectiveAttachment]:
    """Files of a directive: shown to everybody who sees the directive (the sender's area or a recipient)."""
    return DirectiveAttachment.objects.visible_to(actor).filter(directive_id=directive.pk).order_by("pk")


def _area_names(codes: list[str]) -> dict[str, str]:
    # Names of places are public statistics (the same rule as breadcrumbs in area_ancestors).
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def directive_compliance(*, actor: Actor, directive: Directive, now: dt.datetime | None = None) -> dict[str, Any]:
    """Compliance per community the actor may see, and the totals ("1/2 complied").

    Rows: code, name, acknowledged_at, reported_at, report, complied, overdue, reminder_count,
    reminded_at; totals: total, acknowledged, reported, complied, overdue, laggards.
    """
    now = now or timezone.now()
    copies = list(
        DirectiveRecipient.objects.visible_to(actor)
        .filter(directive=directive)
        .select_related("acknowledged_by", "reported_by")
        .order_by("area_code")
    )
    names = _area_names([copy.area_code for copy in copies])
    rows = []
    for copy in copies:
        complied = copy.acknowledged_at is not None and (not directive.report_required or copy.reported_at is not None)
        rows.append(
            {
                "copy": copy,
                "code": copy.area_code,
                "name": names.get(copy.area_code, copy.area_code),
                "acknowledged_at": copy.acknowledged_at,
                "reported_at": copy.reported_at,
                "report": copy.report,
                "complied": complied,
                "overdue": not complied and directive.deadline < now,
                "late": complied and (copy.reported_at or copy.acknowledged_at) > directive.deadline,
                "reminder_count": copy.reminder_count,
                "reminded_at": copy.reminded_at,
            }
        )
    total = len(rows)
    complied = sum(1 for row in rows if row["complied"])
    return {
        "rows": rows,
        "total": total,
        "acknowledged": sum(1 for row in rows if row["acknowledged_at"]),
        "reported": sum(1 for row in rows if row["reported_at"]),
        "complied": complied,
        "overdue": sum(1 for row in rows if row["overdue"]),
        "laggards": total - complied,
        "label": f"{complied}/{total}",
    }


def directive_compliance_totals(
    *, actor: Actor, directive_ids: list[int], now: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """Totals of several directives at once (a list page): one grouped query."""
    now = now or timezone.now()
    rows = (
        DirectiveRecipient.objects.visible_to(actor)
        .filter(directive_id__in=directive_ids)
        .values("directive_id")
        .annotate(
            total=Count("pk"),
            complied=Count("pk", filter=complied_q()),
            overdue=Count("pk", filter=overdue_q(now)),
        )
        .order_by()
    )
    return {
        row["directive_id"]: {"total": row["total"], "complied": row["complied"], "overdue": row["overdue"]}
        for row in rows
    }


def _child_length(area_code: str) -> int:
    if len(area_code) >= COMMUNITY_LENGTH:
        return COMMUNITY_LENGTH
    index = LEVEL_LENGTHS.index(len(area_code)) if len(area_code) in LEVEL_LENGTHS else -1
    return LEVEL_LENGTHS[index + 1] if index + 1 < len(LEVEL_LENGTHS) else COMMUNITY_LENGTH


def directive_rollup(*, actor: Actor, area_code: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Compliance below an area, one row per child: communities of a street, streets of a district,
    districts of a city. Counts are of community copies (a directive to 12 communities is 12 copies);
    `directives` is how many distinct directives reached the child.
    """
    if not isinstance(area_code, str) or not AREA_CODE_RE.match(area_code) or len(area_code) not in LEVEL_LENGTHS:
        raise ValueError(f"not an area code: {area_code!r}")
    now = now or timezone.now()
    length = _child_length(area_code)
    grouped = (
        DirectiveRecipient.objects.visible_to(actor)
        .within(area_code)
        .annotate(child=Substr("area_code", 1, length))
        .values("child")
        .annotate(
            copies=Count("pk"),
            directives=Count("directive", distinct=True),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            complied=Count("pk", filter=complied_q()),
            overdue=Count("pk", filter=overdue_q(now)),
        )
        .order_by("child")
    )
    rows = []
    for row in grouped:
        rows.append({**row, "code": row["child"], "pending": row["copies"] - row["complied"]})
    names = _area_names([row["code"] for row in rows])
    for row in rows:
        row["name"] = names.get(row["code"], row["code"])
    totals = {
        key: sum(row[key] for row in rows) for key in ("copies", "acknowledged", "complied", "overdue", "pending")
    }
    return {"area_code": area_code, "child_length": length, "rows": rows, "totals": totals}


def directive_rollup_area(*, actor: Actor) -> str | None:
    """The area whose roll-up an official sees first: their widest official grant."""
    official = [g.area_code for g in actor.grants if g.role in OFFICIAL_ROLES]
    return min(official, key=len) if official else None


def directive_counts(*, actor: Actor, area_code: str, date: dt.date | None = None) -> dict[str, int]:
    """A day's directive figures of an area, for the daily report: copies received that day, copies
    acknowledged and reported that day, and copies overdue at the end of the day (or now, for today)."""
    date = date or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(date, dt.time.min))
    end = start + dt.timedelta(days=1)
    moment = min(end, timezone.now())
    copies = DirectiveRecipient.objects.visible_to(actor).within(area_code)
    not_complied_at_end = (Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=moment)) | (
        Q(directive__report_required=True) & (Q(reported_at__isnull=True) | Q(reported_at__gte=moment))
    )
    result = copies.aggregate(
        received=Count("pk", filter=Q(directive__sent_at__gte=start, directive__sent_at__lt=end)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__gte=start, acknowledged_at__lt=end)),
        reported=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
        overdue=Count("pk", filter=Q(directive__sent_at__lt=end, directive__deadline__lt=moment) & not_complied_at_end),
    )
    return {key: value or 0 for key, value in result.items()}
