"""Daily check-ins (每日健康打卡) and the community's health policy per emergency level."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.command.models import EmergencyLevel
from fangxian.command.selectors.emergencies import active_emergency
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.measures import body_temperature
from fangxian.core.personal import name_masked
from fangxian.core.scoping import Actor
from fangxian.health.models import CheckIn, HealthPolicy
from fangxian.health.models.cases import default_fever
from fangxian.health.services.cases import full_clean_or_refuse, grid_task, policy_for, symptoms_clean
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus

POLICY_FIELDS = ("check_in_required", "home_quarantine_days", "monitoring_days", "report_grace_hours")


@transaction.atomic
def checkin_submit(*, actor: Actor, resident_id: int, temperature: Any = None, symptoms: Any = None) -> CheckIn:
    """Today's check-in of a resident (the person's household, or a worker for them); once a day."""
    try:
        resident = Resident.objects.get_visible(actor, pk=resident_id)
    except Http404:
        raise NotFound(_("There is no such resident in your jurisdiction."), field="resident_id") from None
    if not actor.can("checkin.submit", resident):
        raise PermissionDenied(_("Your role may not check in for this person."))
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("This person is no longer registered here."), code="resident_inactive")
    if not policy_for(resident.area_code[:12]).check_in_required:
        raise DomainError(_("Your community does not ask for a daily check-in now."), code="checkin_not_required")
    check_in = CheckIn(
        area_code=resident.area_code,
        emergency=active_emergency(resident.area_code),
        resident=resident,
        household_id=resident.household_id,
        day=timezone.localdate(),
        temperature=body_temperature(temperature),
        symptoms=symptoms_clean(symptoms),
        reported_by=actor.user,
    )
    full_clean_or_refuse(check_in, exclude=["resident", "day"])
    try:
        with transaction.atomic():
            check_in.save()
    except IntegrityError:
        raise Conflict(_("This person has checked in today already."), code="checked_in") from None
    if (check_in.temperature is not None and check_in.temperature >= default_fever()) or check_in.symptoms:
        grid_task(
            title=_("Check-in with fever or symptoms: %(name)s") % {"name": name_masked(resident.name)},
            area_code=resident.area_code,
            source_ref=f"health.checkin:{check_in.pk}",
            description=_("Call the household, re-check, and open a health case if needed."),
            urgent=True,
            hours=2,
        )
    return check_in


@transaction.atomic
def health_policy_set(*, actor: Actor, community_code: str, level: int, **fields: Any) -> HealthPolicy:
    """Create or change what a community asks of its residents at one emergency level."""
    if not actor.can("health.policy"):
        raise PermissionDenied(_("Your role may not set the health policy."))
    from fangxian.areas.models import Area

    if len(community_code or "") != 12:
        raise DomainError(_("A health policy is set per community."), code="area_level", field="community_code")
    try:
        area = Area.objects.get_visible(actor, code=community_code)
    except Http404:
        raise NotFound(_("There is no such area in your jurisdiction."), field="community_code") from None
    if level not in EmergencyLevel.values:
        raise DomainError(_("“%(value)s” is not an emergency level.") % {"value": str(level)[:5]}, code="unknown_level")
    policy = HealthPolicy.objects.filter(area_code=area.code, level=level).first() or HealthPolicy(
        area_code=area.code, level=level
    )
    for name, value in fields.items():
        if name not in POLICY_FIELDS:
            raise DomainError(_("This field cannot be changed here."), code="field_not_editable", field=name)
        setattr(policy, name, value)
    full_clean_or_refuse(policy)
    policy.save()
    return policy
