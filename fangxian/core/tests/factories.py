from fangxian.core.models import AuditEvent
from fangxian.core.testing import leak_factory


@leak_factory(AuditEvent)
def audit_event(grid: str, marker: str, world):
    return AuditEvent.objects.create(action="update", area_code=grid, object_label=marker, actor_label="leak")
