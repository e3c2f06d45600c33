from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian.accounts.models import ApiToken, RoleAssignment, User
from fangxian.core.roles import Role
from fangxian.core.testing import PERSONAS, leak_factory


@leak_factory(User)
def user(grid: str, marker: str, world):
    created = User.objects.create_user(username=marker.lower(), display_name=marker)
    RoleAssignment.objects.create(user=created, role=Role.GRID_WORKER, area_code=grid)
    return created


def _grid_persona(grid: str, world) -> User | None:
    for name, (role, area, _household) in PERSONAS.items():
        if role == Role.GRID_WORKER and area == grid:
            return world.users[name]
    return None


@leak_factory(ApiToken)
def api_token(grid: str, marker: str, world):
    # Owned by the grid's persona when there is one, so that its own account page shows it.
    owner = _grid_persona(grid, world) or user(grid, marker + "U", world)
    assignment = RoleAssignment.objects.filter(user=owner).first()
    return ApiToken.objects.create(user=owner, assignment=assignment, area_code=assignment.area_code, name=marker,
                                   prefix=marker.lower()[:12], secret_hash="0" * 64)


@leak_factory(RoleAssignment)
def role_assignment(grid: str, marker: str, world):
    return RoleAssignment.objects.create(user=user(grid, marker + "R", world), role=Role.COMMUNITY_WORKER,
                                         area_code=grid[:12])


@leak_factory(TOTPDevice)
def totp_device(grid: str, marker: str, world):
    return TOTPDevice.objects.create(user=user(grid, marker + "T", world), name=marker, confirmed=True)
