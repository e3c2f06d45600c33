"""Models of the registry app, one module per part."""

from fangxian.registry.models.residents import (
    Relation,
    Resident,
    ResidenceType,
    ResidentStatus,
    Sex,
    Vulnerability,
    VulnerabilityKind,
)

__all__ = [
    "Relation", "Resident", "ResidenceType", "ResidentStatus", "Sex", "Vulnerability", "VulnerabilityKind",
]
