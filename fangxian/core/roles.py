"""The roles of DESIGN.md section 1, in one place so that every app names them the same way."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_OFFICIAL = "city_official", _("City official")
    DISTRICT_OFFICIAL = "district_official", _("District official")
    STREET_OFFICIAL = "street_official", _("Street official")
    COMMANDER = "commander", _("Community commander")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GUARD = "guard", _("Checkpoint guard")
    VOLUNTEER = "volunteer", _("Volunteer / social worker")
    COUNSELLOR = "counsellor", _("Counsellor")
    RESIDENT = "resident", _("Resident")
    ADMINISTRATOR = "administrator", _("Administrator")


OFFICIAL_ROLES = frozenset({Role.CITY_OFFICIAL, Role.DISTRICT_OFFICIAL, Role.STREET_OFFICIAL})
COMMUNITY_STAFF_ROLES = frozenset({Role.COMMANDER, Role.COMMUNITY_WORKER})

# Roles whose grant covers the whole subtree of its area. The others (volunteers, counsellors,
# residents) see only what a model explicitly opens to them: their tasks, their cases, their home.
AREA_REACH_ROLES = frozenset(
    {
        Role.CITY_OFFICIAL,
        Role.DISTRICT_OFFICIAL,
        Role.STREET_OFFICIAL,
        Role.COMMANDER,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.GUARD,
        Role.ADMINISTRATOR,
    }
)

# Area roles whose reach also covers rows about people (models with `personal_data = True`).
# Administrators configure, they do not read residents (DESIGN.md section 1); guards get at people
# only through the checkpoint module's own rules (their pass scans), never a whole community.
PERSONAL_DATA_ROLES = AREA_REACH_ROLES - {Role.ADMINISTRATOR, Role.GUARD}

# Roles that must log in with a second factor.
TWO_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.DISTRICT_OFFICIAL, Role.CITY_OFFICIAL})

# The area level each role is granted at (number of digits of the area code).
ROLE_AREA_LENGTHS: dict[str, tuple[int, ...]] = {
    Role.CITY_OFFICIAL: (4,),
    Role.DISTRICT_OFFICIAL: (6,),
    Role.STREET_OFFICIAL: (9,),
    Role.COMMANDER: (12,),
    Role.COMMUNITY_WORKER: (12,),
    Role.GRID_WORKER: (15,),
    Role.GUARD: (12,),
    Role.VOLUNTEER: (12, 15),
    Role.COUNSELLOR: (6, 9, 12),
    Role.RESIDENT: (15,),
    Role.ADMINISTRATOR: (2, 4, 6, 9, 12),
}
