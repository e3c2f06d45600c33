"""Models of the registry app, one module per part."""

from fangxian.registry.models.care import CareLevel, CarePlan, CareVisit, DisabilityGrade, VulnerabilityDetail
from fangxian.registry.models.imports import ImportJob, ImportStatus
from fangxian.registry.models.party import Availability, PartyMember, PartyMemberStatus
from fangxian.registry.models.residents import (
    DocumentType,
    Relation,
    ResidenceType,
    Resident,
    ResidentChangeKind,
    ResidentMove,
    ResidentStatus,
    Sex,
    Vulnerability,
    VulnerabilityKind,
    name_initials,
)

__all__ = [
    "Availability", "CareLevel", "CarePlan", "CareVisit", "DisabilityGrade", "DocumentType", "ImportJob",
    "ImportStatus", "PartyMember", "PartyMemberStatus", "Relation", "ResidenceType", "Resident",
    "ResidentChangeKind", "ResidentMove", "ResidentStatus", "Sex", "Vulnerability", "VulnerabilityDetail",
    "VulnerabilityKind", "name_initials",
]
