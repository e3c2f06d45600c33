"""Arrivals from outside, quarantine and health-monitoring cases, their twice-daily reports, daily
check-ins, the health policy per emergency level, and the service requests of households at home."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import EmergencyLevel
from fangxian.core.areacode import area_code_index
from fangxian.core.personal import PersonalField, PersonalKind
from fangxian.core.scoping import Actor, Jurisdictional
from fangxian.health.models.common import Measure, RiskLevel, emergency_field, user_field

TEMPERATURE_VALIDATORS = [MinValueValidator(Decimal("30.0")), MaxValueValidator(Decimal("45.0"))]


def default_fever() -> Decimal:
    return Decimal(str(getattr(settings, "FANGXIAN_FEVER_CELSIUS", "37.3")))


def _own_household(field: str):
    def scope(cls, actor: Actor) -> Q | None:
        return Q(**{f"{field}__in": sorted(actor.household_ids)}) if actor.household_ids else None

    return classmethod(scope)


class HealthPolicy(Jurisdictional):
    """What a community asks of its residents while an emergency of one level is active.

    `area_code` is the community. No emergency, or no row for its level: no daily check-in, and
    the defaults below for cases.
    """

    level = models.PositiveSmallIntegerField(_("emergency level"), choices=EmergencyLevel.choices)
    check_in_required = models.BooleanField(_("daily check-in for every resident"), default=False)
    home_quarantine_days = models.PositiveSmallIntegerField(
        _("days of home quarantine"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    monitoring_days = models.PositiveSmallIntegerField(
        _("days of health monitoring"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    report_grace_hours = models.PositiveSmallIntegerField(
        _("hours before a missed report alerts"), default=2, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta(Jurisdictional.Meta):
        verbose_name = _("health policy")
        verbose_name_plural = _("health policies")
        indexes = [area_code_index("area_code", "health_policy_ac")]
        constraints = [models.UniqueConstraint(fields=["area_code", "level"], name="health_policy_one_per_level")]

    def __str__(self) -> str:
        return f"{self.area_code} / {self.level}"

    def audit_label(self) -> str:
        return f"health policy {self.area_code} level {self.level}"


class Transport(models.TextChoices):
    TRAIN = "train", _("Train")
    PLANE = "plane", _("Plane")
    BUS = "bus", _("Coach")
    CAR = "car", _("Own car")
    SHIP = "ship", _("Ship")
    OTHER = "other", _("Other")


class ArrivalSource(models.TextChoices):
    SELF = "self", _("Reported by the person")
    WORKER = "worker", _("Registered by a worker")


class ArrivalStatus(models.TextChoices):
    REPORTED = "reported", _("Waiting for a worker")
    CONFIRMED = "confirmed", _("Confirmed")


class Arrival(Jurisdictional):
    """Somebody who came back from elsewhere (返回登记): from where, when, how, with whom.

    `area_code` is the household's grid. The risk of the origin (the risk areas in force on the
    day of arrival) suggests a measure; a worker confirms it, which may open a case.
    """

    emergency = emergency_field()
    household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = PersonalField(_("ID card number"), kind=PersonalKind.ID_CARD)
    phone = PersonalField(_("phone"), kind=PersonalKind.PHONE)
    origin_code = models.CharField(_("coming from (division code)"), max_length=12)
    origin_name = models.CharField(_("coming from"), max_length=100)
    arrived_on = models.DateField(_("arrived on"))
    transport = models.CharField(_("transport"), max_length=8, choices=Transport.choices)
    transport_detail = models.CharField(_("train, flight or plate"), max_length=50, blank=True)
    companions = models.PositiveSmallIntegerField(_("people travelling with"), default=0)
    companions_note = models.CharField(_("who travelled with"), max_length=200, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, blank=True)
    suggested_measure = models.CharField(_("suggested measure"), max_length=16, choices=Measure.choices)
    suggested_days = models.PositiveSmallIntegerField(_("suggested days"), default=0)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=ArrivalSource.choices)
    status = models.CharField(_("status"), max_length=10, choices=ArrivalStatus.choices, default=ArrivalStatus.REPORTED)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    confirmed_by = user_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    task = models.ForeignKey(
        "command.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("task")
    )

    personal_data = True
    audit_masked = ("name", "companions_note")
    scope_personal = _own_household("household_id")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        ordering = ["-reported_at", "-id"]
        indexes = [
            area_code_index("area_code", "health_arrival_ac"),
            models.Index(fields=["status", "reported_at"], name="health_arrival_st"),
        ]

    def __str__(self) -> str:
        return f"arrival #{self.pk}"

    def audit_label(self) -> str:
        return f"arrival #{self.pk}"


class CaseKind(models.TextChoices):
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
    MONITORING = "monitoring", _("Health monitoring")
    CENTRALISED = "centralised", _("Centralised quarantine")


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")


class HealthCase(Jurisdictional):
    """One person under home quarantine, health monitoring or centralised quarantine (居家隔离/健康监测).

    `area_code` is the resident's grid. The end date comes from the policy and may be changed
    with a reason (kept in `end_reason` and the audit trail). `last_report_at` and `alerted_at`
    let the missed-report job find who is late with one indexed query.
    """

    emergency = emergency_field()
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    end_reason = models.CharField(_("reason for the end date"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    arrival = models.ForeignKey(
        Arrival, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("arrival")
    )
    screening_entry = models.ForeignKey(
        "health.ScreeningEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screening entry"),
    )
    opened_by = user_field(_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_report_at = models.DateTimeField(_("last report"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("missed report alerted at"), null=True, blank=True)
    closed_by = user_field(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.CharField(_("note on closing"), max_length=500, blank=True)

    personal_data = True
    audit_masked = ("end_reason", "close_note")
    scope_personal = _own_household("household_id")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("health case")
        verbose_name_plural = _("health cases")
        ordering = ["ends_on", "id"]
        indexes = [
            area_code_index("area_code", "health_case_ac"),
            models.Index(fields=["status", "ends_on"], name="health_case_st_end"),
            models.Index(fields=["resident", "status"], name="health_case_res"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(status="active"), name="health_case_one_active_per_resident"
            )
        ]

    def __str__(self) -> str:
        return f"case #{self.pk}"

    def audit_label(self) -> str:
        return f"health case #{self.pk}"


class Symptom(models.TextChoices):
    COUGH = "cough", _("Cough")
    SORE_THROAT = "sore_throat", _("Sore throat")
    FATIGUE = "fatigue", _("Fatigue")
    SHORTNESS_OF_BREATH = "breath", _("Shortness of breath")
    LOSS_OF_SMELL = "smell", _("Loss of taste or smell")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")


class HealthReport(Jurisdictional):
    """A temperature and symptoms reported for a case (twice a day), by the person or a worker."""

    case = models.ForeignKey(HealthCase, on_delete=models.CASCADE, related_name="reports", verbose_name=_("case"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, validators=TEMPERATURE_VALIDATORS
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by_resident = models.BooleanField(_("reported by the person"), default=False)
    reported_by = user_field(_("reported by"))

    personal_data = True
    audit_masked = ("temperature", "symptoms", "note")
    scope_personal = _own_household("case__household_id")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("health report")
        verbose_name_plural = _("health reports")
        ordering = ["-at", "-id"]
        indexes = [
            area_code_index("area_code", "health_report_ac"),
            models.Index(fields=["case", "at"], name="health_report_case_at"),
        ]

    def __str__(self) -> str:
        return f"report #{self.pk}"

    def audit_label(self) -> str:
        return f"health report #{self.pk}"

    @property
    def symptom_labels(self) -> list[str]:
        return [str(Symptom(code).label) for code in self.symptoms or [] if code in Symptom.values]


class CheckIn(Jurisdictional):
    """A resident's daily check-in (每日健康打卡) while the community's policy asks for it."""

    emergency = emergency_field()
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="+", verbose_name=_("resident")
    )
    household = models.ForeignKey(
        "areas.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=TEMPERATURE_VALIDATORS,
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    reported_by = user_field(_("reported by"))

    personal_data = True
    audit_masked = ("temperature", "symptoms")
    scope_personal = _own_household("household_id")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-day", "-id"]
        indexes = [
            area_code_index("area_code", "health_checkin_ac"),
            models.Index(fields=["day"], name="health_checkin_day"),
        ]
        constraints = [models.UniqueConstraint(fields=["resident", "day"], name="health_checkin_once_a_day")]

    def __str__(self) -> str:
        return f"check-in #{self.pk}"

    def audit_label(self) -> str:
        return f"check-in #{self.pk}"


class ServiceKind(models.TextChoices):
    GROCERIES = "groceries", _("Groceries")
    MEDICINE = "medicine", _("Medicine")
    WASTE = "waste", _("Waste collection")


class ServiceStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    REQUESTED = "requested", _("Requested")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Not needed")


class ServiceRequest(Jurisdictional):
    """A need of a household that cannot go out (groceries, medicine, waste collection).

    Offered automatically when a household member goes into home quarantine; stored here until the
    services app serves them (volunteers, deliveries).
    """

    emergency = emergency_field()
    household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    case = models.ForeignKey(
        HealthCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ServiceKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.OFFERED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    personal_data = True
    audit_masked = ("note",)
    scope_personal = _own_household("household_id")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        indexes = [area_code_index("area_code", "health_service_ac")]

    def __str__(self) -> str:
        return f"service request #{self.pk}"

    def audit_label(self) -> str:
        return f"service request #{self.pk}"
