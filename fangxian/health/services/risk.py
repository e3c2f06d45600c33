"""Writes of risk areas: a commander or an official lists a place as risky, changes or ends it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.health.models import RiskArea
from fangxian.health.services.cases import full_clean_or_refuse

RISK_FIELDS = ("division_code", "name", "level", "measure", "days", "since", "until", "note")


def _require(actor: Actor, capability: str, message: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(message)


def _keeper(actor: Actor, area_code: str) -> Area:
    try:
        return Area.objects.get_visible(actor, code=area_code)
    except Http404:
        raise NotFound(_("There is no such area in your jurisdiction."), field="area_code") from None


@transaction.atomic
def risk_area_create(*, actor: Actor, area_code: str, **fields: Any) -> RiskArea:
    """List a place as risky for arrivals to `area_code` and everything below it."""
    _require(actor, "risk.manage", _("Your role may not keep the list of risk areas."))
    keeper = _keeper(actor, area_code)
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise DomainError(_("This field cannot be set here."), code="field_not_editable", field=sorted(unknown)[0])
    area = RiskArea(area_code=keeper.code, created_by=actor.user, **fields)
    if area.since is None:
        area.since = timezone.localdate()
    _check_dates(area.since, area.until)
    full_clean_or_refuse(area)
    area.save()
    return area


@transaction.atomic
def risk_area_end(*, actor: Actor, risk_area_id: int, until: dt.date | None = None) -> RiskArea:
    """The place is no longer risky from the day after `until` (today by default)."""
    _require(actor, "risk.manage", _("Your role may not keep the list of risk areas."))
    try:
        area = RiskArea.objects.select_for_update().get_visible(actor, pk=risk_area_id)
    except Http404:
        raise NotFound(_("There is no such risk area in your jurisdiction.")) from None
    area.until = until or timezone.localdate()
    _check_dates(area.since, area.until)
    full_clean_or_refuse(area)
    area.save()
    return area


def _check_dates(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and until < since:
        raise DomainError(_("A risk area ends on or after the day it starts."), code="risk_dates", field="until")
